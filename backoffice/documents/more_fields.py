"""The further fields a back office posts, read from the same lines as the invoice reader's.

Besides the key fields, an accounts-payable clerk keys in the buyer's VAT id, the payment terms,
the bank details (BIC, an account number that is no IBAN), the seller's, buyer's and delivery
addresses, the service period, a discount, a balance carried over, the tax per rate (rate, base,
amount), per line item its product code, date, unit and tax rate, and whether the document is a
credit note. :func:`add_more_fields` reads them by label (:data:`labels.MORE`, 13 languages) and
by shape, validates identifiers with python-stdnum, and gives each the same provenance (page,
box, printed text, method, confidence) as the other fields.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from backoffice.documents import labels
from backoffice.documents.layout import Line, Phrase, union
from backoffice.documents.models import Document, Field
from backoffice.documents.normalise import (
    find_date,
    find_iban,
    find_vat_ids,
    format_amount,
    format_quantity,
    parse_amount,
)
from backoffice.documents.pdf import Word

_MORE = labels.compile_pattern("|".join(f"(?P<{name}>{pattern})" for name, pattern in labels.MORE.items()))
_RATE = re.compile(r"^(\d{1,2}(?:[.,]\d{1,3})?)\s?%$")
_ACCOUNT = re.compile(r"^\d[\d \-/]{3,30}\d$")
_TERMS = re.compile(
    r"\b(?:net\s?\d{1,3}|\d{1,3}\s+(?:days|tage[n]?|jours|dagen|días|giorni|dias|dni|dnů|dní|dagar|dage|dager|päivää)"
    r"|due (?:on|upon) receipt|payable (?:on|upon) receipt|sofort (?:zahlbar|fällig)|à réception)\b",
    re.IGNORECASE,
)
_PAY = re.compile(
    r"(?i)\b(?:pay|payment|payable|paid|due|net|netto|immediate(?:ly)?|receipt|cash|prepa(?:id|yment)|advance|transfer"
    r"|zahlbar|zahlung|sofort|vorkasse|überweisung|lastschrift|skonto|paiement|payer|règlement|réception|virement"
    r"|comptant|betaling|betalen|contant|pago|pagar|contado|transferencia|pagamento|bonifico|vista|płatn\w*|przelew\w*"
    r"|gotówk\w*|splatn\w*|převod\w*|hotově|betala|betalas|betale|kontant|maksu\w*|käteinen|dias|días|giorni|dni|dnů"
    r"|dní|dagar|dage|dager|päivää|days|tage[n]?|jours|dagen)\b"
)
_DATE_OR_MONEY = re.compile(r"\d[.,]\d{2}(?!\d)|\d{1,4}[./-]\d{1,2}[./-]\d{2,4}")
_CONTACT = re.compile(
    r"(?i)@|www\.|https?:|\b(?:tel|phone|telephone|telefon|téléphone|fax|mobile|tty|att|attn|e-?mail"
    r"|ph\.? ?no|gstin|uin|cin)\b|^(?:qty|quantity|unit price|price|description|amount|items?|total"
    r"|rate|hours|menge|beschreibung|betrag|preis)\b"
)
_CODE = re.compile(r"^(?=.*\d)[A-Z0-9][A-Z0-9\-./_]{2,24}$", re.IGNORECASE)
# Units of measure a line item's row may print, as written in the languages read here.
UNITS = frozenset(
    {
        "pcs",
        "pc",
        "pce",
        "pces",
        "piece",
        "pieces",
        "ea",
        "each",
        "unit",
        "units",
        "h",
        "hr",
        "hrs",
        "hour",
        "hours",
        "day",
        "days",
        "d",
        "month",
        "months",
        "mo",
        "kg",
        "g",
        "t",
        "m",
        "m2",
        "m²",
        "m3",
        "m³",
        "km",
        "l",
        "ml",
        "lm",
        "set",
        "sets",
        "box",
        "boxes",
        "pack",
        "pkt",
        "st",
        "st.",
        "stk",
        "stk.",
        "stück",
        "stck",
        "std",
        "std.",
        "pauschal",
        "psch",
        "pièce",
        "pièces",
        "u",
        "ud",
        "uds",
        "unidad",
        "unidades",
        "pz",
        "pz.",
        "pezzi",
        "szt",
        "szt.",
        "ks",
        "ks.",
        "kpl",
        "tk",
        "tim",
        "tunti",
        "kpl.",
        "litre",
        "liter",
        "lb",
        "lbs",
        "ft",
        "sqm",
        "sq.m",
    }
)
MONEY_FIELDS = ("net_total", "tax_total", "grand_total", "amount_due", "discount_total", "previous_balance")


def add_more_fields(document: Document, lines: list[Line], decimal_mark: str | None, day_first: bool) -> None:
    """Add what the lines say of the further fields to ``document`` (fields already set stay)."""
    found: dict[str, Field] = {}
    for position, line in enumerate(lines):
        for index, phrase in enumerate(line.phrases):
            label = _label(phrase)
            if label is None or label[0] in found or label[0] in document.fields:
                continue
            name, size = label
            value = _labelled(name, lines, position, index, size, decimal_mark, day_first)
            if value is not None:
                found[name] = value
    period = found.pop("service_period", None) or _period_by_shape(lines, day_first)
    if period is not None and "service_start" not in document.fields:
        start, end = period.value.split("/")
        found["service_start"] = _with(period, start)
        found["service_end"] = _with(period, end)
    for name, value in found.items():
        document.fields.setdefault(name, value)
    _buyer_vat_id(document, lines)
    _bic_beside_iban(document, lines)
    _payment_terms_by_shape(document, lines)
    for party, name in (("seller_name", "seller_address"), ("buyer_name", "buyer_address")):
        address = _address_below(document.fields.get(party), lines)
        if address is not None and name not in document.fields:
            document.fields[name] = address
    _tax_bases(document, lines, decimal_mark)
    _line_extras(document, lines, day_first)
    _document_type(document, lines)


def _bic_valid(token: str) -> bool:
    from stdnum import bic  # deferred: python-stdnum's imports take ~20 ms at start-up

    return bool(bic.is_valid(token))


def _vat_valid(vat: str) -> bool:
    from stdnum.eu import vat as eu_vat

    return bool(eu_vat.is_valid(vat))


# ---------------------------------------------------------------- by label


def _label(phrase: Phrase) -> tuple[str, int] | None:
    """The further field the first 1-5 words of ``phrase`` name, and how many words that takes."""
    words = [w.text for w in phrase.words[:5]]
    for size in range(len(words), 0, -1):
        name = _field_named(" ".join(words[:size]))
        if name:
            return name, size
    return None


@lru_cache(maxsize=16384)
def _field_named(text: str) -> str | None:
    match = _MORE.fullmatch(labels.clean(text))
    return match.lastgroup if match else None


def _labelled(
    name: str, lines: list[Line], position: int, index: int, size: int, decimal_mark: str | None, day_first: bool
) -> Field | None:
    line = lines[position]
    phrase = line.phrases[index]
    rest = [w for w in phrase.words[size:] if w.text not in (":", "-", "#")]
    options: list[tuple[list[Word], float]] = []
    if rest:
        options.append((rest, 0.85))
    if index + 1 < len(line.phrases):  # "Balance forward & past due    $0.00": the next column
        following = line.phrases[index + 1]
        if name in MONEY_FIELDS and len(line.phrases) > index + 2 and following.text.isdigit():
            options.append((line.phrases[-1].words, 0.8))  # "Discount  1  -10 EUR": the amount, not the count
        options.append((following.words, 0.8))
    block = name == "shipping_address"
    below = _below(lines, position, phrase, block)
    if below:
        options.append((below, 0.7))
    for words, confidence in options:
        text = " ".join(w.text for w in words)
        value = _parse(name, text, decimal_mark, day_first)
        if value:
            return Field(value, confidence, words[0].page, union(words), text, "label")
    return None


def _below(lines: list[Line], position: int, label: Phrase, block: bool) -> list[Word]:
    """The words under a label, in its column: one line, or a block of up to five (an address)."""
    line = lines[position]
    taken: list[Word] = []
    bottom, height = line.bottom, max(line.bottom - line.top, 6.0)
    for other in lines[position + 1 : position + 6]:
        if other.page != line.page or other.top - bottom > 1.3 * height:
            break
        phrase = next((p for p in other.phrases if p.x1 >= label.x0 - 2 and p.x0 <= label.x1 + 40), None)
        if phrase is None or taken and _starts_with_label(phrase) or block and not _address_part(phrase.text):
            break
        taken.extend(phrase.words)
        bottom = other.bottom
        if not block:
            break
    return taken


def _starts_with_label(phrase: Phrase) -> bool:
    return (
        any(
            labels.match(" ".join(w.text for w in phrase.words[:size])) is not None
            for size in range(1, min(4, len(phrase.words)) + 1)
        )
        or _label(phrase) is not None
    )


def _parse(name: str, text: str, decimal_mark: str | None, day_first: bool) -> str | None:
    text = text.strip(" :;,")
    if name == "buyer_vat_id":
        found = find_vat_ids(text)
        return found[0][0] if found else None
    if name == "bic":
        token = text.split()[0].upper() if text else ""
        return token if _bic_valid(token) else None
    if name == "bank_account":
        if find_iban(text) or not _ACCOUNT.match(text.split("  ")[0]):
            return None
        return text.split("  ")[0]
    if name == "payment_terms":
        return text if 2 <= len(text) <= 120 and _PAY.search(text) else None
    if name == "shipping_address":
        return text if _address_part(text) and any(ch.isdigit() for ch in text) and len(text) >= 8 else None
    if name == "service_period":
        first = find_date(text, day_first)
        second = find_date(text[first[1][1] :], day_first) if first else None
        if first and second and first[0] <= second[0]:
            return f"{first[0].isoformat()}/{second[0].isoformat()}"
        return None
    value = _amount(text, decimal_mark)
    if value is None:
        return None
    return format_amount(abs(value)) if name == "discount_total" else format_amount(value)


def _amount(text: str, decimal_mark: str | None) -> Decimal | None:
    words = text.split()
    for end in range(len(words), 0, -1):
        value = parse_amount(" ".join(words[:end]), decimal_mark)
        if value is not None:
            return value
    return None


def _with(field: Field, value: str) -> Field:
    return Field(value, field.confidence, field.page, field.bbox, field.text, field.method)


# ---------------------------------------------------------------- by shape and position


_YEARS = re.compile(r"(?<!\d)(?:\d{4}|\d{1,2}[./-]\d{1,2}[./-]\d{2})(?!\d)")
_BETWEEN = re.compile(r"(?i)^\s*(?:-|–|—|to|till|bis|au|à|al|a|tot|t/m|til|do|až|–)\s*$")


def _period_by_shape(lines: list[Line], day_first: bool) -> Field | None:
    """``01.04.2024 - 30.04.2024``, ``Dec 21, 2016 - Jan 23, 2017``: the first two dates printed as a
    range, when no label names the period."""
    for line in lines:
        if len(_YEARS.findall(line.text)) < 2:
            continue  # fewer than two dates on the line
        for phrase in line.phrases:
            first = find_date(phrase.text, day_first)
            if first is None:
                continue
            rest = phrase.text[first[1][1] :]
            second = find_date(rest, day_first)
            if second and _BETWEEN.match(rest[: second[1][0]]) and first[0] < second[0]:
                return Field(
                    f"{first[0].isoformat()}/{second[0].isoformat()}",
                    0.55,
                    phrase.words[0].page,
                    union(phrase.words),
                    phrase.text,
                    "pattern",
                )
    return None


def _buyer_vat_id(document: Document, lines: list[Line]) -> None:
    """A valid VAT id that is not the seller's: the buyer's, surer when it sits in the buyer's block."""
    if "buyer_vat_id" in document.fields:
        return
    seller = document.fields.get("seller_vat_id")
    buyer = document.fields.get("buyer_name")
    best: Field | None = None
    for line in lines:
        if not find_vat_ids(line.text):
            continue
        for phrase in line.phrases:
            for vat, span in find_vat_ids(phrase.text):
                if seller is not None and vat == seller.value or not _vat_valid(vat):
                    continue
                words = phrase.words_in(*span)
                near = (
                    buyer is not None
                    and buyer.bbox is not None
                    and buyer.page == words[0].page
                    and abs(words[0].x0 - buyer.bbox[0]) < 80
                    and 0 < words[0].top - buyer.bbox[1] < 120
                )
                field = Field(vat, 0.8 if near else 0.55, words[0].page, union(words), phrase.text, "pattern")
                if best is None or field.confidence > best.confidence:
                    best = field
    if best is not None and seller is not None:
        document.fields["buyer_vat_id"] = best


