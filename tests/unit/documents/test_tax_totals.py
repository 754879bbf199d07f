"""Taxes and totals: which tax a label names (a VAT or a tax of a particular kind), the sum of
several tax lines proposed once, a receipt's charges adding up down a column, a whole amount that
completes net + tax = total, and the training documents that show them."""

from __future__ import annotations

import random
from decimal import Decimal

from backoffice.demo import varied, varied_charges
from backoffice.documents.candidates import Candidate, pick_totals
from backoffice.documents.invoice import Reader, gather, read_invoice
from backoffice.documents.labels import match, tax_kind
from backoffice.documents.line_items import read_lines
from backoffice.documents.pdf import Word, read_words
from backoffice.documents.ranker import features
from backoffice.documents.textgrid import text_to_words

_NAMES = features.NAMES[features.NAMES.index("tax_label_kind") :]


def _table(make_pdf, texts):
    reader = Reader(read_words(make_pdf(texts), ocr=False))
    items, headers = read_lines(reader.lines, reader.decimal_mark)
    found = gather(reader, items, headers, every=True)
    return found, features.table(reader, found, None)


def _taxes(table, field: str, value: str, method: str | None = None) -> dict[str, float]:
    rows = [
        row for c, row in zip(*table[field], strict=True) if c.value == value and (method is None or c.method == method)
    ]
    assert rows, f"no candidate {value} for {field}: {[(c.value, c.method) for c in table[field][0]]}"
    return dict(zip(_NAMES, rows[0][-len(_NAMES) :], strict=True))


def _totals(page: str, name: str, fields=("net_total", "tax_total", "grand_total", "amount_due")) -> dict[str, str]:
    """The totals read from a page of text."""
    found = read_invoice(text_to_words(page, name)).fields
    return {field: found[field].value for field in fields}


def _candidate(field: str, value: str, score: float, top: float, method: str = "label") -> Candidate:
    return Candidate(field, value, [Word(value, 400.0, top, 450.0, top + 8, 1)], score, method)


def test_a_label_says_whether_it_names_a_vat_or_a_tax_of_a_particular_kind():
    assert [tax_kind(t) for t in ("IVA 21%", "zzgl. 19% MwSt.", "Sales Tax", "Tax", "Momsbelopp")] == [1] * 5
    kinds = ("Impuesto Municipal 1,00%", "Transaction Tax", "Taxe de séjour", "Kurtaxe", "Miljøavgift")
    assert [tax_kind(t) for t in kinds] == [2] * 5
    assert tax_kind("Subtotal") == 0 and tax_kind("Environmental Fee") == 0
    for label in ("Taxe de séjour", "Kurtaxe", "Toeristenbelasting", "Imposta di soggiorno", "Punktafgift"):
        assert ("tax_total", True) in (match(label) or ()), label


def test_a_receipts_tax_is_one_of_the_charges_that_add_up_to_its_total(make_pdf):
    charges = [("Bid Amount", "$19,000.00"), ("Buyer Fee", "$1,140.00"), ("Environmental Fee", "$10.00")]
    texts = [(20, 20 + 6 * n, label) for n, (label, _) in enumerate(charges)]
    texts += [(90, 20 + 6 * n, amount) for n, (_, amount) in enumerate(charges)]
    texts += [(20, 38, "Transaction Tax"), (94, 38, "$10.00"), (20, 50, "Total"), (90, 50, "$20,160.00")]
    _, table = _table(make_pdf, texts)
    tax = _taxes(table, "tax_total", "10.00", "label")
    assert tax["tax_label_kind"] == 2 and tax["tax_lines"] == 1 and tax["kind_lines"] == 1
    assert tax["stack"] == 1  # one of the amounts down the column that make the total
    assert _taxes(table, "grand_total", "20160.00")["stack"] == 2


