"""Master data from CSV files and SQLite: typing, lookups, fuzzy search, reloading, failures."""

from __future__ import annotations

import sqlite3
from datetime import date
from decimal import Decimal

import pytest

from backoffice.rules import masterdata
from backoffice.rules.masterdata import MasterDataError, SourceSpec, Table, key_of
from backoffice.rules.values import HelperError
from tests.fakes import invoice

CSV = "sku,name,price,since\nA-1,Toner  Black,9.50,2026-01-01\nB-2,Paper,,\nb-2,Paper (old),1,2020-01-01\n\n"


@pytest.fixture
def csv_table(tmp_path):
    path = tmp_path / "products.csv"
    path.write_text(CSV, encoding="utf-8")
    return Table(SourceSpec("products", csv=path, types=(("price", "money"), ("since", "date"))))


def test_csv_rows_are_typed_and_labelled_by_their_first_column(csv_table):
    assert csv_table.columns() == ("sku", "name", "price", "since")
    first, second, third = csv_table.rows()
    assert dict(first) == {"sku": "A-1", "name": "Toner  Black", "price": Decimal("9.50"), "since": date(2026, 1, 1)}
    assert dict(second)["price"] is None and second.label == "B-2"
    assert third["price"] == Decimal(1)


def test_find_ignores_case_and_spacing_and_takes_lists(csv_table):
    assert [r["sku"] for r in csv_table.find({"sku": "b-2"})] == ["B-2", "b-2"]
    assert [r["sku"] for r in csv_table.find({"name": "toner black"})] == ["A-1"]
    assert [r["sku"] for r in csv_table.find({"sku": ["A-1", "Z"], "price": Decimal("9.5")})] == ["A-1"]
    assert csv_table.find({"sku": None}) == []


def test_an_id_column_finds_an_identifier_however_it_is_punctuated(tmp_path):
    path = tmp_path / "vendors.csv"
    path.write_text("name,vat_id\nAlpen AG,CHE116281710\nFjord AS,NO 994 158 988 MVA\nAcme,A-B\n", encoding="utf-8")
    typed = Table(SourceSpec("vendors", csv=path, types=(("vat_id", "id"),)))
    assert [r["name"] for r in typed.find({"vat_id": "CHE-116.281.710MWST"})] == ["Alpen AG"]
    assert [r["name"] for r in typed.find({"vat_id": ["x", "no994158988"]})] == ["Fjord AS"]
    assert typed.rows()[1]["vat_id"] == "NO 994 158 988 MVA"  # the row keeps the text as written
    plain = Table(SourceSpec("vendors", csv=path))
    assert plain.find({"vat_id": "CHE-116.281.710MWST"}) == [] and plain.find({"vat_id": "A B"}) == []


def test_too_many_combinations_are_refused(csv_table, monkeypatch):
    monkeypatch.setattr(masterdata, "MAX_COMBINATIONS", 4)
    with pytest.raises(HelperError, match="more than 4 value combinations"):
        csv_table.find({"sku": ["a", "b", "c"], "name": ["x", "y"]})


def test_closest_finds_the_most_similar_row_above_the_score(csv_table):
    found, score = csv_table.closest("name", "toner, black", 90)
    assert found["sku"] == "A-1" and score == 100
    assert csv_table.closest("name", "Stapler", 90) is None


def test_a_changed_csv_file_is_read_again(csv_table, monkeypatch):
    monkeypatch.setattr(masterdata, "CSV_RECHECK_SECONDS", 0)
    assert csv_table.find({"sku": "C-3"}) == []
    path = csv_table.spec.csv
    path.write_text(CSV + "C-3,Stapler,3.00,2026-02-02\n", encoding="utf-8")
    assert [r["name"] for r in csv_table.find({"sku": "C-3"})] == ["Stapler"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the CSV file has no header row"),
        ("sku,price\nA,ten\n", "master data products: not an amount: ten"),
        ("sku,since\nA,1.2.2026\n", "master data products: Invalid isoformat string"),
    ],
)
def test_csv_problems_are_master_data_errors(tmp_path, text, message):
    path = tmp_path / "products.csv"
    path.write_text(text, encoding="utf-8")
    table = Table(SourceSpec("products", csv=path, types=(("price", "money"), ("since", "date"))))
    with pytest.raises(MasterDataError, match=message) as caught:
        table.rows()
    assert caught.value.code == "masterdata"


