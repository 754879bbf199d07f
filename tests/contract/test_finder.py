"""The supervisor UI's reader of the queue (filters, sorts, counts, pages, the dashboard): the
finder of every backend (``Store.finder()``) answers as the plain scan of the memory store does."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from backoffice.queue import NewItem, Status
from backoffice.queue.finder import ItemFilter, ScanFinder
from backoffice.queue.memory import MemoryStore
from backoffice.queue.postgres import PostgresStore
from backoffice.queue.sqlite import SQLiteStore, migrations

VENDORS = ["Becker & Söhne GmbH", "Harbour_Finch 100% LLP", 'Quote "Q" Ltd', "Northwind"]


def fill(store) -> None:
    for n in range(60):
        payload = {
            "file": f"invoice-{n:03d}.pdf",
            "document": {"kind": "invoice", "fields": {
                "seller_name": {"value": VENDORS[n % 4]}, "invoice_number": {"value": f"INV-{n:04d}"}}},
            "mail": {"subject": f"Rechnung {n}", "from": f"billing{n % 3}@example.com"},
        }  # fmt: skip
        if n % 5:  # every fifth without an amount or a date: they sort last
            payload["document"]["fields"] |= {"grand_total": {"value": f"{(n * 7919) % 20000}.{n % 100:02d}"},
                                              "issue_date": {"value": f"2026-{n % 9 + 1:02d}-{n % 28 + 1:02d}"}}  # fmt: skip
        if n % 3:
            payload["assignee"] = ["", "alice", "bob"][n % 3]
        store.enqueue(NewItem("invoices" if n % 2 else "orders", f"key-{n}", payload,
                              deadline=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=n % 7)))  # fmt: skip
    for item in store.claim("runner", limit=60):
        if item.id % 4 == 1:  # a stage's reference, searched for too
            store.update(item.id, "runner", refs={"order": f"PO-{item.id * 37:05d}"})
        if item.id % 3 == 0:
            store.to_exception(
                item.id, "runner", reason=f"net + tax does not equal the total {item.id}", code="rule:totals"
            )
        elif item.id % 3 == 1:
            store.to_exception(item.id, "runner", reason="invoice_number is missing", code="rule:required")
        else:
            store.complete(item.id, "runner")
    for item_id in (3, 30):  # two exceptions a person refused, for good
        store.reject_item(item_id, actor="alice", why=f"not our invoice {item_id}")


@pytest.fixture(scope="module")
def scan():
    memory = MemoryStore()
    fill(memory)
    return ScanFinder(memory)


@pytest.fixture(scope="module", params=["memory", "sqlite", "sqlite-in-memory",
                                        pytest.param("postgres", marks=pytest.mark.integration)])  # fmt: skip
def finder(request, tmp_path_factory):
    """A finder of each backend, on a queue filled once per module."""
    if request.param == "memory":
        store = MemoryStore()
    elif request.param == "sqlite":
        store = SQLiteStore(tmp_path_factory.mktemp("finders") / "queue.db")
    elif request.param == "sqlite-in-memory":
        store = SQLiteStore(":memory:")
    else:
        url = request.getfixturevalue("postgres_url")
        schema = f"t_{uuid.uuid4().hex[:12]}"
        store = PostgresStore(url, schema=schema)
    fill(store)
    found = store.finder()
    yield found
    found.close()
    store.close()
    if request.param == "postgres":
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.mark.parametrize("query", [
    {}, {"status": "all"}, {"status": "done"}, {"status": "rejected"},
    {"assignee": "alice"}, {"assignee": "(nobody)"}, {"status": "all", "assignee": "bob", "sort": "amount"},
    {"assignee": "(nobody)", "vendor": "becker"}, {"bot": "orders"}, {"reason": "rule:totals"}, {"reason": "MISSING"},
    {"vendor": "becker"}, {"vendor": "100%"}, {"vendor": "harbour_finch"}, {"vendor": '"q"'}, {"vendor": "nobody"},
    {"q": "inv-0012"}, {"q": "billing2@"}, {"q": "Rechnung 5"}, {"q": "key-7"},
    # the search finds a part of any searched text, whatever its case: vendor, number, file name,
    # source key, a reference; LIKE's wildcards and JSON's quotes are plain characters
    {"q": "HARBOUR_FINCH"}, {"q": "becker & s"}, {"q": "InV-004"}, {"q": "INVOICE-05"}, {"q": ".PDF"},
    {"q": "KEY-1"}, {"q": "po-0"}, {"q": "PO-01"}, {"q": "100%"}, {"q": '"q"'}, {"q": "%"}, {"q": "_"},
    {"q": "nothing like it"}, {"status": "all", "q": "Northwind", "sort": "amount"},
    {"status": "all", "q": "northwind", "vendor": "NORTH", "assignee": "(nobody)"},
    {"status": "all", "vendor": "BECKER"}, {"status": "all", "vendor": "& S"}, {"status": "all", "vendor": "ltd"},
    {"status": "all", "sort": "oldest", "per_page": "20", "page": "2"}, {"status": "all", "sort": "deadline"},
    {"status": "all", "sort": "bot", "page": "3", "per_page": "20"},
    *({"status": "all", "sort": sort, "page": page, "per_page": "20"}
      for sort in ("amount", "document-date", "number", "attempts", "assignee") for page in ("1", "3")),
    *({"sort": sort, "per_page": "20"} for sort in ("amount", "document-date", "number", "assignee")),
    {"sort": "amount", "vendor": "becker", "bot": "invoices"},
    {"status": "all", "since": datetime.now(UTC).date().isoformat(), "until": datetime.now(UTC).date().isoformat()},
    {"status": "all", "until": "2020-01-01"},
])  # fmt: skip
def test_every_finder_answers_as_the_scan_does(finder, scan, query):
    wanted = ItemFilter.from_query(query)
    by_sql, by_scan = finder.find(wanted), scan.find(wanted)
    assert by_sql.total == by_scan.total == finder.count(wanted)  # the views' counts, in one COUNT
    assert [i.id for i in by_sql.items] == [i.id for i in by_scan.items]


def test_the_sorts_order_by_what_they_name(finder):
    sqlite = finder
    items = sqlite.find(ItemFilter.from_query({"status": "all", "sort": "amount", "per_page": "100"})).items
    amounts = [i.payload["document"]["fields"].get("grand_total", {}).get("value") for i in items]
    given = [float(a) for a in amounts if a is not None]
    assert given == sorted(given, reverse=True) and amounts[len(given) :] == [None] * (len(amounts) - len(given))
    by_number = sqlite.find(ItemFilter.from_query({"status": "all", "sort": "number", "per_page": "100"})).items
    numbers = [i.payload["document"]["fields"]["invoice_number"]["value"] for i in by_number]
    assert numbers == sorted(numbers)
    by_who = sqlite.find(ItemFilter.from_query({"status": "all", "sort": "assignee", "per_page": "100"})).items
    assert [i.payload.get("assignee") for i in by_who][:1] == ["alice"] and by_who[-1].payload.get("assignee") is None


def test_filters_find_what_they_name(finder):
    sqlite = finder
    page = sqlite.find(ItemFilter.from_query({"vendor": "becker", "reason": "totals"}))
    assert page.total and all(i.status == Status.EXCEPTION and i.error_code == "rule:totals" for i in page.items)
    assert all(i.payload["document"]["fields"]["seller_name"]["value"].startswith("Becker") for i in page.items)
    assert sqlite.find(ItemFilter.from_query({"status": "all", "until": "2020-01-01"})).total == 0
    assert sqlite.find(ItemFilter.from_query({"status": "all", "per_page": "20"})).pages == 3
    mine = sqlite.find(ItemFilter.from_query({"status": "all", "assignee": "alice", "per_page": "100"}))
    nobodys = sqlite.find(ItemFilter.from_query({"status": "all", "assignee": "(nobody)", "per_page": "100"}))
    assert mine.total == 20 and {i.payload["assignee"] for i in mine.items} == {"alice"}
    assert nobodys.total == 20 and all("assignee" not in i.payload for i in nobodys.items)


def test_a_bad_query_string_falls_back_to_defaults():
    wanted = ItemFilter.from_query({"status": "nonsense", "since": "not a date", "sort": "id; DROP TABLE items",
                                    "page": "-3", "per_page": "100000", "unknown": "x"})  # fmt: skip
    assert (wanted.status, wanted.since, wanted.sort, wanted.page, wanted.per_page) == (
        "exception",
        "",
        "newest",
        1,
        50,
    )
    assert ItemFilter.from_query({"status": "all"}).query(page=2) == {
        "status": "all",
        "sort": "newest",
        "page": "2",
        "per_page": "50",
    }


def test_the_dashboard_counts_today_and_lists_the_oldest_and_overdue(finder, scan):
    for either in (finder, scan):
        board = either.dashboard(datetime(2026, 1, 4, tzinfo=UTC).timestamp())
        assert board.counts["invoices"]["exception"] + board.counts["orders"]["exception"] == 38
        assert board.counts["invoices"]["rejected"] + board.counts["orders"]["rejected"] == 2
        assert board.done_today == 0  # the clock says 2026-01-04: nothing happened "today"
        assert {code for code, _, _ in board.reasons} == {"rule:totals", "rule:required"}
        assert [i.id for i in board.oldest] == [n for n in range(1, 61) if n % 3 != 2 and n not in (3, 30)][:10]
        assert board.overdue and all(i.deadline.timestamp() < datetime(2026, 1, 4, tzinfo=UTC).timestamp()
                                     and i.status == Status.EXCEPTION for i in board.overdue)  # fmt: skip
        today = either.dashboard(datetime.now(UTC).timestamp())
        assert today.done_today == 20 and today.exceptions_today == 40


def test_a_changed_payload_or_reference_is_found_by_its_new_text(store):
    def vendor(name: str) -> dict:
        return {"document": {"fields": {"seller_name": {"value": name}}}}

    item, _ = store.enqueue(NewItem("invoices", "a.pdf", vendor("Becker & Söhne")))
    other, _ = store.enqueue(NewItem("invoices", "b.pdf", vendor("Northwind")))
    [claimed] = store.claim("runner", limit=1)
    store.update(claimed.id, "runner", payload=vendor("Harbour Finch"))  # a stage read the document again
    store.intend(claimed.id, "runner", "erp", "key-1")
    store.to_exception(claimed.id, "runner", reason="check", code="x")
    store.settle(claimed.id, "erp", "ERP-778")  # the target's id: a reference, the payload as it was
    store.amend(other.id, actor="alice", action="correct", payload=vendor("Becker Bros"))
    finder = store.finder()
    try:
        found = {name: [i.source_key for i in finder.find(ItemFilter(status="", vendor=name)).items]
                 for name in ("becker", "harbour", "northwind")}  # fmt: skip
        assert found == {"becker": ["b.pdf"], "harbour": ["a.pdf"], "northwind": []}
        searched = {text: [i.source_key for i in finder.find(ItemFilter(status="", q=text)).items]
                    for text in ("bros", "harbour", "northwind", "b.pdf", "erp-778")}  # fmt: skip
        assert searched == {"bros": ["b.pdf"], "harbour": ["a.pdf"], "northwind": [], "b.pdf": ["b.pdf"],
                            "erp-778": ["a.pdf"]}  # fmt: skip
    finally:
        finder.close()


def test_every_way_in_is_found_by_its_texts_and_values(store):
    """enqueue, enqueue_many and enqueue_families (parent and children) each make an item the
    search, the vendor filter, the amount sort and "waiting for my approval" find at once (on
    SQLite the inserts write what triggers wrote before migration 11)."""

    def payload(n: int, vendor: str) -> dict:
        return {"file": f"scan-{n}.pdf", "corrections": [{"who": "anna"}] if n == 2 else [],
                "document": {"fields": {"seller_name": {"value": vendor}, "grand_total": {"value": f"{n}00.50"}}}}  # fmt: skip

    store.enqueue(NewItem("invoices", "one", payload(1, "Alder One")))
    assert store.enqueue_many([NewItem("invoices", "many", payload(2, "Birch Many")),
                               NewItem("invoices", "one", payload(9, "Ignored"))]) == 1  # fmt: skip
    [(parent, _)] = store.enqueue_families([(NewItem("mail", "parent", {"mail": {"subject": "Cedar post"}}),
                                             [NewItem("invoices", "child", payload(3, "Cedar Child"))])])  # fmt: skip
    finder = store.finder()
    try:

        def keys(wanted: ItemFilter) -> list[str]:
            return [i.source_key for i in finder.find(wanted).items]

        assert {q: keys(ItemFilter(status="", q=q)) for q in ("scan-1", "SCAN-2", "birch", "cedar", "ignored")} == {
            "scan-1": ["one"],
            "SCAN-2": ["many"],
            "birch": ["many"],
            "cedar": ["child", "parent"],
            "ignored": [],
        }
        assert {v: keys(ItemFilter(status="", vendor=v)) for v in ("alder", "birch", "cedar")} == {
            "alder": ["one"],
            "birch": ["many"],
            "cedar": ["child"],
        }
        assert keys(ItemFilter(status="pending", bot="invoices", sort="amount")) == ["child", "many", "one"]
        assert keys(ItemFilter(status="pending", approver="fran")) == ["many"]
        assert parent.payload["children"] == [store.find("invoices", "child").id]
    finally:
        finder.close()


def test_sqlite_writes_what_its_views_say(tmp_path):
    """The columns and texts the SQLite inserts and triggers write (migration 11) are what the
    views item_derived and item_search_texts compute from the stored payload, whatever it holds."""
    store = SQLiteStore(tmp_path / "queue.db")
    odd = [
        {}, {"file": "a.pdf"}, {"file": 7, "assignee": "bob", "verdict": {"holds": ["x"]}},
        {"document": {"fields": {"grand_total": {"value": "1,234.50"}, "issue_date": {"value": 20260101},
                                 "seller_name": {"value": {"nested": True}}, "invoice_number": {"value": None}}}},
        {"document": {"fields": {"grand_total": {"value": 12.5}, "buyer_name": {"value": 'Quote "Q" \\ Söhne'}}}},
        {"document": [1, 2], "corrections": "none", "verdict": {"holds": "x"}, "mail": {"subject": True}},
        {"amount": float("nan"), "file": "not json for SQLite.pdf"},
        {"document": "a text", "mail": ["a", "list"], "file": None},
        {"document": {"fields": {"order_number": {"value": 5}, "employee_name": {}}}, "mail": {"subject": "Hi", "from": None}},
    ]  # fmt: skip
    store.enqueue_many(NewItem("b", f"many-{n}", p) for n, p in enumerate(odd))
    for n, p in enumerate(odd):
        store.enqueue(NewItem("b", f"one-{n}", p))
    store.enqueue_families([(NewItem("b", "parent", odd[2]), [NewItem("b", "child", odd[3])])])
    for item in store.claim("r", limit=4):
        store.update(item.id, "r", payload=odd[(item.id + 3) % len(odd)], refs={"erp": f"E-{item.id}"})
    try:
        written = store.conn.execute(
            "SELECT id, vendor, amount, doc_date, doc_number, assignee, awaits_approval FROM items ORDER BY id"
        ).fetchall()
        derived = store.conn.execute(  # with the columns' affinities, as a column stores a value
            "SELECT item_id, CAST(vendor AS TEXT), amount, CAST(doc_date AS TEXT), CAST(doc_number AS TEXT), "
            "CAST(assignee AS TEXT), awaits_approval FROM item_derived ORDER BY item_id"
        )
        assert written == derived.fetchall()
        assert len({row[1:] for row in written}) > 4  # the payloads differ in what they give
        texts = store.conn.execute("SELECT item_id, texts FROM item_texts ORDER BY item_id").fetchall()
        assert texts == store.conn.execute("SELECT * FROM item_search_texts ORDER BY item_id").fetchall()
        # the view of migration 11 says what migration 10's said, for less work
        first = dict(migrations())[10]
        start = first.index("CREATE VIEW item_search_texts")
        view = first[start : first.index("FROM items;", start) + len("FROM items")]
        store.conn.execute(view.replace("CREATE VIEW item_search_texts", "CREATE TEMP VIEW texts_of_migration_10"))
        assert texts == store.conn.execute("SELECT * FROM texts_of_migration_10 ORDER BY item_id").fetchall()
        assert len(texts) == len(written) == 2 * len(odd) + 2
    finally:
        store.close()


def test_the_bots_are_listed_once_each_in_code_point_order(store):
    for bot in ("b", "Z", "B", "a-bot", "b", "Ä"):
        store.enqueue(NewItem(bot, f"{bot}-{uuid.uuid4().hex}"))
    finder = store.finder()
    try:
        assert finder.bots() == ["B", "Z", "a-bot", "b", "Ä"]
    finally:
        finder.close()