def _bic_beside_iban(document: Document, lines: list[Line]) -> None:
    """A BIC printed on the IBAN's line or the next, without a label of its own."""
    iban = document.fields.get("iban")
    if "bic" in document.fields or iban is None or iban.bbox is None:
        return
    for line in lines:
        if line.page != iban.page or not -2 <= line.top - iban.bbox[1] <= 30:
            continue
        for word in line.words:
            token = word.text.strip(",;:()").upper()
            if len(token) in (8, 11) and token.isalnum() and token[4:6] == iban.value[:2] and _bic_valid(token):
                document.fields["bic"] = Field(token, 0.7, word.page, union([word]), word.text, "pattern")
                return


def _payment_terms_by_shape(document: Document, lines: list[Line]) -> None:
    """``Net 30``, ``zahlbar innerhalb von 14 Tagen``: the sentence that states the terms."""
    if "payment_terms" in document.fields:
        return
    for line in lines:
        for phrase in line.phrases:
            if _TERMS.search(phrase.text) and _PAY.search(_TERMS.sub(" ", phrase.text)) and len(phrase.text) <= 120:
                document.fields["payment_terms"] = Field(
                    phrase.text, 0.55, phrase.words[0].page, union(phrase.words), phrase.text, "pattern"
                )
                return


def _address_below(name: Field | None, lines: list[Line]) -> Field | None:
    """The lines under a party's name in its column, up to the next label or a gap: its address."""
    if name is None or name.bbox is None:
        return None
    x0, top = name.bbox[0], name.bbox[1]
    start = next(
        (i for i, line in enumerate(lines) if line.page == name.page and line.top <= top + 1 <= line.bottom + 1), None
    )
    if start is None:
        return None
    taken: list[Word] = []
    parts: list[str] = []
    bottom, height = lines[start].bottom, max(lines[start].bottom - lines[start].top, 6.0)
    if start + 1 < len(lines):  # a name in large type over an address in body type: the body's gaps
        height = max(min(height, lines[start + 1].bottom - lines[start + 1].top), 6.0)
    for line in lines[start + 1 : start + 6]:
        if line.page != name.page or line.top - bottom > 1.8 * height:
            break
        phrase = next((p for p in line.phrases if abs(p.x0 - x0) < 12), None)
        if (
            phrase is None
            or _starts_with_label(phrase)
            or not _address_part(phrase.text)
            or phrase.text.startswith(":")
        ):
            break  # (": Cultivo de frutas": a form's next row, its caption set left of the column)
        if name.value.lower() in phrase.text.lower():
            break  # the party named again: a sender line ("Dubois Software ApS · Via Roma 45"), not its address
        taken.extend(phrase.words)
        parts.append(phrase.text.strip(" ,"))
        bottom = line.bottom
    joined = " ".join(parts)
    if not parts or not any(ch.isdigit() for ch in joined) or not re.search(r"(?<![\w-])[^\W\d_]{3,}(?![\w-])", joined):
        return None  # a postal address has a number (street, postcode) and a name (street, town)
    text = ", ".join(parts)
    return Field(text, 0.7, taken[0].page, union(taken), " ".join(w.text for w in taken), "pattern")