def test_several_tax_lines_are_proposed_once_as_their_sum(make_pdf):
    found, table = _table(
        make_pdf,
        [
            (120, 20, "Net"),
            (170, 20, "100.00"),
            (120, 26, "VAT 20%"),
            (170, 26, "10.00"),
            (120, 32, "VAT 5%"),
            (170, 32, "2.50"),
            (120, 38, "Total"),
            (170, 38, "112.50"),
        ],
    )
    assert [c.value for c in found["tax_total"] if c.method == "computed"] == ["12.50"]
    sums = [c for c in table["tax_total"][0] if c.method == "computed"]
    assert len(sums) == 1 and _taxes(table, "tax_total", "12.50")["vat_lines"] == 2
    scored = {name: [Candidate(c.field, c.value, c.words, 0.5, c.method) for c in table[name][0]] for name in table}
    picked, added_up = pick_totals(scored, least=0.05)
    assert added_up and picked["tax_total"] is not None and picked["tax_total"].value == "12.50"
    assert sum(c.method == "computed" for c in scored["tax_total"]) == 1  # pick_totals sums them no second time


def test_a_net_printed_without_cents_completes_the_totals(make_pdf):
    found, table = _table(
        make_pdf,
        [
            (120, 20, "SUBTOTAL"),
            (170, 20, "1440"),
            (120, 26, "DISCOUNT"),
            (170, 26, "4"),
            (120, 32, "SUBSTOTAL"),
            (120, 36, "LESS DISCOUNT"),
            (170, 36, "1436"),
            (120, 42, "TOTAL TAX"),
            (170, 42, "100.52"),
            (120, 48, "BALANCE DUE"),
            (170, 48, "$1,536.52"),
        ],
    )
    whole = [c for c in found["net_total"] if c.method == "whole"]
    assert [c.value for c in whole] == ["1436.00"]
    assert _taxes(table, "net_total", "1436.00", "whole")["no_cents"] == 1
    scored = {
        name: [
            Candidate(c.field, c.value, c.words, 0.01 if c.method == "whole" else 0.6, c.method) for c in table[name][0]
        ]
        for name in table
    }
    picked, added_up = pick_totals(scored, least=0.05)
    assert added_up and picked["net_total"].value == "1436.00"  # arithmetic vouches for it, however unsure the ranker


def test_training_documents_show_other_taxes_taxes_named_by_kind_and_totals_without_a_net(tmp_path):
    rng = random.Random(9)
    specs = [varied.make_spec(rng, varied.TRAINING) for _ in range(400)]
    levied = [s for s in specs if s.extras.get("levy")]
    named = [s for s in specs if s.words["tax"] in varied_charges.KIND_ONLY]
    bare = [s for s in specs if s.extras.get("no_net")]
    assert levied and named and bare
    for spec in levied:  # the levy is in the grand total, not in the tax total
        want = varied.truth(spec)
        assert Decimal(want["grand_total"]) == spec.net + spec.tax + spec.extras["levy"][1]
        assert Decimal(want["tax_total"]) == spec.tax
    assert all(varied.truth(s)["net_total"] is None for s in bare)
    held = [varied.make_spec(rng, varied.HELD_OUT) for _ in range(40)]
    assert not any(s.extras.get("levy") or s.extras.get("no_net") for s in held)
    path = tmp_path / "levy.pdf"
    varied.render(levied[0]).output(str(path))
    text = " ".join(w.text for w in read_words(path).words())
    assert levied[0].extras["levy"][0].split()[0] in text


# A page whose totals print the tax as a rate only, in a currency none of the common codes name.
RATE_ONLY = """\
                                         Drini Studio Sh.p.k.
                                         Rruga e Durresit 12, Tirane 1001
  Invoice issued for:
  Hotel Riviera SRL                                   Invoice #: 19
  22 Harbour Road, Bristol BS1 4ST                    Invoice Date: 02/02/2021
  #   Title     Description        Price   Quantity   Total
  1   Item 1    Service line 1     100     2          200
  2   Item 2    Service line 2     101     2          202
                                   Total:        484.80    ALL
                                     VAT:            20      %
                                SubTotal:        404.00    ALL
"""


