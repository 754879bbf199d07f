"""Two processes posting to one CSV file: every record is kept."""

from __future__ import annotations

import csv
import multiprocessing

import pytest

pytestmark = pytest.mark.integration


def _post(workspace: str, first_id: int, count: int, start) -> None:
    from pathlib import Path

    from backoffice.connectors.base import Context
    from backoffice.connectors.files import FilesSettings, FilesTarget
    from backoffice.queue.base import NewItem
    from backoffice.queue.files import FileStore
    from backoffice.queue.memory import MemoryStore
    from tests.fakes import invoice

    context = Context(bot="invoices", workspace=Path(workspace), files=FileStore(Path(workspace) / "files"))
    target = FilesTarget(FilesSettings(kind="files", path="out/invoices.csv"), context)
    store = MemoryStore()
    items = [store.enqueue(NewItem("invoices", f"k{n}"))[0] for n in range(first_id + count)][first_id:]
    start.wait(timeout=60)
    for item in items:
        target.post(item, invoice(invoice_number=f"INV-{item.id}"))


def test_two_writers_lose_no_record(tmp_path):
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2)
    writers = [context.Process(target=_post, args=(str(tmp_path), first, 60, start)) for first in (0, 60)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=120)
        assert writer.exitcode == 0
    with open(tmp_path / "out" / "invoices.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(int(r["item_id"]) for r in rows) == list(range(1, 121))
