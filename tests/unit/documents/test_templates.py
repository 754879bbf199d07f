"""Templates in invoice2data's format: matching, parsers with invoice2data's semantics, and
templates that use our own field names."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from backoffice.demo.invoices import generate_golden
from backoffice.documents import extract
from backoffice.documents.templates import Template, load_templates, match
from backoffice.errors import ConfigError

TEXT = textwrap.dedent("""\
    ACME Tools Ltd                         Invoice INV-0042
    Date: 05/03/2024
    Item                 Qty    Price
    Hammer                 2    10.00
      steel, 500 g
    Saw                    1    24.50
    Notes: none
    Subtotal                    44.50
    VAT 20% 8.90
    VAT 5% 1.00
    Total                       54.40
""")


def _template(**extra) -> Template:
    data = {"issuer": "ACME Tools", "keywords": ["ACME Tools", "Invoice"], "fields": {
        "invoice_number": r"Invoice\s+(\S+)", "date": r"Date:\s+(\S+)", "amount": r"Total\s+(\d+\.\d+)"},
        "options": {"date_formats": ["%d/%m/%Y"], "currency": "GBP"}}
    data.update(extra)
    return Template(data, name="acme")


def test_a_template_gives_invoice2data_output():
    template, output = match([_template()], TEXT)
    assert template.name == "acme"
    assert output == {"issuer": "ACME Tools", "invoice_number": "INV-0042", "date": __import__("datetime").date(2024, 3, 5),
                      "amount": 54.4, "currency": "GBP", "desc": "Invoice from ACME Tools"}


def test_all_keywords_must_match_and_no_exclude_keyword():
    assert match([_template(keywords=["ACME Tools", "Gutschrift"])], TEXT) is None
    assert match([_template(exclude_keywords=["Hammer"])], TEXT) is None


def test_a_missing_required_field_means_no_match():
    assert match([_template(required_fields=["invoice_number", "iban"])], TEXT) is None


def test_regex_groups_static_values_and_types():
    fields = {"amount_tax": {"parser": "regex", "regex": r"VAT \d+% (\d+\.\d+)", "type": "float", "group": "sum"},
              "vat_rates": {"parser": "regex", "regex": r"VAT (\d+)%", "type": "int"},
              "static_vat": "GB123", "country": {"parser": "static", "value": "GB"}}
    _, output = match([_template(fields={**_template()["fields"], **fields})], TEXT)
    assert output["amount_tax"] == pytest.approx(9.9)
    assert output["vat_rates"] == [20, 5]
    assert output["vat"] == "GB123" and output["country"] == "GB"


def test_lines_follow_invoice2data_first_line_line_and_skip_rules():
    lines = {"start": r"Item\s+Qty", "end": r"Subtotal", "first_line": r"^(?P<name>\w+)\s+(?P<qty>\d+)\s+(?P<price>[\d.]+)$",
             "line": r"^\s+(?P<name>.+)$", "skip_line": "Notes", "types": {"qty": "int", "price": "float"}}
    _, output = match([_template(lines=lines)], TEXT)
    assert output["lines"] == [{"name": "Hammer\nsteel, 500 g", "qty": 2, "price": 10.0},
                               {"name": "Saw", "qty": 1, "price": 24.5}]


def test_tables_fill_fields_from_named_groups():
    tables = [{"start": r"Item\s+Qty\s+Price", "end": "Saw", "body": r"^(?P<first_item>[A-Za-z]+)\s+\d+\s+(?P<amount_first>[\d.]+)$"}]
    _, output = match([_template(tables=tables)], TEXT)
    assert output["amount_first"] == 10.0 and output["first_item"] == "Hammer"


def test_remove_whitespace_applies_to_keywords_too():
    template = _template(options={"remove_whitespace": True, "currency": "GBP", "date_formats": ["%d/%m/%Y"]},
                         keywords=["ACME Tools"], fields={"invoice_number": r"Invoice(\S+)", "date": r"Date:(\S+)",
                                                          "amount": r"Total(\d+\.\d+)"})
    _, output = match([template], TEXT)
    assert output["invoice_number"] == "INV-0042" and output["amount"] == 54.4


def test_load_templates_reads_yaml_and_json_and_names_a_broken_file(tmp_path):
    (tmp_path / "a.yml").write_text("issuer: A\nkeywords: [A]\npriority: 3\n")
    (tmp_path / "b.json").write_text('{"issuer": "B", "keywords": ["B"], "priority": 9}')
    assert [t.name for t in load_templates(tmp_path)] == ["b", "a"]
    (tmp_path / "c.yml").write_text("keywords: [unclosed\n")
    with pytest.raises(ConfigError, match="c.yml"):
        load_templates(tmp_path)


def test_a_template_with_our_field_names_reads_a_pdf_with_provenance(tmp_path):
    [generated] = generate_golden(tmp_path, layouts=("rechnung-de",), line_counts=(3,))
    seller = generated.expected["seller_name"]
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "seller.yml").write_text(textwrap.dedent(f"""\
        issuer: {seller}
        kind: invoice
        keywords: ["{seller}", Rechnungsnummer]
        required_fields: [invoice_number, grand_total]
        fields:
          invoice_number: Rechnungsnummer:\\s+(\\S+)
          grand_total: {{parser: regex, regex: 'Rechnungsbetrag\\s+([\\d.]+,\\d\\d)', type: float}}
          issue_date: {{parser: regex, regex: 'Rechnungsdatum:\\s+(\\S+)', type: date}}
        options: {{currency: EUR, decimal_separator: ",", date_formats: ["%d.%m.%Y"]}}
        """), encoding="utf-8")
    document = extract(generated.path, templates=load_templates(tmp_path / "t"))
    assert document.method == "template:seller"
    values = {k: f.value for k, f in document.fields.items()}
    assert values["invoice_number"] == generated.expected["invoice_number"]
    assert values["grand_total"] == generated.expected["grand_total"]
    assert values["issue_date"] == generated.expected["issue_date"]
    assert values["seller_name"] == seller and values["currency"] == "EUR"
    assert document.fields["invoice_number"].page == 1 and document.fields["invoice_number"].bbox is not None


CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "invoice2data"


@pytest.mark.skipif(not CORPUS.is_dir() or shutil.which("tesseract") is None, reason="needs the corpus and tesseract")
def test_a_sender_printed_as_an_image_is_matched_after_ocr():
    document = extract(CORPUS / "compare" / "saeco.pdf", templates=load_templates(CORPUS / "templates"))
    assert document.method == "template:nl.saeco.philips.eluscious"
    assert document.fields["iban"].value == "NL58RABO0198723202"  # printed only inside the image
    assert document.warnings == ["read by OCR of pages 1"]