def test_a_rate_beside_a_tax_label_is_no_tax_and_any_current_iso_code_beside_an_amount_is_a_currency():
    from backoffice.documents.invoice import read_invoice
    from backoffice.documents.normalise import parse_amount, tender_codes
    from backoffice.documents.textgrid import text_to_words

    fields = read_invoice(text_to_words(RATE_ONLY, "rate.txt")).fields
    assert "tax_total" not in fields
    assert (fields["net_total"].value, fields["grand_total"].value) == ("404.00", "484.80")
    assert fields["currency"].value == "ALL"
    assert {"ALL", "ARS", "COP", "EUR"} <= tender_codes() and "ATS" not in tender_codes()  # the schilling is gone
    assert not {"CUP", "PEN", "TOP"} & tender_codes()  # "COFFEE CUP 2.50": words before they are currencies
    assert parse_amount("727.20 ALL") == Decimal("727.20") and parse_amount("12.00 XYZ") is None


def test_a_local_currency_sign_after_the_amounts_outvotes_a_code_in_an_item_name():
    """Czech crowns written "Kč" after every total, and "EUR" only in "Paleta EUR" (a pallet)."""
    from backoffice.documents.textgrid import text_to_words

    page = "\n".join(
        [
            "Stavebniny Horák s.r.o.        Faktura č. 2024001234",
            "DIČ: CZ42820936",
            "Paleta EUR vratná   6 ks   420,00   2 520,00",
            "Celkem bez DPH                 56 636,00 Kč",
            "DPH celkem                     11 285,16 Kč",
            "Celkem k úhradě                67 921,16 Kč",
        ]
    )
    reader = Reader(text_to_words(page, "cz.txt"))
    # two votes a sign at an amount, one a code inside an item's name
    assert (reader.currency_votes["CZK"], reader.currency_votes["EUR"]) == (6, 1)
    swedish = Reader(text_to_words("Org.nr 556036-0793  Moms SE556036079301\nAtt betala   1 250,00 kr", "se.txt"))
    assert swedish.currency_votes == {"SEK": 2}


def test_the_tax_total_that_completes_the_sum_is_found_behind_the_rate_table_lines():
    """A page with a table of rates (Finnish "Erittely": base, tax and gross per rate) proposes
    many tax amounts the ranker likes more than the total's; the one that adds up is still tried."""
    from backoffice.documents.words import Word

    def candidate(field, value, score, top):
        return Candidate(field, value, [Word(value, 400.0, top, 440.0, top + 9, 1, 9.0)], score, "label")

    scored = {
        "net_total": [_candidate("net_total", "570.00", 0.7, 500)],
        "tax_total": [
            _candidate("tax_total", value, score, top)
            for value, score, top in [
                ("95.10", 0.45, 510),
                ("596.00", 0.45, 511),
                ("474.90", 0.28, 512),
                ("121.10", 0.27, 513),
                ("13.31", 0.26, 514),
                ("134.41", 0.24, 515),
            ]
        ],
        "grand_total": [_candidate("grand_total", "704.41", 0.9, 530)],
    }
    picked, added_up = pick_totals(scored, least=0.05)
    assert added_up and picked["tax_total"].value == "134.41"


def test_a_labelled_amount_due_vouches_for_the_grand_total_it_equals():
    """Subtotal 3,837.50, a discount, "Totaal excl. btw" 3,645.62, reverse charge 0.00 and "Te
    betalen" 3,645.62, no grand total label: the sum the amount due agrees with wins, though the
    ranker liked the subtotal as a grand total a hair more."""
    from backoffice.documents.words import Word

    def candidate(field, value, score, top, method="label", x0=400.0):
        return Candidate(field, value, [Word(value, x0, top, 440.0, top + 9, 1, 9.0)], score, method)

    due = candidate("amount_due", "3645.62", 0.933, 560)
    scored = {
        "net_total": [candidate("net_total", "3837.50", 0.944, 476), candidate("net_total", "3645.62", 1.0, 514)],
        "tax_total": [candidate("tax_total", "0.00", 0.799, 537, "shape")],
        "grand_total": [
            candidate("grand_total", "3837.50", 0.997, 476, "shape", x0=390.0),  # read with its "€"
            Candidate("grand_total", due.value, due.words, due.score, "computed"),
        ],
        "amount_due": [due],
    }
    picked, added_up = pick_totals(scored, least=0.05)
    assert added_up and (picked["net_total"].value, picked["grand_total"].value) == ("3645.62", "3645.62")


