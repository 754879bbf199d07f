from __future__ import annotations

import csv
import json

import pytest
import sqlite_utils

from backoffice.connectors.base import Context
from backoffice.connectors.files import FilesSettings, FilesTarget
from backoffice.connectors.sql import SqlSettings, SqlTarget
from backoffice.documents.models import Field
from backoffice.errors import BusinessError
from backoffice.queue.base import NewItem
from backoffice.queue.files import FileStore
from backoffice.queue.memory import MemoryStore
from tests.fakes import invoice


@pytest.fixture
def context(tmp_path):
    return Context(bot="invoices", workspace=tmp_path, files=FileStore(tmp_path / "files"))


@pytest.fixture
def item():
    return MemoryStore().enqueue(NewItem("invoices", "k"))[0]


def with_lines(document, n=2):
    document.lines = [
        {"description": Field(f"thing {i}"), "quantity": Field("1"), "amount": Field(f"{i}.00")} for i in range(n)
    ]
    return document


def test_sql_upserts_on_the_business_key_with_lines_in_one_transaction(context, item, tmp_path):
    target = SqlTarget(SqlSettings(kind="sql", url="sqlite:///out/ledger.db", table="invoices", lines_table="lines"), context)
    ref = target.post(item, with_lines(invoice(), 3))
    assert ref == "invoices:Acme GmbH|INV-1"
    assert target.post(item, with_lines(invoice(grand_total="119.00"), 2)) == ref
    db = sqlite_utils.Database(tmp_path / "out" / "ledger.db")
    rows = list(db["invoices"].rows)
    assert len(rows) == 1 and rows[0]["grand_total"] == "119.00" and rows[0]["item_id"] == item.id
    assert [r["line_no"] for r in db["lines"].rows] == [1, 2]


def test_sql_refuses_a_document_without_its_key(context, item):
    target = SqlTarget(SqlSettings(kind="sql", table="invoices"), context)
    with pytest.raises(BusinessError, match="key field invoice_number is empty") as caught:
        target.post(item, invoice(invoice_number=None))
    assert caught.value.field == "invoice_number"


def test_sql_refuses_an_unknown_database_url(context):
    with pytest.raises(ValueError, match="use sqlite:///PATH, postgresql://"):
        SqlTarget(SqlSettings(kind="sql", url="oracle://x/y"), context)


@pytest.mark.parametrize("name", ["out/invoices.csv", "out/invoices.jsonl"])
def test_files_target_writes_each_item_once_atomically(context, tmp_path, name):
    store = MemoryStore()
    first = store.enqueue(NewItem("invoices", "a"))[0]
    second = store.enqueue(NewItem("invoices", "b"))[0]
    target = FilesTarget(FilesSettings(kind="files", path=name), context)
    assert target.post(first, invoice()) == f"{name}#{target.idempotency_key(first)}"
    target.post(first, invoice())  # a retry after a crash: nothing new
    target.post(second, with_lines(invoice(invoice_number="INV-2")))
    path = tmp_path / name
    if name.endswith(".csv"):
        rows = list(csv.DictReader(path.open()))
        assert [(r["item_id"], r["invoice_number"]) for r in rows] == [(str(first.id), "INV-1"), (str(second.id), "INV-2")]
    else:
        rows = [json.loads(line) for line in path.read_text().splitlines()]
        assert [(r["item_id"], r["invoice_number"]) for r in rows] == [(first.id, "INV-1"), (second.id, "INV-2")]
        line = rows[1]["lines"][1]
        assert {k: v for k, v in line.items() if v is not None} == {"description": "thing 1", "quantity": "1", "amount": "1.00"}
        assert line["unit_price"] is None  # every line field has its key: one shape for every line
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary files left


def test_sql_database_that_cannot_be_opened_is_a_target_error_at_post_time(context, item, tmp_path):
    from backoffice.errors import TargetError

    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "ledger.db").mkdir()  # a folder where the database file should be
    target = SqlTarget(SqlSettings(kind="sql", url="sqlite:///out/ledger.db"), context)
    with pytest.raises(TargetError, match="cannot open .*ledger.db"):
        target.post(item, invoice())
