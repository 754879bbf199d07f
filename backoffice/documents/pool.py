"""Read many documents at once, one worker process per core, each with a memory and time bound.

A runner with several waiting items hands their files to :func:`extract_many`; each file is read
in a worker process whose address space is capped (``RLIMIT_AS``), so a hostile file that
makes a parser allocate without end fails as a clear DocumentError for its own item, and a
worker that crashes (a parser segfault) or overruns its time limit costs only that item (the
pool starts another). Workers are started by a fork server that has the parsers imported
(:mod:`backoffice.processes`) and replaced after 50 documents.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pebble import ProcessExpired

from backoffice.documents.models import Document
from backoffice.errors import DocumentError
from backoffice.processes import MEMORY_LIMIT_MB, announce, memory_limit_mb, worker_pool

log = logging.getLogger(__name__)

SECONDS_PER_DOCUMENT = 120


@dataclass
class Outcome:
    """What reading one file gave: a document, or the error that stopped it."""

    path: Path
    document: Document | None = None
    error: DocumentError | None = None


def _read(path: str, kind: str, ignore_embedded: bool, token: object = None) -> dict:
    from backoffice.documents.extract import extract

    if token is not None:
        announce(token)  # the runner watches this worker while it reads the file
    try:
        return {"document": extract(path, kind, ignore_embedded=ignore_embedded).to_dict()}
    except DocumentError as exc:
        return {"error": exc.reason, "code": exc.code}
    except MemoryError:
        return {"error": f"{Path(path).name}: reading it needed more than {memory_limit_mb()} MB", "code": "too-large"}


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def extract_many(paths: Iterable[Path | str], kind: str = "auto", *, workers: int | None = None,
                 ignore_embedded: bool = False, memory_mb: int = MEMORY_LIMIT_MB,
                 timeout: float = SECONDS_PER_DOCUMENT) -> list[Outcome]:
    """Read every file in ``paths`` in parallel (``workers`` processes, default one per core).

    Results come back in the order of ``paths``. A file whose reading overruns ``timeout``
    seconds (from when a worker starts it) or kills its worker gets a DocumentError; the pool is
    terminated at the end, so a hung worker never outlives the call.
    """
    paths = [Path(p) for p in paths]
    workers = min(workers or os.cpu_count() or 1, max(1, len(paths)))
    outcomes: list[Outcome] = []
    pool = worker_pool(workers, memory_mb=memory_mb, tasks_per_child=50)
    try:
        # Biggest files first (scans take longest), so that no worker is left with a long one at the end.
        order = sorted(range(len(paths)), key=lambda i: -_size(paths[i]))
        submitted = {i: pool.schedule(_read, (str(paths[i]), kind, ignore_embedded), timeout=timeout) for i in order}
        for i, path in enumerate(paths):
            try:
                found = submitted[i].result()
            except (TimeoutError, ProcessExpired):
                outcomes.append(Outcome(path, error=DocumentError(
                    f"{path.name}: reading took longer than {timeout:.0f} s, or the reader crashed on it",
                    code="too-slow")))  # fmt: skip
                continue
            if "document" in found:
                outcomes.append(Outcome(path, document=Document.from_dict(found["document"])))
            else:
                outcomes.append(Outcome(path, error=DocumentError(found["error"], code=found["code"])))
    finally:
        pool.terminate()
        pool.join()
    log.info("extracted many", extra={"documents": len(paths), "workers": workers})
    return outcomes