def _address_part(text: str) -> bool:
    """Whether a line can belong to a postal address: not a VAT id, contact details, a date or an
    amount, and holding a letter."""
    return (
        bool(re.search(r"[^\W\d_]", text))
        and not find_vat_ids(text)
        and not _CONTACT.search(text)
        and not _DATE_OR_MONEY.search(text)
        and not re.search(r"\+?\d[\d ()/-]{8,}\d$", text)
        and not re.match(r"[^\d:]{2,40}:\s*\S", text)
    )  # "Label: value" is another field


def _tax_bases(document: Document, lines: list[Line], decimal_mark: str | None) -> None:
    """Give each tax line its base: the amount on its line of which the tax is the rate; read tax
    lines from ``rate%  base  tax`` rows when the reader found none."""
    rows: list[tuple[Decimal, Decimal, Decimal, list[Word]]] = []
    for line in lines:
        if "%" not in line.text:
            continue
        rate = next((Decimal(m[1].replace(",", ".")) for w in line.words if (m := _RATE.match(w.text))), None)
        if rate is None:
            rate_words = re.search(r"(\d{1,2}(?:[.,]\d{1,3})?)\s?%", line.text)
            rate = Decimal(rate_words[1].replace(",", ".")) if rate_words else None
        if not rate:
            continue
        amounts = [
            (v, w)
            for w in line.words
            if "%" not in w.text and (v := parse_amount(w.text.strip(":;"), decimal_mark)) is not None
        ]
        for base, base_word in amounts:
            for tax, tax_word in amounts:
                if tax_word is not base_word and abs(base * rate / 100 - tax) <= Decimal("0.02") and base > tax:
                    rows.append((rate, base, tax, [base_word]))
    if document.tax_lines:
        for tax_line in document.tax_lines:
            if "base" in tax_line or "amount" not in tax_line:
                continue
            rate, amount = Decimal(tax_line["rate"].value or "0"), Decimal(tax_line["amount"].value)
            match = next((r for r in rows if r[0] == rate and r[2] == amount), None)
            if match is not None:
                tax_line["base"] = _money_field(match[1], match[3], 0.8)
        return
    total = document.fields.get("tax_total")
    unique = list({(r[0], r[1], r[2]): r for r in rows}.values())
    if total is None or not unique or sum((r[2] for r in unique), Decimal(0)) != Decimal(total.value):
        return
    for rate, base, tax, words in unique:
        document.tax_lines.append(
            {
                "rate": Field(format_quantity(rate), 0.7, words[0].page, union(words), f"{rate}%", "pattern"),
                "base": _money_field(base, words, 0.7),
                "amount": _money_field(tax, words, 0.7),
            }
        )


