"""The SQL target on SQLite (PostgreSQL and MariaDB: tests/integration/test_sql_servers.py)."""

from __future__ import annotations

import sqlite3

import pytest
from pydantic import ValidationError

from backoffice.connectors.base import Context
from backoffice.connectors.sql import SqlSettings, SqlTarget
from backoffice.documents.models import Field
from backoffice.errors import BusinessError, TargetError
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


def test_mapped_columns_business_key_and_lines(context, item, tmp_path):
    settings = SqlSettings(
        kind="sql", url="sqlite:///erp.db", table="ap_invoices", key=["vendor", "number"],
        columns={"vendor": "seller_name", "number": "invoice_number", "total": "grand_total", "posted_by": "$bot"},
        lines_table="ap_lines", line_columns={"text": "description", "amount": "amount"},
    )  # fmt: skip
    target = SqlTarget(settings, context)
    document = invoice()
    document.lines = [{"description": Field("a"), "amount": Field("1.50")}, {"description": Field("b")}]
    assert target.post(item, document) == "ap_invoices:Acme GmbH|INV-1"
    document.lines = document.lines[:1]
    target.post(item, document)  # again, with one line fewer: replaced, not added
    db = sqlite3.connect(tmp_path / "erp.db")
    assert db.execute("SELECT vendor, number, total, posted_by FROM ap_invoices").fetchall() == [
        ("Acme GmbH", "INV-1", "119.00", "invoices")
    ]
    assert db.execute("SELECT vendor, number, line_no, text, amount FROM ap_lines").fetchall() == [
        ("Acme GmbH", "INV-1", 1, "a", "1.50")
    ]
    primary = [r[1] for r in db.execute("PRAGMA table_info(ap_invoices)") if r[5]]
    assert primary == ["vendor", "number"]


def test_without_create_a_missing_table_is_an_application_error(context, item):
    target = SqlTarget(SqlSettings(kind="sql", url="sqlite:///x.db", table="nowhere", create=False), context)
    with pytest.raises(TargetError, match="no such table: nowhere"):
        target.post(item, invoice())


def test_data_the_database_refuses_is_a_business_error(context, item, tmp_path):
    db = sqlite3.connect(tmp_path / "strict.db")
    db.execute("CREATE TABLE t (vendor TEXT, number TEXT, total TEXT NOT NULL, PRIMARY KEY (vendor, number))")
    db.commit()
    settings = SqlSettings(kind="sql", url="sqlite:///strict.db", table="t", key=["vendor", "number"], create=False,
                           columns={"vendor": "seller_name", "number": "invoice_number", "total": "grand_total"})  # fmt: skip
    with pytest.raises(BusinessError, match="t refused the data: NOT NULL constraint failed: t.total"):
        SqlTarget(settings, context).post(item, invoice(grand_total=None))


def test_key_columns_must_be_mapped_and_url_or_connection_not_both():
    with pytest.raises(ValidationError, match="key column\\(s\\) number are not in columns"):
        SqlSettings(kind="sql", key=["number"], columns={"vendor": "seller_name"})
    with pytest.raises(ValidationError, match="either connection or url"):
        SqlSettings(kind="sql", url="sqlite:///a.db", connection="ledger")


def test_a_named_connection(context, item, tmp_path):
    from backoffice.config import Connection

    context.connections = {"ledger": Connection(url=f"sqlite:///{tmp_path}/named.db")}
    SqlTarget(SqlSettings(kind="sql", connection="ledger", table="docs"), context).post(item, invoice())
    assert sqlite3.connect(tmp_path / "named.db").execute("SELECT COUNT(*) FROM docs").fetchone() == (1,)
