"""Structured logs: one JSON-lines file per run under the workspace's ``logs/``.

A runner serving for months writes one run: its file rolls over at ``max_bytes`` into
``run-<id>.jsonl.1`` … ``.<backups>`` (the oldest dropped), and each run that starts deletes run
logs not written to for ``keep_days``.

Library code logs with ``logging.getLogger(__name__)`` and puts structure in ``extra``
(``bot``, ``run``, ``item``, ``action``); only the CLI configures the console.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from backoffice.logs.redact import redact

# Attributes every LogRecord has; anything else on a record came from `extra` or log_context().
STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}
_CONTEXT: ContextVar[dict[str, Any]] = ContextVar("backoffice_log_context", default={})


@contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Add ``fields`` (bot, item, …) to every record logged inside the block, in any module."""
    token = _CONTEXT.set({**_CONTEXT.get(), **fields})
    try:
        yield
    finally:
        _CONTEXT.reset(token)


class JsonLinesFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        line.update((k, v) for k, v in _CONTEXT.get().items() if v is not None)
        for name, value in vars(record).items():
            if name not in STANDARD and value is not None:
                line[name] = redact(value) if isinstance(value, str) else value
        if record.exc_info:
            line["traceback"] = redact(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False, default=str)


class _RunFields(logging.Filter):
    def __init__(self, run_id: str):
        super().__init__()
        self.run_id = run_id

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "run", None) is None:
            record.run = self.run_id
        return True


class _Rolling(logging.handlers.RotatingFileHandler):
    """Rolls over by the file's size so far (the stdlib's check formats every record a second
    time), and only in the process that opened it: forked workers inherit the handler and the
    file's offset, and may append to the log, but never rename it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner_pid = os.getpid()

    def shouldRollover(self, record: logging.LogRecord) -> bool:  # noqa: N802 - the stdlib's name
        if os.getpid() != self.owner_pid:
            return False
        return self.stream is not None and self.stream.tell() >= self.maxBytes


def prune(logs_dir: Path, keep_days: float) -> list[Path]:
    """Delete run logs (rolled-over parts included) last written more than ``keep_days`` ago."""
    cutoff = time.time() - keep_days * 86400
    deleted = []
    for path in logs_dir.glob("run-*.jsonl*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                deleted.append(path)
        except FileNotFoundError:  # another runner pruned it first
            continue
    return deleted


_followed: list[logging.Handler] = []  # in a worker process: the handler of the run log it writes to


def follow_run_log(path: Path, run_id: str) -> None:
    """In a worker process acting for a runner: append this process's ``backoffice`` records to
    the run's log at ``path`` (the runner rolls it over; a worker reopens the new file)."""
    if _followed and getattr(_followed[0], "baseFilename", None) == str(path.absolute()):
        return
    logger = logging.getLogger("backoffice")
    for old in _followed:
        logger.removeHandler(old)
        old.close()
    handler = logging.handlers.WatchedFileHandler(path, encoding="utf-8")
    handler.setFormatter(JsonLinesFormatter())
    handler.addFilter(_RunFields(run_id))
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    _followed[:] = [handler]


@contextmanager
def run_log(
    logs_dir: Path, run_id: str, *, max_bytes: float = 100_000_000, backups: float = 5, keep_days: float = 30
) -> Iterator[Path]:
    """Write every ``backoffice`` log record of this run to ``logs_dir/run-<id>.jsonl`` (rolled
    over at ``max_bytes``, ``backups`` parts kept: the options of ``runner.log_options()``)."""
    logs_dir.mkdir(parents=True, exist_ok=True)
    path = logs_dir / f"run-{run_id}.jsonl"
    handler = _Rolling(path, maxBytes=int(max_bytes), backupCount=int(backups), encoding="utf-8")
    handler.setFormatter(JsonLinesFormatter())
    handler.addFilter(_RunFields(run_id))
    logger = logging.getLogger("backoffice")
    previous_level = logger.level
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        for old in prune(logs_dir, keep_days):
            logging.getLogger(__name__).info("deleted %s (older than %g days)", old.name, keep_days)
        yield path
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)
        handler.close()