def _money_field(value: Decimal, words: list[Word], confidence: float) -> Field:
    return Field(
        format_amount(value), confidence, words[0].page, union(words), " ".join(w.text for w in words), "pattern"
    )


def _line_extras(document: Document, lines: list[Line], day_first: bool) -> None:
    """Per line item, what its row prints besides the columns the table reader names: a product
    code, a date, a unit and a tax rate."""
    for item in document.lines:
        amount = item.get("amount")
        if amount is None or amount.bbox is None:
            continue
        middle = (amount.bbox[1] + amount.bbox[3]) / 2
        row = next((line for line in lines if line.page == amount.page and line.top <= middle <= line.bottom), None)
        if row is None:
            continue
        taken = {id(w) for f in item.values() if f.bbox is not None for w in row.words if _inside(w, f.bbox)}
        description = item.get("description")
        for word in row.words:
            text = word.text.strip(",;()")
            if "tax_rate" not in item and (rate := _RATE.match(text)):
                item["tax_rate"] = _word_field(format_quantity(Decimal(rate[1].replace(",", "."))), word, 0.75)
            elif "unit" not in item and text.lower() in UNITS and id(word) not in taken:
                item["unit"] = _word_field(text, word, 0.7)
            elif "date" not in item and (date := find_date(text, day_first)) and date[1] == (0, len(text)):
                item["date"] = _word_field(date[0].isoformat(), word, 0.75)
            elif (
                "product_code" not in item
                and description is not None
                and description.bbox is not None
                and word.x0 <= description.bbox[0] + 1
                and _CODE.match(text)
                and parse_amount(text) is None
                and not find_date(text, day_first)
            ):
                item["product_code"] = _word_field(text, word, 0.65)  # left of the description, or its first word


