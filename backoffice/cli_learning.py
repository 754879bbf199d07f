"""``backoffice layouts list|show|export|delete``, ``backoffice queue correct`` and
``backoffice extract --bot`` (registered in backoffice.cli): learned layouts from a shell."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from backoffice.documents.models import Document

layouts_app = typer.Typer(
    help="Layouts learned from people's corrections: list, show, export, delete.", no_args_is_help=True
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of tables.")]
LayoutId = Annotated[int, typer.Argument(help="The layout id (see `backoffice layouts list`).")]


def _layouts():
    from backoffice.cli import _config, _store

    return _store(_config(check_paths=False), existing=True).layouts()


@contextmanager
def _refusals() -> Iterator[None]:
    """A refused action (no such layout or item, a bad FIELD=VALUE) is one line on stderr, exit 1."""
    from backoffice.cli import ERR_LINE, err
    from backoffice.errors import BackofficeError

    try:
        yield
    except BackofficeError as exc:
        err.print(str(exc), **ERR_LINE)
        raise typer.Exit(1) from None


@layouts_app.command("list")
def layouts_list(as_json: JsonOption = False) -> None:
    """The learned layouts: sender, fields, documents read, how often a person still corrected them."""
    from backoffice.cli import _emit_json, out
    from backoffice.learning.store import rows

    found = list(rows(_layouts()))
    if as_json:
        _emit_json(found)
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
    from backoffice.cli import _emit_json, out

    store = _layouts()
    with _refusals():
        layout, journal = store.get(layout_id), store.journal(layout_id)
    if as_json:
        _emit_json({**layout.to_dict(), "journal": [c.to_dict() for c in journal]})
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

    from backoffice.cli import err
    from backoffice.errors import BackofficeError
    from backoffice.learning.export import FORMATS, export

    with _refusals():
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
    from backoffice.cli import out

    with _refusals():
        _layouts().delete(layout_id, actor=actor or getpass.getuser(), why=why)
    out.print(f"layout {layout_id} deleted", markup=False)


def queue_correct(
    item_id: Annotated[int, typer.Argument(help="The item id.")],
    changes: Annotated[
        list[str], typer.Argument(help="FIELD=VALUE pairs, e.g. grand_total=1190.00 issue_date=2026-03-01.")
    ],
    why: Annotated[str, typer.Option("--why", help="Why; kept in the item's journal.")] = "",
    actor: Annotated[str | None, typer.Option("--as", help="Who corrects (default: your user name).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Correct fields of a waiting item as the UI does (journaled, rules run again); once the item is done, what was corrected is learned."""
    from backoffice.cli import _config, _emit_json, _store, out
    from backoffice.learning.desk import Desk, correct_fields, parse_changes
    from backoffice.rules import load_rules
    from backoffice.rules.approvals import Policy

    config = _config(check_paths=False)

    @cache  # the rules run again after each field corrected: read the file once
    def rules_for(bot_name: str):
        path = config.rules_path(config.bot(bot_name))
        return load_rules(path) if path is not None else None

    with _refusals():
        desk = Desk(_store(config, existing=True), rules_for, Policy.of(config))
        item = correct_fields(desk, item_id, parse_changes(changes), why=why, actor=actor or getpass.getuser())
    if as_json:
        _emit_json({"id": item.id, "status": item.status.value, "corrections": item.payload.get("corrections", [])})
    else:
        out.print(f"item {item.id}: corrected {', '.join(parse_changes(changes))} ({item.status.value})", markup=False)


def extract_as_bot(bot_name: str, files: list[Path], as_json: bool) -> None:
    """``backoffice extract --bot NAME``: read files as that bot would (its kind, its templates,
    then the learned layouts of its queue)."""
    from backoffice import documents
    from backoffice.cli import _config, _store, read_each
    from backoffice.config import inside
    from backoffice.documents.templates import load_templates
    from backoffice.errors import BackofficeError
    from backoffice.learning.hooks import read_learned

    config = _config(check_paths=False)
    with _refusals():
        try:
            bot = config.bot(bot_name)
        except KeyError:
            raise BackofficeError(f"bot {bot_name} is not in {config.path.name}") from None
    templates = load_templates(inside(config.config_dir, bot.templates)) if bot.templates else None
    store = _store(config)

    def read(path: Path) -> list[tuple[Document, dict[str, Any]]]:
        document = documents.extract(path, kind=bot.extractor, templates=templates)
        return [(document, {"learned": read_learned(store, path, document)})]

    read_each(files, read, as_json)
