"""Structured logs: one JSON-lines file per run under the workspace's ``logs/``.

Library code logs with ``logging.getLogger(__name__)`` and puts structure in ``extra``
(``bot``, ``run``, ``item``, ``action``); only the CLI configures the console.
"""

from __future__ import annotations

import json
import logging
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


@contextmanager
def run_log(logs_dir: Path, run_id: str) -> Iterator[Path]:
    """Write every ``backoffice`` log record of this run to ``logs_dir/run-<id>.jsonl``."""
    logs_dir.mkdir(parents=True, exist_ok=True)
    path = logs_dir / f"run-{run_id}.jsonl"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(JsonLinesFormatter())
    handler.addFilter(_RunFields(run_id))
    logger = logging.getLogger("backoffice")
    previous_level = logger.level
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield path
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)
        handler.close()

