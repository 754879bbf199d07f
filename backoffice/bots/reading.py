"""Reading an item's file when reading it may kill the process that does it.

A hostile file can make a C parser abort or the kernel kill a process, where no Python
exception is left to catch: the runner (or worker) is simply gone. So an item remembers it:

- the runner marks an item ``reading`` in its payload before it reads the file itself; a runner
  that claims an item still so marked knows an earlier attempt died while reading;
- a worker that dies on an item is seen at once by the runner (:mod:`backoffice.bots.workers`),
  which records the death in the item's ``killed`` list and retries the item.

An item with such a history is read again in a process of its own (:func:`read_isolated`),
capped at :data:`~backoffice.processes.MEMORY_LIMIT_MB` and :data:`SECONDS` and measured. If
that process dies too, the item has now killed two readers: it goes to the exception queue
naming the file and what was measured ("worker killed reading invoice.pdf: SIGABRT at 1010 MB
of its 1024 MB memory limit"); it never holds up other items.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from backoffice.bots import stages
from backoffice.documents.models import Document
from backoffice.documents.pool import SECONDS_PER_DOCUMENT
from backoffice.errors import DocumentError
from backoffice.processes import MEMORY_LIMIT_MB, memory_limit_mb, run_isolated
from backoffice.queue.base import WorkItem

log = logging.getLogger(__name__)

SECONDS = SECONDS_PER_DOCUMENT
READING = "reading"  # payload key: a runner started reading the file itself
KILLED = "killed"  # payload key: the readers this item killed, what was measured


def file_name(item: WorkItem) -> str:
    return item.payload.get("file") or (item.files[0].name if item.files else f"item {item.id}")


def needs_reading(item: WorkItem) -> bool:
    return "document" not in item.payload and "intake_error" not in item.payload and bool(item.files)


def suspect(item: WorkItem) -> bool:
    """Whether an earlier attempt died while reading this item's file."""
    return bool(item.payload.get(READING) or item.payload.get(KILLED))


def measured(how: str, peak_mb: int, limit_mb: int) -> str:
    """What was seen of a reader that died: "SIGKILL at 1010 MB of its 1024 MB memory limit"."""
    if peak_mb >= 0.8 * limit_mb:
        return f"memory limit {limit_mb} MB ({how} at {peak_mb} MB)"
    if not peak_mb:  # gone before its memory could be seen
        return f"{how} at once (memory limit {limit_mb} MB)"
    return f"{how} at {peak_mb} MB of its {limit_mb} MB memory limit"


def history(item: WorkItem) -> str:
    """The earlier deaths, for a reason: "; before: runner stopped while reading it"."""
    earlier = [k.get("reason", "") for k in item.payload.get(KILLED, [])]
    if item.payload.get(READING):
        earlier.append(f"runner {item.payload[READING].get('by', '?')} stopped while reading it")
    return f"; before: {'; '.join(e for e in earlier if e)}" if earlier else ""


def killed_entry(reason: str) -> dict[str, Any]:
    return {"reason": reason, "at": datetime.now(UTC).isoformat(timespec="seconds")}


def _read_file(path: str, name: str, kind: str, templates_dir: str | None) -> dict[str, Any]:
    """In a process of its own: the document in the file, or the error that stopped it."""
    from backoffice.documents.templates import load_templates

    try:
        templates = load_templates(templates_dir) if templates_dir else None
        return {"document": stages.read_file(Path(path), name, kind, templates).to_dict()}
    except DocumentError as exc:
        return {"error": exc.reason, "code": exc.code}
    except MemoryError:
        return {"error": f"{name}: reading it needed more than {memory_limit_mb()} MB", "code": "too-large"}


def read_isolated(bot: Any, item: WorkItem, *, timeout: float = SECONDS, memory_mb: int = MEMORY_LIMIT_MB) -> Document:
    """Read the item's file in a capped process of its own; a process that dies or overruns is
    a DocumentError naming the file and what was measured (with the item's earlier deaths)."""
    name = file_name(item)
    path = str(bot.context.files.path(item.files[0]))
    templates = str(bot.templates_dir) if bot.templates_dir else None
    outcome = run_isolated(_read_file, (path, name, bot.config.extractor, templates), timeout=timeout,
                           memory_mb=memory_mb)  # fmt: skip
    if outcome.timed_out:
        raise DocumentError(
            f"{name}: reading took longer than {timeout:.0f} s (the reader was stopped){history(item)}", code="too-slow"
        )
    if outcome.killed is not None:
        how = measured(outcome.killed, outcome.peak_mb, outcome.limit_mb)
        log.warning("reader killed reading %s: %s", name, how, extra={"item": item.id, "action": "reader-killed"})
        raise DocumentError(f"worker killed reading {name}: {how}{history(item)}", code="reader-killed")
    found = outcome.value
    if "document" not in found:
        raise DocumentError(found["error"], code=found["code"])
    return Document.from_dict(found["document"])
