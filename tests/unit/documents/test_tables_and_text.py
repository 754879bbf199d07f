"""Timesheets and orders from CSV, XLSX, e-mail and HTML; kind detection; content sniffing."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from backoffice.documents import extract
from backoffice.documents.sniff import sniff
from backoffice.documents.textgrid import html_to_text
from backoffice.documents.timesheet import entry_type, parse_hours
from backoffice.errors import DocumentError

CSV = """Employee:,Anna Berger
Employee ID:,E-1042
Period:,01.03.2024 - 31.03.2024
Date,Project,Hours,Type
2024-03-01,ACME-7,8,Regular
2024-03-04,ACME-7,7:30,Overtime
2024-03-05,,8,Sick leave
Total,,24,
Approved by:,Max Müller
"""


@pytest.mark.parametrize(("text", "hours"), [("7.5", "7.5"), ("7,5", "7.5"), ("7:30", "7.5"), ("8 h", "8"),
                                              ("6 Std.", "6"), ("0:45", "0.75"), ("n/a", None), ("-3", None)])
def test_hours_in_every_common_notation(text, hours):
    assert parse_hours(text) == hours


@pytest.mark.parametrize(("text", "kind"), [("Overtime", "overtime"), ("Überstunden", "overtime"),
                                             ("heures supplémentaires", "overtime"), ("Urlaub", "leave"),
                                             ("Congés", "leave"), ("ziek", "leave"), ("Normal", "regular"), ("", "regular")])
def test_entry_types(text, kind):
    assert entry_type(text) == kind


def test_a_csv_timesheet_with_labels_above_and_below_the_table(tmp_path):
    path = tmp_path / "march.csv"
    path.write_text(CSV, encoding="utf-8")
    document = extract(path, kind="auto")
    assert document.kind == "timesheet" and document.method == "csv"
    assert {k: f.value for k, f in document.fields.items()} == {
        "employee_name": "Anna Berger", "employee_id": "E-1042", "period_start": "2024-03-01",
        "period_end": "2024-03-31", "approver": "Max Müller", "total_hours": "24"}  # as printed, doubted
    assert [(e["date"].value, e["hours"].value, e["type"].value) for e in document.lines] == [
        ("2024-03-01", "8", "regular"), ("2024-03-04", "7.5", "overtime"), ("2024-03-05", "8", "leave")]
    assert document.lines[0]["hours"].text == "C5: 8" and document.lines[0]["hours"].method == "cell"
    assert document.fields["total_hours"].confidence <= 0.5
    assert document.warnings == ["entries add up to 23.5 hours, but the total says 24"]


def test_a_table_of_neither_kind_is_refused(tmp_path):
    path = tmp_path / "prices.csv"
    path.write_text("sku,colour\nA,red\nB,blue\n")
    with pytest.raises(DocumentError) as caught:
        extract(path, kind="auto")
    assert caught.value.code == "unknown-kind" and "prices.csv" in str(caught.value)


def test_an_html_order_e_mail(tmp_path):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@example.com", "b@example.com", "Bestellung"
    message.set_content("<html><body><p>Bestellnummer: 4500123</p><p>Bestelldatum: 02.05.2024</p>"
                        "<table><tr><th>Art.-Nr.</th><th>Bezeichnung</th><th>Menge</th><th>Einzelpreis</th></tr>"
                        "<tr><td>X-1</td><td>Schrauben M4</td><td>100</td><td>0,12</td></tr></table>"
                        "<p>Gesamtbetrag: 12,00 EUR</p></body></html>", subtype="html")
    path = tmp_path / "mail.eml"
    path.write_bytes(bytes(message))
    document = extract(path, kind="auto")
    assert document.kind == "order" and document.method == "email"
    assert {k: document.fields[k].value for k in ("order_number", "order_date", "total", "currency")} == {
        "order_number": "4500123", "order_date": "2024-05-02", "total": "12.00", "currency": "EUR"}
    assert [{k: f.value for k, f in line.items()} for line in document.lines] == [
        {"item_id": "X-1", "description": "Schrauben M4", "quantity": "100", "unit_price": "0.12", "amount": "12.00"}]


def test_html_tables_keep_their_columns_aligned():
    text = html_to_text("<table><tr><td>a</td><td>long cell</td></tr><tr><td>bbbb</td><td>x</td></tr></table>")
    first, second = text.splitlines()
    assert first.index("long") == second.index("x")


@pytest.mark.parametrize(("content", "form"), [
    (b"%PDF-1.7\n", "pdf"), (b"\x89PNG\r\n\x1a\n", "image"), (b"\xff\xd8\xff\xe0", "image"),
    (b"<?xml version='1.0'?><Invoice/>", "xml"), (b"<html><body>x</body></html>", "html"),
    (b"From: a@b\nSubject: x\n\nhello", "email"), (b"a;b;c\n1;2;3\n4;5;6\n", "csv"), (b"Dear customer,\nthanks\n", "text"),
])
def test_content_decides_the_format(tmp_path, content, form):
    path = tmp_path / "file.bin"
    path.write_bytes(content)
    assert sniff(path) == form
