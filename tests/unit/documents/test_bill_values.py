"""Dates, amounts, currencies and numbers on bills: meter readings and billing periods told apart
from totals and issue dates, amounts due on paid invoices, a currency no sign shows, a series
printed apart from its number, the seller's VAT id beside the buyer's."""

from __future__ import annotations

import random

import pytest

from backoffice.demo import varied, varied_bills
from backoffice.documents.invoice import Reader, gather
from backoffice.documents.labels import match
from backoffice.documents.line_items import read_lines
from backoffice.documents.candidates import Candidate
from backoffice.documents.pdf import Word, read_words
from backoffice.documents.ranker import features, pick


def _reader(make_pdf, texts):
    reader = Reader(read_words(make_pdf(texts), ocr=False))
    items, headers = read_lines(reader.lines, reader.decimal_mark)
    return reader, gather(reader, items, headers, every=True), items


def _block(reader, found, items, field: str, value: str, last: bool = False) -> dict[str, float]:
    """The value features of the first (or ``last``) candidate of ``field`` reading ``value``."""
    table = features.table(reader, found, None)
    candidates, rows = table[field]
    names = features.NAMES[features.NAMES.index("meter_near") :]
    matching = sorted(
        ((c, row) for c, row in zip(candidates, rows, strict=True) if c.value == value), key=lambda pair: pair[0].where
    )
    assert matching, f"no candidate {value} for {field}: {[c.value for c in candidates]}"
    return dict(zip(names, matching[-1 if last else 0][1][-len(names) :], strict=True))


def test_meter_readings_and_period_dates_are_described_as_such(make_pdf):
    """A reading's amount and date are described as such; a period's ends are no document date."""
    reader, found, items = _reader(
        make_pdf,
        [
            (20, 20, "Bill date:"),
            (60, 20, "23.01.2019"),
            (20, 30, "Billing period: 05.12.2018 to 04.01.2019"),
            (20, 40, "Date", 8, "B"),
            (60, 40, "Meter #", 8, "B"),
            (100, 40, "Reading (kWh)", 8, "B"),
            (20, 45, "04.01.2019"),
            (60, 45, "187886"),
            (100, 45, "66647.77"),
            (20, 50, "05.12.2018"),
            (60, 50, "187886"),
            (100, 50, "66114.610"),
            (20, 60, "Total:"),
            (100, 60, "75.20"),
            (20, 70, "Please pay by 13.02.2019."),
        ],
    )
    assert _block(reader, found, items, "grand_total", "66647.77")["meter_near"] == 1.0
    assert "66114.61" not in [c.value for c in found["grand_total"]]  # 66114.610: three decimals, no money
    assert _block(reader, found, items, "grand_total", "75.20")["meter_near"] == 0.0
    period = [c for name in ("issue_date", "due_date") for c in found[name] if c.words[0].text == "05.12.2018"]
    assert [c.words[0].top for c in period] == [period[0].words[0].top] * 2  # the readings' row, not the period's ends
    assert (
        period[0].words[0].top > 45 * 72 / 25.4
        and _block(reader, found, items, "issue_date", "2019-01-23")["in_period"] == 0.0
    )
    assert _block(reader, found, items, "issue_date", "2018-12-05")["meter_near"] == 1.0  # a reading's date
    assert _block(reader, found, items, "issue_date", "2019-01-23")["meter_near"] == 0.0
    assert _block(reader, found, items, "due_date", "2019-02-13")["pay_cue"] == 1.0
    assert _block(reader, found, items, "due_date", "2019-01-23")["pay_cue"] == 0.0


def test_a_paid_invoice_says_so_and_its_amount_due_is_nothing(make_pdf):
    reader, found, items = _reader(
        make_pdf,
        [
            (20, 20, "Invoice #: 00095757"),
            (100, 60, "Total Inc GST:"),
            (150, 60, "$3.00"),
            (100, 66, "Paid Today:"),
            (150, 66, "$3.00"),
            (100, 72, "Remaining Amount Due:"),
            (150, 72, "$0.00"),
            (20, 90, "PAID IN FULL", 14, "B"),
        ],
    )
    zero = _block(reader, found, items, "amount_due", "0.00")
    assert zero["zero"] == 1.0 and zero["doc_paid"] == 1.0
    assert any(c.value == "0.00" and c.method == "label" for c in found["amount_due"])  # "Remaining Amount Due"
    assert _block(reader, found, items, "amount_due", "3.00", last=True)["paid_cue"] == 1.0  # "Paid Today"
    assert _block(reader, found, items, "amount_due", "3.00")["paid_cue"] == 0.0  # "Total Inc GST"


def test_a_currency_no_sign_shows_comes_from_the_country(make_pdf):
    reader, found, _ = _reader(
        make_pdf,
        [
            (20, 20, "NOTA FISCAL Nº 000.000.002"),
            (20, 30, "CNPJ / CPF"),
            (20, 35, "81.583.054/0001-29"),
            (20, 50, "VALOR TOTAL DA NOTA"),
            (100, 50, "1.950,00"),
        ],
    )
    assert [c.value for c in found["currency"]] == ["BRL"]
    assert found["currency"][0].score < 0.5  # no sign printed: never as sure as one


