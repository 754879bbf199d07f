"""The blocks of a varied invoice (:mod:`backoffice.demo.varied`): letterhead, invoice details and
parties, the item table (over several pages when long), the totals and the footer.

Each block draws on the page in one of several arrangements chosen in the document's spec and
returns the y (mm) below what it drew.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backoffice.demo import varied_traits
from backoffice.demo.varied_words import MONTHS

from datetime import timedelta

if TYPE_CHECKING:
    from datetime import date
    from decimal import Decimal

    from backoffice.demo.varied import Spec, _Page

_TABLE_TOP = 20


def _label(spec: Spec, role: str) -> str:
    return spec.words[role] + spec.colon


def letterhead(pdf: _Page, spec: Spec) -> float:
    size = spec.extras["seller_size"]
    x, align = (110, "R") if spec.extras["seller_right"] else (20, "L")
    brand = spec.extras["brand"]  # a marketplace or portal heads the page; the seller is labelled below
    pdf.put(x, 14, brand or spec.extras.get("logo") or spec.seller[0], size, "B", 82 if align == "R" else 0, align)
    y = 14 + size * 0.45 + 2
    tagline = spec.extras.get("tagline")
    if tagline and not brand:  # a slogan under the name, in the letterhead's size or a little smaller
        pdf.put(x, y, tagline, _tagline_size(spec, size), "", 82 if align == "R" else 0, align)
        y += 6
    for line in [] if brand or not spec.extras.get("letterhead_address", True) else spec.seller[1:]:
        pdf.put(x, y, line, 8, "", 82 if align == "R" else 0, align)
        y += 4
    title = spec.words["credit"] if spec.credit else spec.words["title"]
    if spec.meta == "sentence":  # "Rechnung Nr. RK21012345 vom 16.09.2018", nothing else names them
        sentence = spec.words["sentence"].format(title=title, number=spec.number, date=day(spec, spec.issued))
        pdf.put(20, y + 6, sentence, 12, "B")
        return y + 14
    tx, talign = (20, "L") if spec.extras["seller_right"] else (120, "R")
    pdf.put(
        tx, 14 if talign == "R" else y + 4, title, spec.extras["title_size"], "B", 72 if talign == "R" else 0, talign
    )
    return y + (6 if talign == "R" else 6 + spec.extras["title_size"] * 0.45)


def _details(spec: Spec) -> list[tuple[str, str]]:
    rows = [] if spec.meta == "sentence" else [(_label(spec, "date"), day(spec, spec.issued))]
    if spec.meta != "sentence" and not spec.extras["no_number"]:
        rows.insert(0, (_label(spec, "number"), spec.number))
    if spec.due and not spec.extras.get("due_sentence"):
        rows.append((_label(spec, "due"), day(spec, spec.due)))
    if spec.extras.get("due_in_details"):  # "Total Due  $93.50" among the details at the top
        rows.append((_label(spec, "due_amount"), money(spec, spec.amount_due)))
    if spec.extras["customer_no"]:
        rows.append((_label(spec, "customer_no"), spec.customer_no))
    if spec.order:
        rows.extend(spec.extras.get("order_rows") or [(_label(spec, "order"), spec.order)])  # varied_totals
    if spec.delivery:
        rows.append((_label(spec, "delivery"), day(spec, spec.delivery)))
    return rows


def _block(pdf: _Page, x: float, y: float, head: str | None, lines: list[str], size: float) -> float:
    if head:
        pdf.put(x, y, head, 8, "B")
        y += 5
    for number, line in enumerate(lines):
        pdf.put(x, y, line, size if number == 0 else 8.5, "B" if number == 0 and size > 10 else "")
        y += 4.6 if number else size * 0.45 + 1.5
    return y


def details_and_parties(pdf: _Page, spec: Spec, y: float) -> float:
    rows = _details(spec)
    kv = spec.extras.get("kv_buyer")  # the buyer as "Label: value" rows heading the details
    if kv:
        name = spec.extras.get("buyer_name", spec.buyer[0])
        where = [line for line in spec.buyer if line != name and "@" not in line][-2:]
        rows[:0] = [(_label(spec, "buyer"), name), (kv + spec.colon, ", ".join(where))]
    buyer_size = spec.extras["buyer_size"]
    top = y + 4
    bottom = top
    if spec.extras.get("party_form"):  # each party a section of captioned cells
        bottom = varied_traits.draw_party_form(pdf, spec, top)
        top = bottom + 4
    elif spec.parties == "side-by-side":  # "Provider | Purchaser" blocks next to each other
        left, right = (spec.buyer, spec.seller) if spec.extras["swap_sides"] else (spec.seller, spec.buyer)
        heads = ("buyer", "seller") if spec.extras["swap_sides"] else ("seller", "buyer")
        bottom = max(
            _block(pdf, 20, top, spec.words[heads[0]], left, 10), _block(pdf, 110, top, spec.words[heads[1]], right, 10)
        )
        top = bottom + 4
    elif spec.parties == "labelled":  # "Seller: Name" and "Buyer: Name", each on its line
        for number, (role, party) in enumerate((("seller", spec.seller), ("buyer", spec.buyer))):
            pdf.put(20, top + number * 6, f"{spec.words[role]}:", 9, "B")
            pdf.put(50, top + number * 6, f"{party[0]}, {party[2]}" if spec.extras["swap_sides"] else party[0], 9)
        bottom = top + 12
    elif kv:
        pass
    elif spec.parties == "window":  # the sender line over the window (left or right), no heading
        wx = 118 if spec.extras.get("window_right") else 20
        if spec.extras.get("sender_line", True):
            pdf.put(wx, top + 2, f"{spec.seller[0]} · {spec.seller[1]} · {spec.seller[2]}", 6.5)
        bottom = _block(pdf, wx, top + 8, None, spec.buyer, buyer_size)
    else:
        bottom = _block(pdf, 20, top, _label(spec, "buyer"), spec.buyer, buyer_size)
    if spec.ship:  # under the parties (beside them it would run into the invoice details)
        bottom = _block(pdf, 20, bottom + 2, _label(spec, "ship"), spec.ship, 9)
    meta_top = top if spec.parties != "side-by-side" else bottom + 4
    if spec.meta in ("right-rows", "left-rows", "sentence"):
        x = 120 if spec.meta != "left-rows" or spec.parties != "bill-to" else 20
        if spec.extras.get("window_right"):  # the window on the right, the details on the left
            x = 20
        if spec.meta == "left-rows" and spec.parties == "bill-to":
            meta_top = bottom + 4
        for number, (label, value) in enumerate(rows):
            if kv:  # values set left, after the labels: an address runs long
                pdf.put(100, meta_top + number * 5, label, 8.5)
                pdf.put(133, meta_top + number * 5, value, 8.5)
                continue
            pdf.put(x, meta_top + number * 5, label, 8.5, "B" if number == 0 else "")
            pdf.put(x + 35, meta_top + number * 5, value, 8.5, "", 37, "R")
        end = meta_top + len(rows) * 5
    elif spec.meta == "row-above":  # labels in one row, values in the row below
        meta_top = max(bottom, meta_top) + 4
        width = 172 / len(rows)
        for number, (label, value) in enumerate(rows):
            pdf.put(20 + number * width, meta_top, label.rstrip(":"), 7.5, "B")
            pdf.put(20 + number * width, meta_top + 5, value, 9)
        end = meta_top + 10
    else:  # grid: boxes of label above value, two per row
        meta_top = max(bottom, meta_top) + 4
        for number, (label, value) in enumerate(rows):
            x, yy = 20 + (number % 2) * 86, meta_top + (number // 2) * 11
            pdf.rect(x, yy - 1, 84, 10)
            pdf.put(x + 2, yy, label.rstrip(":"), 6.5)
            pdf.put(x + 2, yy + 4.5, value, 9, "B")
        end = meta_top + ((len(rows) + 1) // 2) * 11
    return max(bottom, end) + 8


def items_table(pdf: _Page, spec: Spec, y: float) -> float:
    heads = spec.words["heads"].split("|")
    columns = [(20, 88, "L"), (110, 20, "R"), (132, 28, "R"), (162, 30, "R")]
    dated = spec.extras.get("item_dates")  # a date per line: "2016-04-03  Arc reactor"

    def header(y: float) -> float:
        for (x, w, align), head in zip(columns, heads, strict=False):
            pdf.put(x, y, head, 8.5, "B", w, align)
        pdf.line(20, y + 5, 192, y + 5)
        return y + 7

    y = header(y)
    for description, quantity, price in spec.items:
        if y > 262:
            pdf.add_page()
            y = header(_TABLE_TOP)
        qty = f"{quantity.normalize():f}"
        cells = [description, qty, money(spec, price * spec.sign), money(spec, spec.amount(quantity, price))]
        for (x, w, align), text in zip(columns, cells, strict=False):
            if dated and x == 20:
                pdf.put(x, y, _short_day(spec, spec.issued - timedelta(days=len(description) % 20 + 1)), 8.5, "", 26)
                x, w = 48, 60
            pdf.put(x, y, text, 8.5, "", w, align)
        y += 5.5
    pdf.line(20, y, 192, y)
    if y > 225:
        pdf.add_page()
        return _TABLE_TOP
    return y + 4


def _rate(value) -> str:
    return f"{value.normalize():f}"


def totals(pdf: _Page, spec: Spec, y: float) -> float:
    y = _total_rows(pdf, spec, y)
    sentence = spec.extras.get("terms") or spec.extras.get("due_sentence")
    if sentence and y < 262:  # the due date in a sentence, or terms that print none
        pdf.put(20, y + 2, sentence.format(date=day(spec, spec.due)) if spec.due else sentence, 8.5)
        y += 8
    return y


def _total_rows(pdf: _Page, spec: Spec, y: float) -> float:
    rows = [] if spec.extras.get("no_net") else [(spec.words["net"], spec.net)]
    for rate, _, tax in spec.tax_by_rate():
        rows.append((f"{spec.words['tax']} {_rate(rate)}%" if "%" not in spec.words["tax"] else spec.words["tax"], tax))
    if spec.extras.get("levy"):  # a tax of another kind, after the VAT
        rows.append(spec.extras["levy"])
    rows.append((spec.words["total"], spec.total))
    if spec.previous:
        rows.append((spec.words["previous"], spec.previous))
    if spec.paid:
        rows.append((spec.words["paid"], -spec.paid))
    if spec.extras["due_amount"]:
        rows.append((spec.words["due_amount"], spec.amount_due))
    if spec.show == "plain":
        pdf.put(
            20,
            y,
            f"{'Currency' if spec.lang == 'en' else 'Valuta' if spec.lang in ('nl', 'it') else 'Currency'}"
            f"{spec.colon or ':'} {spec.currency}",
            8,
        )
    if spec.totals == "table-row":  # "SUB TOTAL  I.V.A.  TOTAL" over a row of amounts
        width = 172 / len(rows)
        for number, (label, value) in enumerate(rows):
            pdf.put(20 + number * width, y + 6, label, 8, "B", width - 2, "R")
            pdf.put(20 + number * width, y + 11, money(spec, value), 9, "", width - 2, "R")
        return y + 20
    if spec.totals == "sentence":  # "Total: 571.04 €, due by 3 May 2024" style lines
        for number, (label, value) in enumerate(rows):
            pdf.put(
                20,
                y + 6 + number * 5,
                f"{label}{spec.colon or ':'} {money(spec, value)}",
                9,
                "B" if number == len(rows) - 1 else "",
            )
        return y + 10 + len(rows) * 5
    for number, (label, value) in enumerate(rows):
        bold = "B" if label in (spec.words["total"], spec.words["due_amount"]) else ""
        pdf.put(118, y + 6 + number * 5.5, label + spec.colon, 9, bold, 40)
        pdf.put(160, y + 6 + number * 5.5, money(spec, value), 9, bold, 32, "R")
    return y + 10 + len(rows) * 5.5


STUB_NOTES = [
    "Please return this part with your payment",
    "Bitte abtrennen und mit der Zahlung zurücksenden",
    "Coupon à joindre à votre règlement",
    "Remittance slip",
    "Talón de pago",
]


def stub(pdf: _Page, spec: Spec, y: float) -> float:
    """A payment slip near the foot of the page (utility bills, US invoices): the buyer's name and
    address again, the account number and the amount to pay. Only where the page has room."""
    if y > 215:
        return y
    top = max(y + 6, 226)
    pdf.line(20, top, 192, top)
    pdf.put(20, top + 2, STUB_NOTES[len(spec.number) % len(STUB_NOTES)], 7)
    payee = spec.extras.get("stub_payee")  # made out to the seller, the buyer named beside
    lines = [line for line in spec.buyer if "@" not in line][:4]
    if payee:
        lines = [f"{payee} {spec.seller[0]}", *spec.seller[1:3]]
    for number, line in enumerate(lines):
        pdf.put(20, top + 8 + number * 4.5, line, 8.5)
    right = [f"{_label(spec, 'customer_no')} {spec.customer_no}"]
    if payee:
        right.insert(0, f"{_label(spec, 'buyer')} {spec.extras.get('buyer_name', spec.buyer[0])}")
    if spec.extras["due_amount"]:
        right.append(f"{_label(spec, 'due_amount')} {money(spec, spec.amount_due)}")
    for number, text in enumerate(right):
        pdf.put(120, top + 8 + number * 5, text, 8)
    return top + 10 + len(lines) * 4.5


def _tagline_size(spec: Spec, size: float) -> float:
    """A slogan's size: between the body text's and the name's, fixed by the document."""
    return max(8.0, size * (0.5 + 0.1 * (len(spec.number) % 4)))


