"""``backoffice queue list|show|retry|cancel`` (and ``correct``, from :mod:`backoffice.cli.learning`)."""

from __future__ import annotations

import getpass
from typing import Annotated, Optional

import typer

from backoffice.cli.learning import queue_correct
from backoffice.commandline import ERR_LINE, JsonOption, deployment, emit_json, err, open_queue, out
from backoffice.errors import BackofficeError
from backoffice.queue.base import Status

queue_app = typer.Typer(
    help="Inspect the work queue and act on items (list, show, retry, cancel).", no_args_is_help=True
)
queue_app.command("correct")(queue_correct)


@queue_app.command("list")
def queue_list(
    status: Annotated[Optional[Status], typer.Option(help="Only items in this status.")] = None,
    bot: Annotated[Optional[str], typer.Option(help="Only items of this bot.")] = None,
    limit: Annotated[int, typer.Option(help="How many items.")] = 50,
    offset: Annotated[int, typer.Option(help="Skip this many items.")] = 0,
    as_json: JsonOption = False,
) -> None:
    """List items, newest first (e.g. --status exception for the exception queue)."""
    from backoffice.report import print_items

    store = open_queue(deployment(check_paths=False), existing=True)
    items = store.list(status=status, bot=bot, limit=limit, offset=offset)
    if as_json:
        emit_json([i.to_dict() for i in items])
    else:
        print_items(out, items)


@queue_app.command("show")
def queue_show(
    item_id: Annotated[int, typer.Argument(help="The item id.")],
    as_json: JsonOption = False,
) -> None:
    """Show one item: status, reason, extracted fields, rule verdicts and its journal."""
    from backoffice.report import print_item

    store = open_queue(deployment(check_paths=False), existing=True)
    item = store.get(item_id)
    journal = store.journal(item_id)
    if as_json:
        emit_json({**item.to_dict(), "journal": [e.to_dict() for e in journal]})
    else:
        print_item(out, item, journal)


def _act(action: str, ids: list[int], why: str, actor: str | None, as_json: bool) -> None:
    from backoffice.rules import approvals

    config = deployment(check_paths=False)
    store = open_queue(config, existing=True)
    actor = actor or getpass.getuser()
    results = []
    for item_id in ids:
        try:
            if action == "retry":  # the same four-eyes rule as the UI (the runner would refuse to post it)
                approvals.refuse_retry(store.get(item_id), approvals.Policy.of(config))
            item = getattr(store, action)(item_id, actor=actor, why=why)
            results.append({"id": item.id, "status": item.status.value})
            if not as_json:
                out.print(f"item {item.id}: {item.status.value}")
        except BackofficeError as exc:
            results.append({"id": item_id, "error": str(exc)})
            if not as_json:
                err.print(str(exc), **ERR_LINE)
    if as_json:
        emit_json(results)
    if any("error" in r for r in results):
        raise typer.Exit(1)


WhyOption = Annotated[str, typer.Option("--why", help="Why; kept in the item's journal.")]
ActorOption = Annotated[Optional[str], typer.Option("--as", help="Who acts (default: your user name).")]


@queue_app.command("retry")
def queue_retry(
    ids: Annotated[list[int], typer.Argument(help="Item ids.")],
    why: WhyOption = "",
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Send items back to pending, due now, with fresh attempts (from exception, retrying or cancelled)."""
    _act("retry", ids, why, actor, as_json)


@queue_app.command("cancel")
def queue_cancel(
    ids: Annotated[list[int], typer.Argument(help="Item ids.")],
    why: WhyOption = "",
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Cancel items so no runner takes them (from pending, retrying or exception)."""
    _act("cancel", ids, why, actor, as_json)
