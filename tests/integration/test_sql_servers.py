"""The SQL target against the real PostgreSQL and MariaDB on this machine (and SQLite)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from backoffice.connectors.base import Context
from backoffice.connectors.sql import SqlSettings, SqlTarget
from backoffice.documents.models import Field
from backoffice.errors import BusinessError, TargetError
from backoffice.queue.base import NewItem
from backoffice.queue.files import FileStore
from backoffice.queue.memory import MemoryStore
from tests.fakes import invoice
from tests.integration.conftest import MARIADB_URL, POSTGRES_URL

pytestmark = pytest.mark.integration
URLS = {"postgresql": POSTGRES_URL, "mariadb": MARIADB_URL, "sqlite": "sqlite:///out/ledger.db"}


@pytest.fixture(params=list(URLS))
def database(request, services, tmp_path):
    """(url, table prefix, context); drops the test's tables afterwards."""
    prefix = f"t{uuid.uuid4().hex[:8]}"
    context = Context(bot="invoices", workspace=tmp_path, files=FileStore(tmp_path / "files"))
    yield URLS[request.param], prefix, context
    probe = SqlTarget(SqlSettings(kind="sql", url=URLS[request.param]), context)
    conn = probe._connection()
    cursor = conn.cursor()
    for table in (f"{prefix}_lines", f"{prefix}_invoices"):
        cursor.execute(f"DROP TABLE IF EXISTS {probe.dialect.quote(table)}")
    conn.commit()
    probe.close()


def with_lines(document, *amounts: str):
    document.lines = [{"description": Field(f"line {n}"), "amount": Field(a)} for n, a in enumerate(amounts, 1)]
    return document


def rows(target: SqlTarget, sql: str) -> list[tuple]:
    conn = target._connection()
    cursor = conn.cursor()
    cursor.execute(sql)
    found = [tuple(r) for r in cursor.fetchall()]
    conn.commit()
    return found


def test_upsert_on_the_business_key_with_typed_columns_and_lines(database):
    url, prefix, context = database
    store = MemoryStore()
    first, second = (store.enqueue(NewItem("invoices", k))[0] for k in ("a", "b"))
    target = SqlTarget(SqlSettings(
        kind="sql", url=url, table=f"{prefix}_invoices", key=["vendor", "number"],
        columns={"vendor": "seller_name", "number": "invoice_number", "issued": "issue_date", "total": "grand_total",
                 "item": "$item_id"},
        lines_table=f"{prefix}_lines", line_columns={"text": "description", "amount": "amount"},
    ), context)  # fmt: skip
    try:
        assert target.post(first, with_lines(invoice(), "60.00", "59.00")) == f"{prefix}_invoices:Acme GmbH|INV-1"
        target.post(first, with_lines(invoice(grand_total="119.50"), "119.50"))  # posted again, corrected
        target.post(second, invoice(invoice_number="INV-2"))
        found = rows(target, f"SELECT vendor, number, issued, total, item FROM {prefix}_invoices ORDER BY number")
        lines = rows(target, f"SELECT number, line_no, text, amount FROM {prefix}_lines ORDER BY number, line_no")
    finally:
        target.close()
    if url.startswith("sqlite"):  # SQLite keeps money and dates as the exact text
        assert found == [("Acme GmbH", "INV-1", "2026-01-10", "119.50", first.id),
                         ("Acme GmbH", "INV-2", "2026-01-10", "119.00", second.id)]  # fmt: skip
        assert lines == [("INV-1", 1, "line 1", "119.50")]
    else:
        assert found == [("Acme GmbH", "INV-1", date(2026, 1, 10), Decimal("119.50"), first.id),
                         ("Acme GmbH", "INV-2", date(2026, 1, 10), Decimal("119.00"), second.id)]  # fmt: skip
        assert [(n, no, t, Decimal(a)) for n, no, t, a in lines] == [("INV-1", 1, "line 1", Decimal("119.50"))]


def test_header_and_lines_are_one_transaction(database):
    url, prefix, context = database
    item = MemoryStore().enqueue(NewItem("invoices", "a"))[0]
    target = SqlTarget(SqlSettings(
        kind="sql", url=url, table=f"{prefix}_invoices", key=["number"], columns={"number": "invoice_number"},
        lines_table=f"{prefix}_lines", line_columns={"amount": "amount"}, create=False,
    ), context)  # fmt: skip
    header, lines = (target.dialect.quote(f"{prefix}_{name}") for name in ("invoices", "lines"))
    try:
        conn = target._connection()
        cursor = conn.cursor()
        cursor.execute(f"CREATE TABLE {header} (number VARCHAR(50) PRIMARY KEY)")
        cursor.execute(f"CREATE TABLE {lines} (number VARCHAR(50), line_no INTEGER, "
                       "amount NUMERIC(10, 2) CHECK (amount >= 0), PRIMARY KEY (number, line_no))")  # fmt: skip
        conn.commit()
        with pytest.raises((BusinessError, TargetError)):  # the second line breaks the table's check
            target.post(item, with_lines(invoice(), "1.00", "-2.00"))
        assert rows(target, f"SELECT COUNT(*) FROM {header}") == [(0,)]  # the header row went with it
        assert rows(target, f"SELECT COUNT(*) FROM {lines}") == [(0,)]
        target.post(item, with_lines(invoice(), "1.00", "2.00"))
        assert rows(target, f"SELECT COUNT(*) FROM {lines}") == [(2,)]
    finally:
        target.close()


@pytest.mark.parametrize("url", [POSTGRES_URL.replace(":5432", ":1"), MARIADB_URL.replace(":3306", ":1")])
def test_a_database_that_is_down_is_an_application_error(url, tmp_path):
    context = Context(bot="invoices", workspace=tmp_path, files=FileStore(tmp_path / "files"))
    item = MemoryStore().enqueue(NewItem("invoices", "a"))[0]
    target = SqlTarget(SqlSettings(kind="sql", url=url), context)
    with pytest.raises(TargetError, match="cannot open"):
        target.post(item, invoice())


def test_runners_creating_the_same_table_at_once_all_post(database):
    """Concurrent CREATE TABLE IF NOT EXISTS can fail on PostgreSQL (a unique violation in its
    catalog): that is no refusal of the data, and every runner's post lands."""
    import threading

    url, prefix, context = database
    store = MemoryStore()
    items = [store.enqueue(NewItem("invoices", f"k{n}"))[0] for n in range(6)]
    targets = [SqlTarget(SqlSettings(kind="sql", url=url, table=f"{prefix}_invoices", key=["number"],
                                     columns={"number": "invoice_number"}), context) for _ in items]  # fmt: skip
    start, outcomes = threading.Barrier(len(targets)), []

    def post(target, item, n):
        start.wait()
        try:
            outcomes.append(target.post(item, invoice(invoice_number=f"INV-{n}")))
        except Exception as exc:  # noqa: BLE001 - the test reports what failed
            outcomes.append(exc)

    threads = [threading.Thread(target=post, args=(t, i, n)) for n, (t, i) in enumerate(zip(targets, items))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [o for o in outcomes if isinstance(o, Exception)] == [] and len(outcomes) == 6
    assert len(rows(targets[0], f"SELECT * FROM {targets[0].dialect.quote(prefix + '_invoices')}")) == 6
    for target in targets:
        target.close()