def _line(field: str, value: str, top: float) -> Candidate:
    from backoffice.documents.words import Word

    return Candidate(field, value, [Word(value, 400.0, top, 440.0, top + 9, 1, 9.0)], 0.6, "label")


def test_tax_lines_one_of_which_sums_the_others_are_not_summed_again():
    """ "Summe USt. -88,74" over "19 % ... -74,48" and "7 % ... -14,26": the total is printed."""
    from backoffice.documents.candidates import tax_sum

    printed = [_line("tax_total", "-88.74", 500), _line("tax_total", "-74.48", 530), _line("tax_total", "-14.26", 545)]
    assert tax_sum(printed) is None
    # CGST and SGST at the same rate: two equal lines, and their sum the tax total
    assert tax_sum([_line("tax_total", "320.25", 500), _line("tax_total", "320.25", 515)]).value == "640.50"


def test_a_tax_inclusive_total_prints_its_tax_and_no_net(make_pdf):
    texts = [
        (20, 20, "TAX INVOICE"),
        (20, 30, "Invoice # BLE-10482"),
        (20, 50, "Labour - licensed electrician (hrs)"),
        (150, 50, "$423.50"),
        (20, 58, "LED downlight 10W, supplied & fitted"),
        (150, 58, "$708.20"),
        (100, 75, "Total (inc. GST)"),
        (150, 75, "$1,131.70"),
        (100, 83, "Total includes GST of $102.88"),
    ]
    found, _ = _table(make_pdf, texts)
    assert "102.88" in {c.value for c in found["tax_total"] if c.method == "label"}
    assert "1131.70" in {c.value for c in found["grand_total"] if c.method == "label"}
    for label in ("GST included in total", "Includes GST of", "VAT included @ 20%", "GST 9% included"):
        assert ("tax_total", True) in (match(label) or ()), label
    for label in ("Subtotal (ex GST)", "Total ex VAT"):
        assert ("net_total", True) in (match(label) or ()), label
    assert ("grand_total", True) in (match("Total inc GST") or ())


def test_the_net_of_a_tax_inclusive_total_is_not_the_total_itself():
    scored = {
        "net_total": [_candidate("net_total", "1131.70", 0.2, 400)],  # the total, the only amount of its size
        "tax_total": [_candidate("tax_total", "102.88", 0.77, 410)],  # "Total includes GST of $102.88"
        "grand_total": [_candidate("grand_total", "1131.70", 0.99, 400)],
    }
    picked, added_up = pick_totals(scored, least=0.05)
    assert not added_up and set(picked) == {"tax_total", "grand_total"}
    scored["tax_total"] = [_candidate("tax_total", "0.00", 0.77, 410)]  # nil tax: net and total are one amount
    picked, added_up = pick_totals(scored, least=0.05)
    assert picked["net_total"].value == "1131.70"


def test_the_sum_row_under_an_item_tables_net_and_tax_columns_gives_its_totals():
    items = "".join(
        f"{n:<4}Articol {n:<36}buc    {n:>3}   10,00     19%       {n * 10:>6},00      {n * 19 / 10:>6.2f}\n".replace(
            ".", ","
        )
        for n in range(1, 13)
    )
    page = (
        "FACTURĂ\nSeria BVX Nr. 0412\nData emiterii: 12.05.2025\n\n"
        "Nr. Denumirea produselor                      U.M.   Cant.   Preț    Cota    Valoare fără TVA   Valoare TVA\n"
        f"{items}"
        "                                                                 Total        780,00      148,20\n"
        "                                               Total factură (inclusiv TVA)            928,20\n"
        "                                               Avans încasat                          -300,00\n"
        "                                               TOTAL DE PLATĂ                          628,20 RON\n"
    )
    assert _totals(page, "ro.txt") == {
        "net_total": "780.00",
        "tax_total": "148.20",
        "grand_total": "928.20",
        "amount_due": "628.20",
    }