def test_a_series_printed_apart_from_its_number_and_cents_in_words(make_pdf):
    reader, found, _ = _reader(
        make_pdf,
        [
            (100, 20, "Faktura nr FV 1/2021"),
            (100, 80, "sto czterdziesci osiem zlotych 83/100"),
        ],
    )
    assert "FV 1/2021" in [c.value for c in found["invoice_number"] if c.method == "label"]
    assert "83/100" not in [c.value for c in found["invoice_number"]]
    _, found, _ = _reader(make_pdf, [(100, 20, "Fatura n.º FT A2024/153")])  # a Portuguese series of letters
    assert "FT A2024/153" in [c.value for c in found["invoice_number"] if c.method == "label"]


def test_the_vat_id_in_the_buyers_block_is_not_the_sellers(make_pdf):
    reader, found, _ = _reader(
        make_pdf,
        [
            (20, 20, "Empfänger", 9, "B"),
            (110, 20, "Aussteller", 9, "B"),
            (20, 26, "Scrooge McDuck"),
            (110, 26, "Gyro Gearloose"),
            (20, 32, "USt-IdNr.: DE987654321"),
            (110, 32, "USt-IdNr.: DE123456789"),
        ],
    )
    ranked = sorted(found["seller_vat_id"], key=lambda c: -c.score)
    assert ranked[0].value == "DE123456789"


@pytest.mark.parametrize(
    ("buyers", "sellers"),
    [
        ("Customer GSTIN : 29AAFCA0924K1ZN", "Dealer GSTIN : 29AAHCS6672E1ZZ"),
        ("Customer VAT ID: DE987654321", "VAT ID: DE123456789"),
    ],
)
def test_a_vat_id_after_a_label_of_the_buyers_is_not_the_sellers(make_pdf, buyers, sellers):
    reader, found, _ = _reader(make_pdf, [(20, 20, "Invoice 1"), (20, 40, buyers), (20, 60, sellers)])
    best: dict[str, float] = {}
    for candidate in found["seller_vat_id"]:
        best[candidate.value] = max(best.get(candidate.value, 0.0), candidate.score)
    assert best[sellers.split()[-1]] > best[buyers.split()[-1]]


def test_labels_with_typographic_apostrophes_and_remaining_balances():
    assert match("Date d\u2019émission:") == (("issue_date", True),)
    assert ("amount_due", True) in (match("Remaining Amount Due") or ())
    assert ("order_reference", True) in (match("V/REF :") or ())
    assert match("N/REF :") == ()
    assert match("Harmonized Sales Tax on") == (("tax_total", True),)  # "... on  $71.62  at 13.00%  9.31"
    assert match("Fecha de Vencimiento de Pago") == (("due_date", True),)


def test_training_bills_show_meter_readings_and_paid_invoices(tmp_path):
    rng = random.Random(4)
    specs = [varied.make_spec(rng, varied.TRAINING) for _ in range(200)]
    paid = [s for s in specs if s.extras.get("due_amount") and s.amount_due == 0 and s.paid]
    metered = [s for s in specs if s.extras.get("meter")]
    assert paid and metered
    held = [varied.make_spec(rng, varied.HELD_OUT) for _ in range(40)]
    assert not any(s.extras.get("meter") or s.extras.get("paid_stamp") for s in held)
    spec = metered[0]
    path = tmp_path / "bill.pdf"
    varied.render(spec).output(str(path))
    text = " ".join(w.text for w in read_words(path).words())
    reading = varied_bills._reading(spec, spec.extras["meter"]["readings"][1], spec.extras["meter"]["places"])
    assert reading in text and varied.truth(spec)["grand_total"] != reading


def test_the_buyers_order_number_is_told_from_the_sellers(make_pdf):
    reader, found, items = _reader(
        make_pdf,
        [
            (110, 20, "Ordernr.", 9),
            (110, 25, "4550219"),
            (110, 35, "Uw bestelling", 9),
            (110, 40, "3389"),
        ],
    )
    assert _block(reader, found, items, "order_reference", "3389")["label_yours"] == 1.0
    assert _block(reader, found, items, "order_reference", "4550219")["label_yours"] == 0.0


def test_a_five_word_label_and_a_tax_named_in_full(make_pdf):
    reader, found, _ = _reader(
        make_pdf,
        [
            (20, 20, "Fecha de Vencimiento de Pago: 27/03/2011"),
            (20, 40, "Harmonized Sales Tax on"),
            (80, 40, "$71.62"),
            (100, 40, "at"),
            (110, 40, "13.00%"),
            (160, 40, "9.31"),
        ],
    )
    assert [c.value for c in found["due_date"] if c.method == "label"] == ["2011-03-27"]
    assert max(found["tax_total"], key=lambda c: c.score).value == "9.31"


def test_one_value_printed_twice_about_as_likely_is_given_where_it_is_first_printed():
    def candidate(top: float, score: float) -> Candidate:
        return Candidate("seller_name", "Nordlicht GmbH", [Word("Nordlicht GmbH", 60.0, top, 140.0, top + 8, 1)], score)

    chosen = pick.choose({"seller_name": [candidate(765.0, 0.9971), candidate(42.0, 0.9969)]})
    top, _ = chosen["seller_name"]
    assert top.words[0].top == 42.0 and top.score == 0.9971  # the letterhead's place, the best score
    chosen = pick.choose({"seller_name": [candidate(765.0, 0.99), candidate(42.0, 0.6)]})
    assert chosen["seller_name"][0].words[0].top == 765.0  # clearly better elsewhere: that place