def footer_lines(pdf: _Page, spec: Spec) -> None:
    grouped = " ".join(spec.iban[i : i + 4] for i in range(0, len(spec.iban), 4)) if spec.iban else ""
    if spec.extras.get("footer_name", True):
        pdf.put(20, 272, spec.seller[0], 7)
    if spec.extras.get("no_seller_address"):
        pass
    elif spec.extras.get("footer_name", True) or not spec.extras.get("letterhead_address", True):
        pdf.put(20, 276, f"{spec.seller[1]}, {spec.seller[2]}", 7)
    pdf.put(90, 272, f"{spec.words['vat']}{spec.colon or ':'} {spec.vat_id}", 7)
    if spec.extras.get("web"):  # the seller's web domain or mail address
        pdf.put(150, 272, spec.extras["web"], 7)
    if spec.iban:  # labelled, or in a sentence
        pdf.put(
            90,
            276,
            f"IBAN: {grouped}"
            if spec.extras["customer_no"]
            else f"Bank: {spec.seller[0].split()[0]} Bank IBAN {grouped}",
            7,
        )


# ---------------------------------------------------------------- printed forms


def money(spec: Spec, value: Decimal) -> str:
    text = f"{abs(value):,.2f}"
    if spec.money == "de":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    elif spec.money == "fr":
        text = text.replace(",", " ").replace(".", ",")
    elif spec.money == "ch":
        text = text.replace(",", "'")
    sign = "-" if value < 0 else ""
    if spec.show == "code-after":
        return f"{sign}{text} {spec.currency}"
    if spec.show == "code-before":
        return f"{spec.currency} {sign}{text}"
    if spec.show == "symbol" and spec.symbol:
        return f"{sign}{spec.symbol}{text}" if spec.symbol in "$£" else f"{sign}{text} {spec.symbol}"
    return sign + text


def _short_day(spec: Spec, when: date) -> str:
    """A date as an item row prints it: the document's habit, months by their first three letters."""
    if spec.dates in ("month d, y", "d month y", "d. month y"):
        names = MONTHS.get(spec.lang, MONTHS["en"])
        return f"{when.day} {names[when.month - 1][:3]} {when.year}"
    return day(spec, when)


def day(spec: Spec, when: date) -> str:
    d, m, y = when.day, when.month, when.year
    names = MONTHS.get(spec.lang, MONTHS["en"])
    return {
        "d.m.y": f"{d:02d}.{m:02d}.{y}",
        "d/m/y": f"{d:02d}/{m:02d}/{y}",
        "d-m-y": f"{d:02d}-{m:02d}-{y}",
        "m/d/y": f"{m:02d}/{d:02d}/{y}",
        "iso": when.isoformat(),
        "month d, y": f"{names[m - 1]} {d}, {y}",
        "d mon y": f"{d} {names[m - 1][:3]} {y}",
        "d month y": f"{d} {names[m - 1]} {y}",
        "d. month y": f"{d}. {names[m - 1]} {y}",
    }[spec.dates]
