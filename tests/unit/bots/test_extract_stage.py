from __future__ import annotations

import pytest

from backoffice.bots import stages
from backoffice.documents.models import Document
from backoffice.errors import DocumentError
from backoffice.queue.base import NewItem
from backoffice.queue.memory import MemoryStore
from tests.unit.bots.test_runner import make_runner


def test_a_document_with_nothing_in_it_is_refused(deployment, monkeypatch):
    runner, store = make_runner(deployment, "[]")
    stored = runner.files.put_bytes(b"%PDF-1.4 blank", "blank.pdf")
    item, _ = store.enqueue(NewItem("invoices", "k", files=(stored,), payload={"file": "blank.pdf"}))
    monkeypatch.setattr(stages.documents, "extract", lambda path, kind, templates=None: Document(kind="invoice", method="text-layer"))
    with pytest.raises(DocumentError) as caught:
        stages.extract(runner.bots["invoices"], item)
    assert (caught.value.code, caught.value.reason) == ("nothing-found", "blank.pdf: no invoice fields found in it")
