"""``backoffice layouts list|show|export|delete`` and ``backoffice queue correct``: learned layouts
from a shell (``extract --bot``, which reads with them, is in :mod:`backoffice.cli.extract`)."""

from __future__ import annotations

import getpass
from functools import cache
from pathlib import Path
from typing import Annotated

import typer

from backoffice.commandline import JsonOption, deployment, emit_json, err, open_queue, out, refusals

layouts_app = typer.Typer(
    help="Layouts learned from people's corrections: list, show, export, delete.", no_args_is_help=True
)

LayoutId = Annotated[int, typer.Argument(help="The layout id (see `backoffice layouts list`).")]


def _layouts():
    from backoffice.learning.store import layouts

    return layouts(open_queue(deployment(check_paths=False), existing=True))


@layouts_app.command("list")
def layouts_list(as_json: JsonOption = False) -> None:
    """The learned layouts: sender, fields, documents read, how often a person still corrected them."""
    from backoffice.learning.store import rows

    found = list(rows(_layouts()))
    if as_json:
        emit_json(found)
        return
    for row in found:
        senders = ", ".join(v for v in row["senders"].values() if v) or "-"
        out.print(
            f"{row['id']}\t{row['name'] or '-'}\t{senders}\tread {row['reads']}\tcorrected {row['corrected']}"
            f"\t{len(row['fields'])} fields\tfrom item {row['item']} by {row['taught_by']}",
            markup=False,
            highlight=False,
        )
    if not found:
        out.print("no learned layouts yet: they are learned when a corrected item is done", markup=False)


@layouts_app.command("show")
def layouts_show(layout_id: LayoutId, as_json: JsonOption = False) -> None:
    """One learned layout: where each field is read, and every change made to it."""

    store = _layouts()
    with refusals():
        layout, journal = store.get(layout_id), store.journal(layout_id)
    if as_json:
        emit_json({**layout.to_dict(), "journal": [c.to_dict() for c in journal]})
        return
    out.print(f"layout {layout.id} ({layout.kind}) {layout.name}: {layout.provenance()}", markup=False)
    out.print(
        f"read {layout.reads} documents, corrected on {layout.corrected}; senders: {layout.senders}", markup=False
    )
    for name, rule in sorted(layout.fields.items()):
        where = f"after {rule.anchor!r}" if rule.anchor else "at its place on the page"
        box = ", ".join(f"{v:.0f}" for v in rule.box)
        out.print(f"  {name}: page {rule.page} [{box}] {where}, shape {rule.shape!r}", markup=False, highlight=False)
    for change in journal:
        out.print(
            f"  {change.at} {change.action} by {change.actor} (item {change.item_id}): "
            f"{', '.join(change.fields) or '-'} {change.why}",
            markup=False,
            highlight=False,
        )


@layouts_app.command("export")
def layouts_export(
    layout_id: LayoutId,
    form: Annotated[str, typer.Option("--format", help="ours (our YAML template) or invoice2data.")] = "ours",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of standard output.")
    ] = None,
) -> None:
    """Write a learned layout as a YAML template (ours or invoice2data's), to review and version."""
    import sys

    from backoffice.errors import BackofficeError
    from backoffice.learning.export import FORMATS, export

    with refusals():
        if form not in FORMATS:
            raise BackofficeError(f"--format {form}: use one of {', '.join(FORMATS)}")
        text = export(_layouts().get(layout_id), form)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote {output}", markup=False)


@layouts_app.command("delete")
def layouts_delete(
    layout_id: LayoutId,
    why: Annotated[str, typer.Option("--why", help="Why; kept in the layouts' journal.")] = "",
    actor: Annotated[str | None, typer.Option("--as", help="Who acts (default: your user name).")] = None,
) -> None:
    """Forget a learned layout (journaled); its documents are read without it from then on."""

    with refusals():
        _layouts().delete(layout_id, actor=actor or getpass.getuser(), why=why)
    out.print(f"layout {layout_id} deleted", markup=False)


def queue_correct(
    item_id: Annotated[int, typer.Argument(help="The item id.")],
    changes: Annotated[
        list[str],
        typer.Argument(
            help="FIELD=VALUE pairs, e.g. grand_total=1190.00 issue_date=2026-03-01; a line's cell as "
            "line.2.amount=12.50 (lines from 1) or lines[1].amount=12.50 (from 0); line.3=delete."
        ),
    ],
    why: Annotated[str, typer.Option("--why", help="Why; kept in the item's journal.")] = "",
    actor: Annotated[str | None, typer.Option("--as", help="Who corrects (default: your user name).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Correct fields of a waiting item as the UI does (journaled, rules run again); once the item is done, what was corrected is learned."""
    from backoffice.learning.desk import Desk, correct_fields, parse_changes
    from backoffice.rules import load_rules
    from backoffice.rules.approvals import Policy

    config = deployment(check_paths=False)

    @cache  # the rules run again after each field corrected: read the file once
    def rules_for(bot_name: str):
        path = config.rules_path(config.bot(bot_name))
        return load_rules(path) if path is not None else None

    with refusals():
        desk = Desk(open_queue(config, existing=True), rules_for, Policy.of(config))
        item = correct_fields(desk, item_id, parse_changes(changes), why=why, actor=actor or getpass.getuser())
    if as_json:
        emit_json({"id": item.id, "status": item.status.value, "corrections": item.payload.get("corrections", [])})
    else:
        out.print(f"item {item.id}: corrected {', '.join(parse_changes(changes))} ({item.status.value})", markup=False)