def _inside(word: Word, box: tuple[float, float, float, float]) -> bool:
    return (
        word.x0 >= box[0] - 0.5 and word.x1 <= box[2] + 0.5 and word.top >= box[1] - 0.5 and word.bottom <= box[3] + 0.5
    )


def _word_field(value: str, word: Word, confidence: float) -> Field:
    return Field(value, confidence, word.page, union([word]), word.text, "pattern")


_CREDIT_WORDS = re.compile(
    r"(?i)credit|gutschrift|rechnungskorrektur|avoir|creditnota|nota de cr[ée]dito|nota di credito"
    r"|korekt|dobropis|opravný daňový doklad|kreditfaktura|kreditnota|hyvityslasku|refund"
)


# A self-billed invoice, which German calls a Gutschrift too: its amounts are owed, not credited.
_SELF_BILLING = re.compile(
    r"(?i)self[- ]?bill|gutschriftsverfahren|autofactura|auto-?facturation|autofattura|selbstfakturierung"
)


def _document_type(document: Document, lines: list[Line]) -> None:
    """A credit note says so in ``document_type`` (with the title words that say it; an invoice's
    kind is enough), and its totals, tax lines and line amounts are negative however the page
    prints them: "CREDIT NOTE ... Total 60.00" credits 60.00, as its e-invoice's negative
    ``DuePayableAmount`` or a ledger would say. A self-billed invoice (a German ``Gutschrift`` under
    the ``Gutschriftsverfahren``) keeps the signs it prints; so do the lines of a credit note that
    prints some of them negative (what it takes back beside a fee it charges)."""
    kind = document.kind
    if kind != "credit_note":
        return
    title = next(
        (
            p
            for line in lines[:40]
            if line.page == lines[0].page
            for p in line.phrases
            if _CREDIT_WORDS.search(p.text) and len(p.text) <= 80
        ),
        None,
    )
    if title is not None:
        document.fields["document_type"] = Field(
            kind, 0.85, title.words[0].page, union(title.words), title.text, "label"
        )
    if any(_SELF_BILLING.search(line.text) for line in lines):
        return
    for name in MONEY_FIELDS:
        if name in document.fields and name != "previous_balance":
            document.fields[name] = _negative(document.fields[name])
    groups = [document.tax_lines]
    if all(Decimal(line["amount"].value) >= 0 for line in document.lines if "amount" in line):
        groups.append(document.lines)
    for group in groups:
        for entry in group:
            for name in ("amount", "base"):
                if name in entry:
                    entry[name] = _negative(entry[name])


def _negative(field: Field) -> Field:
    value = Decimal(field.value)
    return _with(field, format_amount(-abs(value))) if value > 0 else field
