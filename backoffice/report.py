"""What the CLI shows people: Rich tables, item details and progress bars."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from backoffice.queue.base import JournalEntry, Status, Store, WorkItem

if TYPE_CHECKING:
    from backoffice.bots.runner import RunSummary
    from backoffice.demo.run import DemoResult
    from backoffice.documents.models import Document

EXCEPTIONS_SHOWN = 20
STATUS_STYLE = {
    "pending": "cyan", "processing": "blue", "retrying": "yellow",
    "exception": "red", "done": "green", "cancelled": "dim", "rejected": "magenta",
}  # fmt: skip


def _status(status: Status | str) -> str:
    value = Status(status).value
    return f"[{STATUS_STYLE[value]}]{value}[/]"


@contextmanager
def progress_bar(
    console: Console, store: Store | None, *, enabled: bool = True, total: int | None = None
) -> Iterator[Callable[[WorkItem], None]]:
    """A progress bar over processed items; ``advance(item)`` moves it. The total comes from
    ``total`` or, when a store is given, from the items waiting when the first one finishes."""
    progress = Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[outcomes]}"), TimeElapsedColumn(),
        console=console, transient=True, disable=not enabled,
    )  # fmt: skip
    task = progress.add_task("processing", total=total, outcomes="")
    tally: dict[str, int] = {}

    def advance(item: WorkItem) -> None:
        tally[item.status.value] = tally.get(item.status.value, 0) + 1
        done = sum(tally.values())
        if store is not None and (done == 1 or done % 200 == 0):
            waiting = sum(c.get("pending", 0) for c in store.counts().values())
            progress.update(task, total=done + waiting)
        shown = " ".join(f"{k} {v}" for k, v in sorted(tally.items()))
        progress.update(task, advance=1, outcomes=shown)

    with progress:
        yield advance


def counts_table(counts: dict[str, dict[str, int]]) -> Table:
    table = Table(title="Work queue")
    table.add_column("bot")
    for status in Status:
        table.add_column(_status(status), justify="right")
    for bot, per_status in sorted(counts.items()):
        table.add_row(bot, *(str(per_status.get(s.value, 0) or "") for s in Status))
    return table


def print_summary(console: Console, summary: RunSummary, counts: dict[str, dict[str, int]]) -> None:
    outcomes = ", ".join(f"{n} {s}" for s, n in sorted(summary.outcomes.items())) or "nothing due"
    console.print(f"run {summary.run_id}: {summary.collected} new item(s) collected; processed: {outcomes}")
    console.print(counts_table(counts))
    console.print(f"log: {summary.log_path}", highlight=False)


def print_items(console: Console, items: list[WorkItem]) -> None:
    table = Table()
    for column in ("id", "bot", "status", "attempts", "file / key", "reason", "updated"):
        table.add_column(column, overflow="fold")
    for item in items:
        table.add_row(
            str(item.id), escape(item.bot), _status(item.status), f"{item.attempts}/{item.max_attempts}",
            escape(item.payload.get("file") or item.source_key), escape(item.reason or ""),
            item.updated_at.strftime("%Y-%m-%d %H:%M:%S"),
        )  # fmt: skip
    console.print(table if items else "no items")


def print_item(console: Console, item: WorkItem, journal: list[JournalEntry]) -> None:
    console.print(f"[bold]item {item.id}[/] of bot {escape(item.bot)}: {_status(item.status)}  "
                  f"attempts {item.attempts}/{item.max_attempts}")  # fmt: skip
    if item.reason:
        console.print(f"reason: [red]{escape(item.reason)}[/] ({escape(item.error_code or '')})", highlight=False)
    console.print(f"source: {item.payload.get('file') or ''} [{item.source_key}]", highlight=False, markup=False)
    for stored in item.files:
        console.print(f"file: {escape(stored.name)} ({stored.size:,} bytes, {stored.media_type}) sha256 {stored.sha256[:12]}…")
    for target, ref in item.refs.items():
        console.print(f"posted to {escape(target)}: {escape(ref)}", highlight=False)
    for kept in item.payload.get("evidence", []):  # screenshots, page HTML, traces of a failed step
        console.print(f"evidence: {escape(kept['name'])} ({kept['size']:,} bytes, {kept['media_type']}) "
                      f"sha256 {kept['sha256'][:12]}… files/{kept['sha256'][:2]}/{kept['sha256'][2:]}",
                      highlight=False, soft_wrap=True)  # fmt: skip
    document = item.payload.get("document")
    if document:
        table = Table(title=f"{document['kind']} fields ({document['method']})")
        for column in ("field", "value", "confidence", "page", "method"):
            table.add_column(column)
        for name, field in document["fields"].items():
            table.add_row(name, escape(field["value"]), f"{field['confidence']:.2f}", str(field["page"] or ""), field["method"])
        console.print(table)
    verdict = item.payload.get("verdict")
    if verdict:
        for outcome in verdict["outcomes"]:
            mark = "[green]pass[/]" if outcome["ok"] else ("[red]FAIL[/]" if outcome["severity"] == "error" else "[yellow]warn[/]")
            console.print(f"  {mark} {escape(outcome['rule'])} {escape(outcome['message'])}", highlight=False)
    table = Table(title="journal")
    for column in ("at", "actor", "action", "from", "to", "why"):
        table.add_column(column, overflow="fold")
    for entry in journal:
        table.add_row(entry.at.strftime("%Y-%m-%d %H:%M:%S"), escape(entry.actor), entry.action,
                      entry.from_status or "", entry.to_status or "", escape(entry.why))  # fmt: skip
    console.print(table)


def print_document(console: Console, path: Path, document: Document) -> None:
    table = Table(title=f"{escape(path.name)}: {document.kind} ({document.method}, {document.pages} page(s))")
    for column in ("field", "value", "confidence", "page", "box", "method"):
        table.add_column(column)
    for name, field in document.fields.items():
        box = ", ".join(f"{v:.0f}" for v in field.bbox) if field.bbox else ""
        table.add_row(name, escape(field.value), f"{field.confidence:.2f}", str(field.page or ""), box, field.method)
    console.print(table)
    if document.lines:
        lines = Table(title="line items")
        names = list(document.lines[0])
        for name in names:
            lines.add_column(name)
        for line in document.lines:
            lines.add_row(*(escape(line[n].value) if n in line else "" for n in names))
        console.print(lines)
    for warning in document.warnings:
        console.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False)


def print_demo(console: Console, result: DemoResult) -> None:
    console.print(f"generated {len(result.generated)} sample invoices into {result.inbox}", highlight=False)
    if result.orders:
        console.print(f"generated {len(result.orders)} sample orders into {result.orders[0].parent}", highlight=False)
    if result.portal:
        console.print(f"the demo portal ran at {result.portal} (stopped now)", highlight=False)
    for skipped in result.skipped:
        console.print(f"skipped {skipped}", highlight=False)
    console.print(counts_table(result.counts))
    if result.exceptions:
        table = Table(title="exception queue")
        for column in ("item", "file", "reason"):
            table.add_column(column, overflow="fold")
        for row in result.exceptions[:EXCEPTIONS_SHOWN]:
            table.add_row(str(row["id"]), escape(row["file"]), escape(row["reason"]))
        console.print(table)
        if len(result.exceptions) > EXCEPTIONS_SHOWN:
            console.print(f"… and {len(result.exceptions) - EXCEPTIONS_SHOWN} more (queue list --status exception)")
    for output in result.outputs:
        console.print(f"output: {output}", highlight=False)
    first = result.exceptions[0]["id"] if result.exceptions else 1
    console.print(f"\nworkspace: {result.workspace}", highlight=False)
    console.print(f"try: backoffice -c {result.config} queue list --status exception", highlight=False, soft_wrap=True)
    console.print(f"     backoffice -c {result.config} queue show {first}", highlight=False, soft_wrap=True)