def test_a_missing_file_is_an_application_error_retried_later(tmp_path):
    table = Table(SourceSpec("products", csv=tmp_path / "gone.csv"))
    with pytest.raises(MasterDataError, match="master data products: cannot read .*gone.csv"):
        table.rows()


@pytest.fixture
def erp(tmp_path):
    path = tmp_path / "erp.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE vendors (id TEXT, name TEXT, credit NUMERIC, since TEXT, score REAL)")
        conn.executemany("INSERT INTO vendors VALUES (?, ?, ?, ?, ?)",
                         [("V1", "Acme GmbH", 1000, "2026-01-01", 0.5), ("V2", "Zeta AG", None, None, None)])  # fmt: skip
    conn.close()
    return path


def test_sqlite_table_and_query(erp):
    table = Table(SourceSpec("vendors", sql=f"sqlite:///{erp}", table="vendors", types=(("since", "date"),)))
    assert table.columns() == ("id", "name", "credit", "since", "score")
    [acme] = table.find({"name": "ACME gmbh"})
    assert acme["since"] == date(2026, 1, 1) and acme["score"] == Decimal("0.5") and acme["credit"] == 1000
    query = Table(SourceSpec("big", sql=f"sqlite:///{erp}", query="SELECT id, credit FROM vendors WHERE credit > 10"))
    assert [dict(r) for r in query.rows()] == [{"id": "V1", "credit": 1000}]


def test_sqlite_source_is_read_again_after_refresh_seconds(erp, monkeypatch):
    table = Table(SourceSpec("vendors", sql=f"sqlite:///{erp}", table="vendors", refresh_seconds=60))
    assert len(table.rows()) == 2
    with sqlite3.connect(erp) as conn:
        conn.execute("INSERT INTO vendors (id) VALUES ('V3')")
    conn.close()
    assert len(table.rows()) == 2
    clock = masterdata.time.monotonic() + 61
    monkeypatch.setattr(masterdata.time, "monotonic", lambda: clock)
    assert len(table.rows()) == 3


def test_sqlite_problems(erp, tmp_path):
    with pytest.raises(MasterDataError, match="no such table: nope"):
        Table(SourceSpec("v", sql=f"sqlite:///{erp}", table="nope")).rows()
    with pytest.raises(MasterDataError, match="no such database file"):
        Table(SourceSpec("v", sql=f"sqlite:///{tmp_path / 'none.db'}", table="vendors")).rows()


def test_sqlite_source_in_a_rule_file_is_relative_to_it_and_read_only(erp, rules_of):
    rules = rules_of("""
        data:
          vendors: {sql: "sqlite:///erp.db", query: "SELECT * FROM vendors", types: {credit: money}}
        rules:
          - {id: v, lookup: {from: vendors, fuzzy: {name: seller_name}, as: vendor}, message: m}
          - {id: credit, check: vendor.credit >= grand_total, message: m}
    """)
    before = erp.read_bytes()
    assert rules.evaluate(invoice()).passed
    assert not rules.evaluate(invoice(grand_total="1000.01", net_total=None)).passed
    assert rules.local_files()[-1] == erp.resolve()
    assert erp.read_bytes() == before and not erp.with_name("erp.db-journal").exists()


def test_key_of_compares_text_without_case_and_numbers_by_value():
    assert key_of("  Acme\tGmbH ") == key_of("acme gmbh") == "acme gmbh"
    assert key_of(Decimal("10.00")) == key_of(10) == "10"
    assert key_of(date(2026, 1, 2)) == "2026-01-02" and key_of(None) is None