def test_the_tax_lines_beside_the_totals_add_up_without_the_rate_tables_copy():
    page = (
        "FACTUUR 2024-0311\nFactuurdatum: 03/04/2024\n\n"
        "Btw-overzicht                                    Totaal excl. btw          € 8.435,00\n"
        "Btw-tarief   Maatstaf     Btw                    Btw 6 %                   € 354,00\n"
        "6%           5.900,00     354,00\n"
        "                                                 Btw 21 %                  € 532,35\n"
        "21 %         2.535,00     532,35\n"
        "                                                 Totaal incl. btw          € 9.321,35\n"
    )
    assert _totals(page, "be.txt", ("net_total", "tax_total", "grand_total")) == {
        "net_total": "8435.00",
        "tax_total": "886.35",
        "grand_total": "9321.35",
    }


def test_a_labelled_tax_outweighs_a_balance_brought_forward_that_happens_to_add_up():
    page = (
        "Tax invoice                 Kowhai Connect Limited · GST No. 113-456-787\n"
        "Invoice number 80417725     Bill date 12 March 2025\n\n"
        "Previous balance                              $214.85\n"
        "Payment received 18 Feb – thank you          -$200.00\n"
        "Balance brought forward (overdue)              $14.85\n"
        "This month's charges (incl. GST)              $236.35\n"
        "Total amount due                              $251.20\n\n"
        "Business Fibre 300/100              1      $129.00\n"
        "Business Mobile Plus plan           2       $76.52\n"
        "Total excl. GST                            $205.52\n"
        "GST 15%                                     $30.83\n"
        "Total this month's charges incl. GST      $236.35\n\n"
        "Payment slip       Amount due $251.20\n"
    )
    assert _totals(page, "nz.txt") == {
        "net_total": "205.52",
        "tax_total": "30.83",
        "grand_total": "236.35",
        "amount_due": "251.20",
    }


def test_pick_totals_prefers_the_labelled_tax_to_an_unlabelled_amount_that_adds_up_with_the_amount_due():
    scored = {
        "net_total": [
            _candidate("net_total", "236.35", 0.58, 451, "shape"),
            _candidate("net_total", "205.52", 0.2, 417),
        ],
        "tax_total": [
            _candidate("tax_total", "30.83", 0.97, 434),
            _candidate("tax_total", "14.85", 0.07, 475, "shape"),
        ],
        "grand_total": [
            _candidate("grand_total", "251.20", 0.93, 554, "shape"),  # the amount due, after a balance brought forward
            _candidate("grand_total", "236.35", 0.76, 460),
        ],
        "amount_due": [_candidate("amount_due", "251.20", 0.99, 554)],
    }
    picked, added_up = pick_totals(scored, least=0.05)
    assert added_up and [picked[n].value for n in ("net_total", "tax_total", "grand_total")] == [
        "205.52",
        "30.83",
        "236.35",
    ]


def test_bilingual_swiss_tax_lines_taken_on_their_base_give_the_tax():
    page = (
        "RECHNUNG / FACTURE 2025-0311\nDatum / Date: 14.03.2025\n\n"
        "                        Total exkl. MWST / Total hors TVA                  CHF 21'104.00\n"
        "                        MWST / TVA 8.1% auf / sur 6'904.00                 CHF 559.22\n"
        "                        MWST / TVA 2.6% auf / sur 14'200.00                CHF 369.20\n"
        "                        Total inkl. MWST / Total TTC                       CHF 22'032.42\n"
    )
    assert _totals(page, "ch.txt", ("net_total", "tax_total", "grand_total")) == {
        "net_total": "21104.00",
        "tax_total": "928.42",
        "grand_total": "22032.42",
    }
    for label in ("IVA 22% su 1.000,00", "BTW 21% op 100,00", "MWST / TVA"):
        assert ("tax_total", True) in (match(label) or ()), label
