"""Read an invoice from a PDF's text layer without a template.

Every printed label (``Invoice No.``, ``Rechnungsdatum``, ``Total TTC``) proposes the value
right of it on its line or just below it; parsers keep only values of the right shape; the best
candidate per field wins, and ``net + tax = total`` settles the totals and their confidence.
Fields no label names are guessed from the letterhead, the sender line and the title.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from functools import cached_property
from itertools import pairwise

from backoffice.documents import address, labels, letterhead, names
from backoffice.documents.candidates import KINDS, TOTALS, Candidate, best, reconcile, total_warnings
from backoffice.documents.kind import is_title
from backoffice.documents.labels import Hit, hits_of, party_heading
from backoffice.documents.layout import Line, Phrase, lines_of
from backoffice.documents.line_items import read_lines
from backoffice.documents.locale import DocumentLocale, infer_locale, own_currency, settle_currency
from backoffice.documents.models import COMPUTED_CONFIDENCE, Document, Field
from backoffice.documents.more_fields import add_more_fields
from backoffice.documents.normalise import (
    CURRENCY_CODES,
    LOCAL_SIGNS,
    SIGNS,
    currency_named,
    currency_of,
    find_date,
    format_quantity,
    find_iban,
    find_vat_id,
    printed_id,
    format_amount,
    parse_amount,
    tender_codes,
    parse_date,
)
from backoffice.documents.pdf import PdfText, Word
from backoffice.documents.ranker import features, model, pick

log = logging.getLogger(__name__)

_ID = re.compile(r"[^\W_ºª](?:[^\Wºª]|[/.\-])*")  # letters of any script ("ΤΔΑ-04417", "П-118"), not "Nº"
_FILLER = {
    "#",
    ":",
    "-",
    "–",
    "no",
    "no.",
    "nr",
    "nr.",
    "n°",
    "nº",
    "number",
    "on",
    "du",
    "le",
    "vom",
    "am",
    "den",
    "of",
    "dated",
    "from",
    "van",
    "del",
    "de",
}
_DETAILS = frozenset({"invoice_number", "issue_date", "due_date", "order_reference"})
_CROWNS = frozenset({"SEK", "NOK", "DKK", "ISK"})
_HONORIFIC = re.compile(r"(.+?)[\s\u3000]*(?:御中|様|殿|貴中|귀하|귀중)")
_BARE_NUMBER = re.compile(r"(?i)(?:nummer|numer|číslo|čislo|number|numéro|número|numero)\s*:?")
# a currency's local sign set flush before its amount: "Rp1.500.000", "KSh12,400.00"
_SIGNED = re.compile(rf"[-(]?({'|'.join(re.escape(s) for s in sorted(LOCAL_SIGNS, key=len, reverse=True))})\.?\d")
_AMOUNT = re.compile(r"\d[.,]\d{2}$")
# the first cell of a table's sum row, in the languages read
_SUM_ROW = re.compile(
    r"(?i)(?:total|totals|sum|summe|gesamt|razem|celkem|součet|spolu|összesen|kokku|iš viso|kopā|ukupno|skupaj"
    r"|totaal|totale|totalt|i alt|yhteensä|σύνολο|общо)\b"
)
_SERIES = re.compile(r"(?i:seria|serija|série|serie|series|sērija)\s*:?\s*([A-Z]{1,6})\s+(?i:nr|no|n[°º])\.?:?")
_BANK_NAME = re.compile(r"(?i)\w*(?:bank|pank)\w*|\b(?:banco|banque|banca|sparkasse)\b")
_ACCOUNT_LINE = re.compile(r"(?i)(?:iban|swift|bic|konto|kontonr\.?|account|a/c|sort code|bankgiro)\b")
_PHONE = re.compile(r"(?:\+\d{1,3}|\(?0\d{1,4}\)?)(?: \d{2,5}){2,4}")  # "02 9552 4410", "+61 2 9552 4410"
_BANK_ACCOUNT = re.compile(
    r"1\d{7}-\d{8}(?:-\d{8})?"
)  # a Hungarian account (its bank code opens with 1): "Számlaszám" names both
_PREFIX = re.compile(r"[A-Z]{1,4}")  # a series printed apart from its number: "FV 1/2021"
_RATE = re.compile(r"(\d{1,2}(?:[.,]\d{1,3})?)\s?%")
_YEAR = re.compile(r"(?:19|20)\d\d")
_CONTACT = re.compile(r"\b(?:contact|attn\.?|attention|z\.\s?hd\.?|zu händen|c/o|à l'attention)\b", re.IGNORECASE)
_IBAN_START = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4})*(?: ?[A-Z0-9]{1,3})?$")  # an IBAN a line break cuts
_RFC = re.compile(r"[A-ZÑ&]{3,4}(?:\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))[A-Z\d]{3}(?!\w)")
# A tax number printed plainly: digits in groups, perhaps a country prefix or a check letter ("5319419588",
# "86 360 3726", "B46179768", "48213457Y").
_PLAIN_TAX_ID = re.compile(
    r"(?:[A-Z]{1,2} ?)?\d(?:[\d .\-/]{6,20})\d(?:[A-Z]|\s?(?:MVA|MWST|TVA|IVA))?(?![\w.,])"  # "825 797 637 MVA"
)
Value = tuple[str, list[Word]]
_TABLED = (*TOTALS, "amount_due")  # the fields a totals table names in its header
_RATE_HEAD = re.compile(r"^\D*%\W*$")
_BUYERS_VAT = labels.compile_pattern(rf"(?:{labels.MORE['buyer_vat_id']})\W*$")  # "Customer GSTIN :"
_REGISTRY = labels.compile_pattern(r"\buen\W*$")  # Singapore's entity number, not always its GST number


class Reader:
    """One invoice being read, with the document-wide habits (decimal mark, date order)."""

    def __init__(self, text: PdfText):
        self.text = text
        self.lines: list[Line] = []
        for page in text.pages:
            self.lines.extend(lines_of(labels.unglued(page), index_from=len(self.lines)))
        self.height = text.sizes[0][1] if text.sizes else 842.0
        self.width = text.sizes[0][0] if text.sizes else 595.0
        # language, country, date order, decimal mark and what "$" means, from all lines together
        self.locale = infer_locale(line.text for line in self.lines)
        self.decimal_mark = self.locale.decimal_mark
        self.hits = {line.index: hits_of(line) for line in self.lines}
        self.currency_words: dict[str, Word] = {}
        self.positions: dict[int, int] | None = None
        self.extra: list[Candidate] = []
        self.addressee: Candidate | None = None  # the name under a window envelope's sender line
        self.currency_votes = self._currency_votes()
        settle_currency(self.locale, self.lines, self.currency_votes, self.currency_words)
        self.day_first = self.locale.day_first

    # ------------------------------------------------------------ values beside and below labels

    def label_candidates(self, skip: set[int]) -> dict[str, list[Candidate]]:
        found: dict[str, list[Candidate]] = {name: [] for name in KINDS}
        for position, line in enumerate(self.lines):
            if line.index in skip:
                continue
            hits = self.hits[line.index]
            for number, hit in enumerate(hits):
                following = hits[number + 1] if number + 1 < len(hits) else None
                for name, strong in hit.fields:
                    if name == "buyer_name" and not strong and letterhead.in_slip(self.lines, position, self.height):
                        name = "seller_name"  # "To:" in a payment slip names the payee
                    candidate = self._value_for(name, strong, position, hit, following)
                    if candidate:
                        found[name].append(candidate)
                if not hit.fields:
                    for candidate in self._named(position, hit, following):
                        found[candidate.field].append(candidate)
                    if self._number_under_title(position, hit):
                        candidate = self._value_for("invoice_number", True, position, hit, following)
                        if candidate:
                            found["invoice_number"].append(candidate)
        for candidate in self.extra:
            found[candidate.field].append(candidate)
        return found

    def _value_for(self, name: str, strong: bool, position: int, hit: Hit, following: Hit | None) -> Candidate | None:
        line = self.lines[position]
        phrase = line.phrases[hit.phrase]
        end = following.start if following and following.phrase == hit.phrase else len(phrase.words)
        score = 0.9 if strong else 0.675
        beside = [Phrase(phrase.words[hit.end : end])] if hit.end < end else []
        if beside and all(w.text in labels.SEPARATORS for w in beside[0].words):
            beside = []  # "Dati ordine di acquisto – Id documento": a separator between two captions
        if beside and name == "tax_total" and _base_only(beside[0].words):
            beside = []  # the rest of the base the tax is taken on ("MWST / TVA 8.1% auf" / "/ sur 6'904.00")
        if beside and not self._parse(name, beside) and not find_date(beside[0].text):
            return None  # "Gesamtbetrag der Zuschläge": the label goes on with words we do not know
        # a number word opening the value ("Votre commande :  n° BC-2024-0193") is no label of its own
        others = [
            h
            for h in self.hits[line.index]
            if not all(w.text.lower() in _FILLER for w in line.phrases[h.phrase].words[h.start : h.end])
        ]
        starts = {h.phrase for h in others if h.start == 0}
        after = (
            line.phrases[hit.phrase + 1]
            if hit.end == len(phrase.words) and hit.phrase + 1 < len(line.phrases)
            else None
        )
        # the colon set apart in a form's column of captions: "SEÑOR(ES)      : Sociedad Agrícola Ltda."
        colon = phrase.words[hit.end - 1].text.endswith(":") or bool(after and after.words[0].text.startswith(":"))
        # a label in a column of labels over their values reads below, not the next column's words
        # (Xero's "Credit Note Number" / "CN-0042" beside the seller's "Auckland 1026")
        stacked = not beside and hit.start == 0 and not colon and self._stacked(position, phrase)
        for index in range(hit.phrase + 1, len(line.phrases) if not stacked else hit.phrase + 1):
            if index in starts:
                break
            if KINDS[name] == "name" and not colon and line.phrases[index].x0 - phrase.x1 > 60:
                break  # a name far right of a label without a colon sits in another column
            inner = min((h.start for h in others if h.phrase == index), default=None)
            if inner is not None:  # "Blue Harbor S.L. Fecha de expedición:", "75.61CR Harmonized Sales Tax
                # on $71.72": the value, then another label that ends it
                beside.append(Phrase(line.phrases[index].words[:inner]))
                break
            words = line.phrases[index].words
            beside.append(Phrase(words[1:]) if words[0].text == ":" and len(words) > 1 else line.phrases[index])
        found = self._parse(name, beside) if beside else None
        label = phrase.words[hit.start : hit.end]
        if (
            found
            and name == "order_reference"
            and [w.text for w in label] == ["PO"]
            and found[1][0] is beside[0].words[0]
        ):
            found = f"PO {found[0]}", [*label, *found[1]]  # "PO 4471-KL": the buyer's order as printed, its "PO" too
        if found and name == "invoice_number" and hit.end >= 3:
            # "Serija MPC Nr. 01187", "Seria BVX nr. 0412": the series and the number make the number
            series = _SERIES.fullmatch(" ".join(w.text for w in phrase.words[: hit.end]))
            if series and not found[0].startswith(series[1]):
                found = f"{series[1]} {found[0]}", [phrase.words[hit.end - 2], *found[1]]
        if found and KINDS[name] == "vat" and end < len(phrase.words):
            # "Org.nr. NO 994 158 988 MVA", "CHE-502.847.091 TVA": the tax's name ends the number, not another label
            whole = self._parse(name, [Phrase(phrase.words[hit.end :])])
            if whole and whole[0].startswith(found[0]) and whole[1][0] is found[1][0]:
                found = whole
        if found:
            if KINDS[name] == "money":
                self._other_amounts(name, beside, found, score)
            rate = (
                _RATE.search(" ".join(w.text for w in phrase.words[hit.start : hit.end]))
                if name == "tax_total"
                else None
            )
            return Candidate(name, found[0], found[1], score, rate=_rate(rate[1]) if rate else None)
        alone = hit.start == 0 and self._labels_to_end(line, hit)
        if (
            not strong
            and not (KINDS[name] == "name" and alone)
            and not (alone and self._detail_row(name, line))
            and not (alone and name not in self.named_plainly and self._stacked(position, phrase))
        ):
            return None
        found = self._below(name, position, label[0].x0, self._cell_end(name, line, hit))
        # a weak party heading alone on its line ("To:", "From") heads a block: its first line
        return Candidate(name, found[0], found[1], 0.8 if strong else 0.7) if found else None

    def _labels_to_end(self, line: Line, hit: Hit) -> bool:
        """Whether the rest of ``hit``'s phrase after it is labels alone, or a separator and a caption
        of two words at most ("Dati ordine di acquisto – Id documento": a heading over one value)."""
        words = line.phrases[hit.phrase].words
        covered = {i for h in self.hits[line.index] if h.phrase == hit.phrase for i in range(h.start, h.end)}
        rest = words[hit.end :]
        if rest and rest[0].text in labels.SEPARATORS and len(rest) <= 3:
            return not any(ch.isdigit() for w in rest for ch in w.text)
        return all(i in covered for i in range(hit.end, len(words)))

    @cached_property
    def named_plainly(self) -> set[str]:
        """The fields a strong label names somewhere in the document."""
        return {name for hits in self.hits.values() for hit in hits for name, strong in hit.fields if strong}

    def _stacked(self, position: int, phrase: Phrase) -> bool:
        """Whether ``phrase`` (a label alone) is one of a column of labels over their values, under
        a value that a label alone heads in turn (Xero's "Invoice Number" / "KC-0893" /
        "Reference" / "SAAT-PO-7731")."""
        line = self.lines[position]
        if len(self.hits[line.index]) > 1:
            return False  # a row of labels ("Ordernr.  Datum"), not a column of them
        height = max(line.bottom - line.top, 6.0)
        column: list[tuple[Line, Phrase]] = []
        for other in reversed(self.lines[max(0, position - 4) : position]):
            if other.page != line.page or (column[-1][0] if column else line).top - other.bottom > 2 * height:
                break
            cell = next((p for p in other.phrases if abs(p.x0 - phrase.x0) < 4), None)
            if cell is not None:
                column.append((other, cell))
            if len(column) == 2:
                break
        if len(column) < 2:
            return False
        (value_line, value), (label_line, label) = column
        heads = [h for h in self.hits[label_line.index] if h.start == 0 and h.end == len(label.words)]
        index = label_line.phrases.index(label)
        head = next((h for h in heads if h.phrase == index), None)
        return (
            head is not None
            and any(ch.isdigit() for ch in value.text)  # a value: a number, a date (not "Balance brought forward")
            and not any(h.phrase == value_line.phrases.index(value) for h in self.hits[value_line.index])
            # the value of the label above, as its field reads it (not "Less: deposit 2024/02/20" under "Total")
            and any(self._parse(name, [value]) for name, _ in head.fields)
        )

    def _number_under_title(self, position: int, hit: Hit) -> bool:
        """Whether ``hit`` is a bare number word ("Nummer:", "Číslo:", which name no field alone)
        in a column the document's title heads ("Creditnota" / "Nummer: CN-2024-007")."""
        line = self.lines[position]
        phrase = line.phrases[hit.phrase]
        if hit.start or not _BARE_NUMBER.fullmatch(" ".join(w.text for w in phrase.words[: hit.end])):
            return False
        for other in reversed(self.lines[max(0, position - 3) : position]):
            if other.page != line.page:
                return False
            for above in other.phrases:
                if above.x1 >= phrase.x0 - 2 and above.x0 <= phrase.x1 + 2:
                    return is_title(above.text, "invoice") or is_title(above.text, "credit_note")
        return False

    def _cell_end(self, name: str, line: Line, hit: Hit) -> float:
        """Where the value under a label may end: the label's end; for an amount under a table's
        heading row (three or more headings, no figure, two or more of them labels of totals:
        ``Esigibilità IVA  %IVA  Totale imponibile  Totale imposta  Totale documento``), the next
        heading's start (or the page's edge), as the table's right-aligned cells print them."""
        end = line.phrases[hit.phrase].words[hit.end - 1].x1
        totals = {
            h.phrase
            for h in self.hits[line.index]
            if h.start == 0
            and h.end == len(line.phrases[h.phrase].words)
            and h.fields
            and all(KINDS[field] == "money" for field, _ in h.fields)
        }
        if KINDS[name] != "money" or len(line.phrases) < 3 or len(totals) < 2 or any(ch.isdigit() for ch in line.text):
            return end
        later = line.phrases[hit.phrase + 1 :]
        return later[0].x0 - 2 if later else self.width

    def _detail_row(self, name: str, line: Line) -> bool:
        """Whether ``line`` is a row of the document's details over a row of their values, among
        them its number ("NÚMERO  FECHA  VENCIMIENTO"; not "Ordernr.  Datum"), and ``name`` one of them
        that no other heading of the row names plainly."""
        hits = self.hits[line.index]
        details = {field for h in hits for field, _ in h.fields if field in _DETAILS}
        headings = sum(any(field in _DETAILS for field, _ in h.fields) for h in hits)
        named = {field for h in hits for field, strong in h.fields if strong}
        # a weak heading is not the field another heading of the row names plainly ("Invoice Number  Reference");
        # one heading of two meanings ("Référence" over a table's codes) is no row of details
        if name in details and headings >= 2 and "invoice_number" in details and name not in named:
            return True
        # a letter's reference line ("Unser Zeichen  Kundennummer  Datum"): three or more headings
        # alone, the date among them and no other document's number
        return (
            name == "issue_date"
            and len(line.phrases) >= 3
            and "order_reference" not in details
            and all(
                any(h.phrase == i and h.start == 0 and h.end == len(p.words) for h in hits)
                for i, p in enumerate(line.phrases)
            )
        )

    def _named(self, position: int, hit: Hit, following: Hit | None) -> list[Candidate]:
        """The name beside the caption of a registered name (``Razón Social: Comercial del Sur
        S.A.``): the party a heading above names, or either party when none does (the ranker
        tells them apart)."""
        line = self.lines[position]
        phrase = line.phrases[hit.phrase]
        label = phrase.words[hit.start : hit.end]
        if not label[-1].text.endswith(":") or not labels.is_registered_name(" ".join(w.text for w in label)):
            return []
        end = following.start if following and following.phrase == hit.phrase else len(phrase.words)
        rest = phrase.words[hit.end : end]
        if not rest and hit.phrase + 1 < len(line.phrases) and not (following and following.phrase == hit.phrase + 1):
            rest = line.phrases[hit.phrase + 1].words
        found = _name(Phrase(rest)) if rest else None
        if found is None:
            return []
        party = party_heading(self.lines, self.hits, position, label[0].x0, label[-1].x1)
        parties = {1: ["buyer_name"], -1: ["seller_name"]}.get(party, ["seller_name", "buyer_name"])
        return [
            Candidate(name, found[0], found[1], 0.8 if party else 0.6, "label" if party else "pattern")
            for name in parties
        ]

    def _other_amounts(self, name: str, phrases: list[Phrase], taken: Value, score: float) -> None:
        """A label followed by several amounts (``19% MwSt.: 376,37  71,51  447,88``, a row under
        column headers): each other amount is a weaker candidate, for the totals arithmetic."""
        for phrase in phrases:
            value = self._money(phrase)
            if value and value[1] != taken[1]:
                self.extra.append(Candidate(name, value[0], value[1], round(score - 0.1, 3)))

    def _below(self, name: str, position: int, x0: float, x1: float) -> Value | None:
        """The value under a label; in a party block, the first line that is not another label."""
        line = self.lines[position]
        height = max(line.bottom - line.top, 6.0)
        bottom = line.bottom
        party = KINDS[name] == "name"
        captioned = False  # under a form's caption over the name: its cell, whatever words it starts with
        for row, other in enumerate(self.lines[position + 1 : position + 8], start=position + 1):
            if other.page != line.page or other.top - bottom > 2.5 * height:
                return None
            hits = self.hits[other.index]
            for index, phrase in enumerate(other.phrases):
                overlaps = phrase.x1 >= x0 - 2 and phrase.x0 <= x1 + 2
                if not (overlaps or party and abs(phrase.x0 - x0) < 20):
                    continue
                hit = next((h for h in hits if h.phrase == index and h.start == 0), None)
                if captioned and (hit is None or not labels.is_party_name(phrase.text)):
                    return self._parse(name, [phrase])  # "NF-E EMITIDA EM AMBIENTE DE HOMOLOGACAO ..." under "NOME"
                if hit is None and party and (_CONTACT.search(phrase.text) or find_iban(phrase.text)):
                    # "Buyer contact name", "z. Hd. Herr X": a person, not the party; the account
                    # under a QR bill's "Konto / Zahlbar an", over the creditor's name
                    bottom = other.bottom
                    break
                if hit is None and KINDS[name] == "date":
                    return self._date_under(phrase, x0, x1)
                if hit is None and party:
                    return self._company_under(row, phrase) or self._parse(name, [phrase])
                if hit is None:
                    return self._parse(name, [phrase])
                if party and labels.is_party_name(" ".join(w.text for w in phrase.words[: hit.end])):
                    inner = min((h.start for h in hits if h.phrase == index and h.start >= hit.end), default=None)
                    rest = phrase.words[hit.end : inner]  # up to a label set too close ("Name: ACME LLC Name:")
                    following = other.phrases[index + 1] if index + 1 < len(other.phrases) else None
                    if (
                        not rest
                        and following
                        and (phrase.words[hit.end - 1].text.endswith(":") or following.x0 - phrase.x1 < 60)
                    ):
                        rest = following.words  # "Name:   ACME Ltd"
                    if rest:
                        return self._parse(name, [Phrase(rest)])
                    bottom = other.bottom  # a form's caption over the name ("NOME / RAZÃO SOCIAL"): read under it
                    captioned = True
                    break
                if party and hit.fields == ():
                    bottom = other.bottom  # a line of the block we do not read (Nummer: 549910)
                    break
                return None  # another label: the value is not below this one
        return None

    def _company_under(self, position: int, phrase: Phrase) -> Value | None:
        """The company under a person at the head of a party's block (``Bill To`` / ``Maria
        Rossi`` / ``Fabbrica Alpina S.p.A.``): the party is the company, the person its contact."""
        if not names.person_shape(phrase.text.strip(" ,")):
            return None
        line = self.lines[position]
        other = self.lines[position + 1] if position + 1 < len(self.lines) else None
        if other is None or other.page != line.page or other.top - line.bottom > 1.5 * max(line.bottom - line.top, 6):
            return None
        below = next((p for p in other.phrases if abs(p.x0 - phrase.x0) <= 6), None)
        if below is not None and letterhead.LEGAL.search(below.text) and not address.line(below.text):
            return _name(below)
        return None

    def _date_under(self, phrase: Phrase, x0: float, x1: float) -> Value | None:
        """The date of ``phrase`` under the label spanning ``x0``-``x1``: "JAN 23 2019 FEB 13 2019"
        under "BILLING DATE  DUE DATE" holds two dates, one under each label."""
        text, start, first = phrase.text, 0, None
        while start < len(text):
            hit = find_date(text[start:], self.day_first)
            if hit is None:
                break
            words = phrase.words_in(start + hit[1][0], start + hit[1][1])
            if start == 0 and not all(w.lower() in _FILLER for w in text[: hit[1][0]].split()):
                return None
            first = first or (hit[0].isoformat(), words)
            if words and words[-1].x1 >= x0 - 2 and words[0].x0 <= x1 + 2:
                return hit[0].isoformat(), words
            start += hit[1][1]
        return first

    def _parse(self, name: str, phrases: list[Phrase]) -> Value | None:
        kind = KINDS[name]
        if kind == "money":
            found = None
            words = [w for phrase in phrases for w in phrase.words]
            for phrase in phrases:  # the right-most amount: "Total 2 items 19.00 €", "Tax 15% on 112.90  16.94"
                value = self._money(phrase)
                if value and not _percent_after(words, value[1][-1]):
                    found = value
            return found
        phrase = phrases[0]
        if kind == "date":
            hit = find_date(phrase.text, self.day_first)
            if hit and all(w.lower() in _FILLER for w in phrase.text[: hit[1][0]].split()):
                return hit[0].isoformat(), phrase.words_in(*hit[1])
            return None
        if kind == "id":
            return _identifier(phrase, lambda token: letterhead.numbered_like_a_date(token, self.lines))
        if kind == "name":
            return _name(phrase)
        if kind == "vat":
            vat = find_vat_id(phrase.text)
            if vat is None and (plain := _PLAIN_TAX_ID.match(phrase.text)) and _plain_tax_id(plain[0]):
                # a national number beside its label, of no shape of its own ("NIP: 5319419588")
                vat = printed_id(plain[0]), plain.span()
            if vat is None and (rfc := _RFC.match(phrase.text)):
                vat = rfc[0], rfc.span()  # Mexico's RFC: letters, a date, a check code ("RFC: SNA190312K77")
            return (vat[0], phrase.words_in(*vat[1])) if vat else None
        if kind == "iban":
            iban = find_iban(phrase.text)
            return (iban[0], phrase.words_in(*iban[1])) if iban else None
        for word in phrase.words[:2]:
            code = currency_of(word.text)
            if code:
                return code, [word]
        named = currency_named(phrase.text, self.locale.language)  # "Currency: Swiss francs", "Měna: koruna česká"
        return (named[0], phrase.words[: named[1]]) if named else None

    def _money_under(self, cell: Phrase, heading: Phrase) -> Value | None:
        """The amount of ``cell`` most under ``heading``: a cell may hold the amounts of two
        columns printed close together ("-345,80 DKK 127.135,17 DKK")."""
        amounts = []
        start = 0
        while start < len(cell.words) and (found := self._money(Phrase(cell.words[start:]))):
            amounts.append(found)
            start += len(found[1])

        def overlap(value: Value) -> float:
            return min(value[1][-1].x1, heading.x1) - max(value[1][0].x0, heading.x0)

        return max(amounts, key=overlap, default=None)

    def _money(self, phrase: Phrase) -> Value | None:
        for end in range(len(phrase.words), 0, -1):
            value = parse_amount(" ".join(w.text for w in phrase.words[:end]), self.decimal_mark)
            if value is not None:
                return format_amount(value), phrase.words[:end]
        return None

    # ------------------------------------------------------------ patterns

    def _currency_votes(self) -> Counter[str]:
        votes: Counter[str] = Counter()
        for line in self.lines:
            for phrase in line.phrases:
                for index, word in enumerate(phrase.words):
                    code, weight = None, 2
                    bare = word.text.strip("()[]:,;")
                    if bare in CURRENCY_CODES:  # "Amount Due (NZD)"
                        code = bare
                        # a code inside a sentence or an item's name ("Paleta EUR – vratná") counts half
                        weight = 2 if self._currency_place(line, phrase, word) else 1
                    elif word.text == f"({bare})" and bare in tender_codes():  # "Amount (KES)": any currency's code
                        code = bare
                    elif sign := _local_sign(line.words, line.words.index(word)):
                        # "67 921,16 Kč", "1 234,56 zł", "450,00 kr" (whose crowns the country says), "R$1.234,00"
                        code = currency_of(sign)
                        if sign.startswith("kr"):
                            country = own_currency(self.locale.country)
                            code = next((c for c in (self.locale.currency, country) if c in _CROWNS), code)
                    elif any(s in word.text for s in SIGNS) and (
                        len(word.text) == 1 or any(ch.isdigit() for ch in word.text)
                    ):
                        code = currency_of(next(s for s in SIGNS if s in word.text))
                    elif word.text in ("Rs", "Rs.") and index + 1 < len(phrase.words):
                        code = "INR" if parse_amount(phrase.words[index + 1].text) is not None else None
                    elif (
                        len(word.text) == 3
                        and word.text.isupper()
                        and _beside_amount(line.words, line.words.index(word))
                    ):
                        code = word.text if word.text in tender_codes() else None  # "727.20 ALL"
                    if code:
                        votes[code] += weight
                        self.currency_words.setdefault(code, word)
        return votes

    def _currency_place(self, line: Line, phrase: Phrase, word: Word) -> bool:
        """Whether a currency's code stands where a currency is stated: in brackets, alone in its
        cell, beside an amount, on a line with a label, or after a colon ("Currency: EUR")."""
        index = line.words.index(word)
        return (
            word.text.startswith("(")
            or len(phrase.words) == 1
            or _beside_amount(line.words, index)
            or bool(self.hits[line.index])
            or index > 0
            and line.words[index - 1].text.endswith(":")
        )

    def _country_currency(self) -> list[Candidate]:
        """No currency printed at all: the currency of the country the page's tax ids, IBANs,
        registers and phone numbers point to (CLDR through Babel: a DANFE with a CNPJ is in BRL),
        a weak candidate, shown at the first amount."""
        code = own_currency(self.locale.country)
        if code is None:
            return []
        for line in self.lines:
            for word in line.words:
                if _is_amount(word.text, self.decimal_mark):
                    return [Candidate("currency", code, [word], 0.45, "pattern")]
        return []

    @cached_property
    def domains(self) -> frozenset[str]:
        """The names of the web and mail domains printed (:func:`~backoffice.documents.names.domains`)."""
        return frozenset(names.domains([line.text for line in self.lines]))

    def party_above(self, word: Word) -> int:
        """1 when the nearest party heading above ``word`` in its column names the buyer ("Bill to",
        "Empfänger"), -1 when it names the seller ("From", "Aussteller"), else 0; a heading that
        opens the line of ``word`` comes first (``TOMADOR / ADQUIRENTE   96.572.806/0001-23``)."""
        position = self._position(word)
        if position is None:
            return 0
        line = self.lines[position]
        for hit in self.hits[line.index]:
            phrase = line.phrases[hit.phrase]
            if hit.phrase == 0 and hit.start == 0 and phrase.words[hit.end - 1].x1 < word.x0:
                fields = {field for field, _ in hit.fields}
                if fields == {"buyer_name"} or fields == {"seller_name"}:
                    return 1 if "buyer_name" in fields else -1
        return party_heading(self.lines, self.hits, position, word.x0, word.x1)

    def names_a_bank(self, candidate: Candidate) -> bool:
        """Whether a name is a bank's, printed over its account ("Swedbank AS" / "IBAN EE35 2200 ..."
        in a footer's column): no party to the invoice."""
        if not _BANK_NAME.search(candidate.value):
            return False
        position = self._position(candidate.words[0])
        if position is None:
            return False
        x0 = candidate.words[0].x0
        return any(
            abs(phrase.words[0].x0 - x0) < 20 and _ACCOUNT_LINE.match(phrase.text)
            for line in self.lines[position + 1 : position + 3]
            for phrase in line.phrases
        )

    def _position(self, word: Word) -> int | None:
        """The index of the line that holds ``word``."""
        if self.positions is None:
            self.positions = {id(w): n for n, line in enumerate(self.lines) for w in line.words}
        return self.positions.get(id(word))

    def _wrapped_ibans(self) -> list[Candidate]:
        """An IBAN a paragraph wraps over two lines ("... auf unser Konto, IBAN AT25" / "3600 0000 1234
        5678, BIC ..."): the line's end and the next line's start read together, kept when its check
        digits hold."""
        found = []
        for line, following in pairwise(self.lines):
            tail = _IBAN_START.search(line.phrases[-1].text)
            if tail is None or following.page != line.page or not following.phrases:
                continue
            head = following.phrases[0]
            joined = f"{tail[0]} {head.text}"
            hit = find_iban(joined)
            if hit and hit[1][0] == 0 and hit[1][1] > len(tail[0]):
                words = [
                    *line.phrases[-1].words_in(tail.start(), tail.end()),
                    *head.words_in(0, hit[1][1] - len(tail[0]) - 1),
                ]
                found.append(Candidate("iban", hit[0], words, 0.65, "pattern"))
        return found

    def whose_vat_ids(self, found: dict[str, list[Candidate]]) -> None:
        """A VAT id in the buyer's block (under its heading, on its heading's line, or in the window
        address under a sender line), or after a label of the buyer's VAT id, is the buyer's: the
        seller's VAT id candidates there lose most of their score ("USt-IdNr.: DE987654321" under
        "Empfänger", "Customer GSTIN : 29AAFCA0924K1ZN"). A national number printed again with its
        country prefix gives way to the prefixed VAT id."""
        for candidate in found["seller_vat_id"]:
            word = candidate.words[0]
            if (
                self.party_above(word) > 0
                or self._after_buyers_vat_label(word)
                or self._in_addressee_block(word)
                or self._after_buyers_number(word)
            ):
                candidate.score = round(candidate.score * 0.5, 3)
        # one company's number twice, national and as a VAT id ("Org.nr 559963-5355", "Momsreg.nr
        # SE559963535501"; "Y-tunnus 1439865-4", "ALV-rek. FI14398654"; "Adószám 26903185-2-13",
        # "HU26903185"): the VAT id is the prefixed one
        prefixed = [c for c in found["seller_vat_id"] if c.value[:2].isalpha() and c.value[2:3].isdigit()]
        for candidate in found["seller_vat_id"]:
            digits = re.sub(r"\D", "", candidate.value)
            if candidate.value[:1].isdigit() and any(
                len(digits) >= 8
                and _same_company(digits, re.sub(r"\D", "", p.value))
                and p.score >= candidate.score * 0.9
                for p in prefixed
            ):
                candidate.score = round(candidate.score * 0.9, 3)
        # a company's registry number gives way to its tax's ("UEN 201712345D · GST Reg. No. M2-0098765-4")
        registry = [c for c in found["seller_vat_id"] if c.method == "label" and self._after(c.words[0], _REGISTRY)]
        if len(registry) < sum(c.method == "label" for c in found["seller_vat_id"]):
            for candidate in registry:
                candidate.score = round(candidate.score * 0.9, 3)

    def _after_buyers_number(self, word: Word) -> bool:
        """Whether ``word`` follows, on its line, a phrase under the buyer's heading: "Odběratel:" /
        "IČO: 69294143   DIČ: CZ69294143", the company number under the heading, its VAT id beside it."""
        position = self._position(word)
        if position is None:
            return False
        line = self.lines[position]
        index = next((n for n, p in enumerate(line.phrases) if any(w is word for w in p.words)), 0)
        if index == 0:
            return False
        before, own = line.phrases[index - 1], line.phrases[index]
        registry = any(h.phrase == index - 1 and h.start == 0 and h.fields == () for h in self.hits[line.index])
        return (
            registry  # "IČO: 69294143", "Company No. 514607209": a number no field of ours is
            and party_heading(self.lines, self.hits, position, own.x0, own.x1) == 0  # no heading of its own column
            and party_heading(self.lines, self.hits, position, before.x0, before.x1) > 0
        )

    def in_block_of(self, word: Word, name: Candidate) -> bool:
        """Whether ``word`` sits in the address block ``name`` heads: within eight lines under it (or
        their height) on a line whose phrase starts where the name does, each close under the one before ("Klant" /
        "Brouwerij De Klaproos BV" / ... / "BTW BE 0712.448.196"), or right after such a phrase."""
        first = name.words[0]
        position, top = self._position(word), self._position(first)
        if position is None or top is None or word.page != first.page or position <= top:
            return False
        height = max(first.bottom - first.top, 6.0)
        if position - top > 8 and word.top - first.top > 8 * height:  # eight lines, or their height
            return False  # (another column's lines between them count too)
        bottom = first.bottom
        for line in self.lines[top + 1 : position]:  # the block goes on without a wide gap down to the word's line
            if any(abs(p.x0 - first.x0) <= 6 for p in line.phrases):
                if line.top - bottom > 4 * height:
                    return False
                bottom = line.bottom
        if self.lines[position].top - bottom > 4 * height:
            return False
        phrases = self.lines[position].phrases
        index = next(n for n, p in enumerate(phrases) if any(w is word for w in p.words))
        if abs(phrases[index].x0 - first.x0) <= 6:
            return True
        # or it follows one that does, and starts no column of its own ("IČO: 00090450  DIČ: CZ00090450"),
        # as the other party's block beside it does
        x0 = phrases[index].x0
        near = self.lines[max(0, position - 3) : position + 4]
        column = any(abs(p.x0 - x0) <= 6 for line in near if line is not self.lines[position] for p in line.phrases)
        return index > 0 and abs(phrases[index - 1].x0 - first.x0) <= 6 and not column

    def _in_addressee_block(self, word: Word) -> bool:
        """Whether ``word`` sits in the address block under a window envelope's sender line (the
        buyer's, no heading over it, "NIF 597 941 521" in it): :meth:`in_block_of` the addressee."""
        return self.addressee is not None and self.in_block_of(word, self.addressee)

    def _after_buyers_vat_label(self, word: Word) -> bool:
        return self._after(word, _BUYERS_VAT)

    def _after(self, word: Word, label: re.Pattern[str]) -> bool:
        """Whether the text before ``word`` on its line ends with ``label``."""
        position = self._position(word)
        if position is None:
            return False
        before = " ".join(w.text for w in self.lines[position].words if w.x1 <= word.x0 + 0.5)
        return bool(label.search(labels.clean(before)[-60:]))

    def column_total_candidates(self, found: dict[str, list[Candidate]]) -> None:
        """Totals printed as a small table: a header line naming two or more totals
        (``Nettobetrag  MwSt-Betrag  Endbetrag``, or an amount due) over rows of amounts, one per
        tax rate and a sum row last. The last row's amounts are the better candidates. Several tax
        columns (``IVA 24%  IVA 12%``) add up to the tax total."""
        for position, line in enumerate(self.lines):
            named = [
                (
                    phrase,
                    next(
                        (name for name, strong in labels.match(phrase.text) or () if strong and name in _TABLED), None
                    ),
                )
                for phrase in line.phrases
            ]
            # not a column of rates ("MwSt-%", "VAT %")
            heads = [(phrase, name) for phrase, name in named if name and not _RATE_HEAD.search(phrase.text)]
            if len({name for _, name in heads}) < 2:
                continue
            # among two strong heads, a weak one of another total: "Netto  Moms 25 %  Summa  Att betala SEK"
            for phrase, name in named:
                weak = next((f for f, _ in labels.match(phrase.text) or () if f in _TABLED), None) if not name else None
                if weak and weak not in {n for _, n in heads}:
                    heads.append((phrase, weak))
            heads.sort(key=lambda head: head[0].x0)
            rows: list[dict[str, list[Value]]] = []
            for other in self.lines[position + 1 : position + 8]:
                if other.page != line.page or other.top - line.bottom > 120:
                    break
                if len(row := self._row_under(heads, other)) >= 2:
                    rows.append(row)
            # the heads of an item table's columns, its sum row below the items ("Total  7.672,30  912,22")
            below = (o for o in self.lines[position + 8 : position + 80] if o.page == line.page)
            sums = (self._row_under(heads, o) for o in below if o.phrases and _SUM_ROW.match(o.phrases[0].text))
            if (last := next((row for row in sums if len(row) >= 2), None)) is not None:
                rows.append(last)
            for number, row in enumerate(rows):
                score = 0.85 if number == len(rows) - 1 else 0.6
                for name, values in row.items():
                    if name == "tax_total" and len(values) > 1:  # one column per rate: their sum, and each
                        total = sum((Decimal(value) for value, _ in values), Decimal(0))
                        words = [w for _, cell in values for w in cell]
                        found[name].append(Candidate(name, format_amount(total), words, score, "table"))
                        found[name].extend(Candidate(name, v, w, round(score - 0.2, 3), "table") for v, w in values)
                    else:  # the right-most column of the field
                        found[name].append(Candidate(name, values[-1][0], values[-1][1], score, "table"))

    def _row_under(self, heads: list[tuple[Phrase, str]], line: Line) -> dict[str, list[Value]]:
        """The amounts of ``line`` under each of ``heads`` (a phrase and the total it names)."""
        row: dict[str, list[Value]] = {}
        for phrase, name in heads:
            cells = [p for p in line.phrases if p.x1 >= phrase.x0 - 4 and p.x0 <= phrase.x1 + 4]
            # the cell most under its heading: amounts set right may reach under the next one
            cell = max(cells, key=lambda p: min(p.x1, phrase.x1) - max(p.x0, phrase.x0), default=None)
            value = self._money_under(cell, phrase) if cell is not None else None
            if value:
                row.setdefault(name, []).append(value)
        return row

    def pattern_candidates(self, found: dict[str, list[Candidate]], every: bool = False) -> None:
        """IBANs, VAT ids and currencies anywhere; number and date from the title; the sender
        line. Without ``every``, only for fields no label found."""
        for name, finder, score in (("iban", find_iban, 0.7), ("seller_vat_id", find_vat_id, 0.6)):
            if found[name] and not every:
                continue
            for line in self.lines:
                for phrase in line.phrases:
                    hit = finder(phrase.text)
                    if hit:
                        found[name].append(Candidate(name, hit[0], phrase.words_in(*hit[1]), score, "pattern"))
        if every or not found["iban"]:
            found["iban"].extend(self._wrapped_ibans())
        total = sum(self.currency_votes.values())
        for code, count in self.currency_votes.items():
            found["currency"].append(
                Candidate("currency", code, [self.currency_words[code]], round(0.5 + 0.3 * count / total, 3), "pattern")
            )
        if not found["currency"]:
            found["currency"].extend(self._country_currency())
        if every or not found["invoice_number"] or not found["issue_date"]:
            for candidate in letterhead.from_title(self.lines, self.day_first):
                found[candidate.field].append(candidate)
        for candidate in letterhead.place_and_date(self.lines, self.day_first):
            found[candidate.field].append(candidate)
        if every or not found["seller_name"] or not found["buyer_name"]:
            for candidate in letterhead.from_sender_line(self.lines, self.hits, self.height):
                found[candidate.field].append(candidate)
                if candidate.field == "buyer_name":
                    self.addressee = candidate
        honoured = self._honoured() or self._attended()
        if honoured is not None:
            found["buyer_name"].append(honoured)
            self.addressee = self.addressee or honoured

    def _attended(self) -> Candidate | None:
        """The party whose name stands right over a line to someone's attention ("Tui Street Café
        Ltd" / "Attention: Hemi Walker", "z. Hd. Frau Berger"): the addressee, the buyer."""
        for position, line in enumerate(self.lines[:40]):
            if line.page != self.lines[0].page or line.top > self.height * 0.5 or not position:
                continue
            for phrase in (p for p in line.phrases if names.for_attention(p.text)):
                height = max(line.bottom - line.top, 6.0)
                for above in reversed(self.lines[max(0, position - 3) : position]):
                    if above.page != line.page or line.top - above.bottom > 2 * height:
                        break
                    index = next((i for i, p in enumerate(above.phrases) if abs(p.x0 - phrase.x0) < 6), None)
                    if index is None:
                        continue  # a line of another column between them
                    name = above.phrases[index]
                    if (
                        not any(h.phrase == index for h in self.hits[above.index])
                        and letterhead.plausible_name(name.text)
                        and not address.line(name.text)  # an attention line under the address: no name over it
                    ):
                        return Candidate("buyer_name", name.text.strip(" ,"), name.words, 0.7, "address")
                    break
        return None

    def _honoured(self) -> Candidate | None:
        """The party a Japanese or Korean invoice addresses with an honorific after its name
        ("株式会社ひかり建設　御中", "レストラン ル・ソレイユ 様", "한성오토텍 주식회사 귀중"): the buyer."""
        for line in self.lines[:40]:
            if line.page != self.lines[0].page or line.top > self.height * 0.6:
                break
            for phrase in line.phrases:
                named = _HONORIFIC.fullmatch(phrase.text)
                if named and letterhead.plausible_name(named[1]):
                    return Candidate("buyer_name", named[1], phrase.words, 0.8)
        return None


def _percent_after(words: list[Word], last: Word) -> bool:
    """Whether the word after ``last`` in ``words`` is a per cent sign: ``VAT: 20 %`` prints a rate."""
    position = next((i for i, w in enumerate(words) if w is last), len(words))
    return position + 1 < len(words) and words[position + 1].text.startswith("%")


def _local_sign(words: list[Word], index: int) -> str | None:
    """The local sign of a currency that ``words[index]`` is or opens, beside an amount
    ("1 234,56 zł", "Rp1.500.000")."""
    text = words[index].text
    if text.rstrip(".") in LOCAL_SIGNS and _beside_amount(words, index):
        return text
    signed = _SIGNED.match(text)
    if not signed or parse_amount(text) is None or len(signed[1]) == 1 and not _AMOUNT.search(text):
        return None  # "R2", "R100": a row's or a room's name, not rands
    return signed[1]


def _is_amount(text: str, decimal_mark: str | None = None) -> bool:
    """Whether ``text`` is an amount of money with its cents (``1,234.56``, ``12,50 €``)."""
    return bool(_AMOUNT.search(text)) and parse_amount(text, decimal_mark) is not None


def _beside_amount(words: list[Word], index: int) -> bool:
    """Whether the word before or after ``words[index]`` on its line is an amount of money, or the
    words after it are, grouped by spaces ("R 84 638,00")."""
    if any(0 <= other < len(words) and _is_amount(words[other].text) for other in (index - 1, index + 1)):
        return True
    return any(_is_amount(" ".join(w.text for w in words[index + 1 : end])) for end in (index + 3, index + 4))


def _identifier(phrase: Phrase, numbered: Callable[[str], bool] = lambda token: False) -> Value | None:
    """The identifier ``phrase`` starts with (after filler words): a token with a digit, or a
    series and its number; one shaped like a date only where ``numbered`` says it is a number."""
    words = phrase.words
    if _PHONE.fullmatch(phrase.text.strip()):
        return None  # a phone number in the next column ("Reference   02 9552 4410"), no reference
    for index, word in enumerate(words):
        if word.text.lower() in _FILLER:
            continue
        token = word.text.lstrip("#:").rstrip(".,;:")
        if (
            _ID.fullmatch(token)
            and any(ch.isdigit() for ch in token)
            and len(token) <= 40
            and (parse_date(token) is None or numbered(token))
            and not _BANK_ACCOUNT.fullmatch(token)
        ):
            return token, [word]
        following = words[index + 1].text.rstrip(".,;:") if index + 1 < len(words) else ""
        if (
            _PREFIX.fullmatch(token)
            and token not in CURRENCY_CODES
            and _ID.fullmatch(following)
            and (following[:1].isdigit() or "/" in following and any(ch.isdigit() for ch in following))
            and (parse_date(following) is None or numbered(following))
        ):
            # "Faktura nr FV 1/2021", "Fatura FT A2024/153": a series and its number
            return f"{token} {following}", words[index : index + 2]
        if (
            len(words) == index + 2
            and token.isalpha()
            and token[:1].isupper()
            and 2 <= len(token) <= 12
            and _ID.fullmatch(following)
            and any(ch.isdigit() for ch in following)
            and find_date(f"{token} {following}") is None
            and not _YEAR.fullmatch(following)  # "March 2024"
        ):
            # the whole value a word and a number: "Job 2291", "Mandat 2024/17"
            return f"{token} {following}", words[index:]
        return None
    return None


def _base_only(words: list[Word]) -> bool:
    """Whether ``words`` are the rest of a tax's base and nothing more: the words saying what it is
    taken on, then one amount ("/ sur 6'904.00")."""
    texts = [w.text.lower() for w in words]
    on = 0
    while on < len(texts) and texts[on] in ("/", "on", "auf", "sur", "su", "op"):
        on += 1
    return 0 < on == len(texts) - 1 and parse_amount(words[-1].text) is not None


def _same_company(national: str, prefixed: str) -> bool:
    """Whether a national tax number's digits and a VAT id's name one company: the one holds the
    other (Swedish "559963-5355" in "SE559963535501"), or the VAT id is the national number's head
    (Hungarian "26903185-2-13" and "HU26903185")."""
    return national in prefixed or len(prefixed) >= 8 and national.startswith(prefixed)


def _plain_tax_id(text: str) -> bool:
    """Whether ``text`` (digits in groups) may be a tax number: eight digits or more, no date."""
    return sum(ch.isdigit() for ch in text) >= 8 and find_date(text) is None


def _name(phrase: Phrase) -> Value | None:
    text = phrase.text.strip(" ,;")
    return (text, phrase.words) if letterhead.plausible_name(text) else None


def gather(reader: Reader, items: list[dict[str, Field]], headers: set[int], every: bool) -> dict[str, list[Candidate]]:
    """The candidates of every field: beside and below labels, totals tables, patterns; with
    ``every``, also the letterhead, the address blocks and every value of the right shape."""
    found = reader.label_candidates(skip=headers)
    reader.column_total_candidates(found)
    reader.pattern_candidates(found, every=every)
    reader.whose_vat_ids(found)
    if every:
        addressed = {reader.addressee.value} if reader.addressee else set()
        # the name under a buyer's heading ("CLIENTE" / "Cerámicas del Turia S.L.") heads no letter
        addressed |= {c.value for c in found["buyer_name"] if c.method == "label" and c.score >= 0.8}
        guess = letterhead.seller_from_letterhead(reader.lines, reader.hits, reader.height, addressed)
        if guess:
            found["seller_name"].append(Candidate("seller_name", guess.value, guess.words, guess.score, "letterhead"))
        for phrase in letterhead.address_blocks(reader.lines, reader.hits, reader.height, headers):
            for name in ("seller_name", "buyer_name"):
                found[name].append(Candidate(name, phrase.text.strip(" ,"), phrase.words, 0.5, "address"))
        features.propose(reader, found)
        for name in ("seller_name", "buyer_name"):  # no bank over its account, no country under an address
            found[name] = [
                c
                for c in found[name]
                if not reader.names_a_bank(c) and not address.country(c.value, reader.locale.language)
            ]
        if reader.addressee:  # a letter's window address under its sender line names the buyer, never the seller
            addressee = reader.addressee.value
            found["seller_name"] = [c for c in found["seller_name"] if not pick.same_party(c.value, addressee)]
            found["buyer_name"] = [c for c in found["buyer_name"] if pick.same_party(c.value, addressee)]
    return found


def _not_the_buyers_vat_id(
    reader: Reader, scored: dict[str, list[Candidate]], chosen: dict[str, tuple[Candidate, str]]
) -> None:
    """The seller's VAT id is not the one printed in the block the buyer's chosen name heads (the
    seller's block beside it prints the seller's): the best other candidate, printed outside that
    block, takes its place, when there is one."""
    if "seller_vat_id" not in chosen or "buyer_name" not in chosen:
        return
    vat, key = chosen["seller_vat_id"]
    buyer = chosen["buyer_name"][0]
    if not reader.in_block_of(vat.words[0], buyer):
        return
    others = [
        c
        for c in scored["seller_vat_id"]
        if c.value != vat.value and c.score >= 0.5 * vat.score and not reader.in_block_of(c.words[0], buyer)
    ]
    if others:
        chosen["seller_vat_id"] = (max(others, key=lambda c: c.score), key)


# A date label that names an invoice's date: on a credit note, the date of the invoice it corrects
_INVOICE_DATE = re.compile(
    r"(?i)(?:invoice|rechnungs|facture|factuur|factura|fattura|fatura|faktury?)\W*(?:date|datum|dato)"
    r"|date (?:de (?:la )?)?facture|fecha (?:de (?:la )?)?factura|data (?:della |da )?fat?tura|datum (?:van de )?factuur"
    r"|original invoice"
)


_DATE_WORD = re.compile(r"(?i)(?<![^\W\d_])(?:date|datum|fecha|data|dato|päiväys)(?![^\W\d_])")


def _not_the_invoices_date(reader: Reader, scored: dict[str, list[Candidate]]) -> None:
    """On a credit note, a date its label or the heading above names an invoice's ("ORIGINAL
    INVOICE" / "INVOICE DATE  02/09/2024") is the date of the invoice it corrects, not its own:
    its other dates are taken first, where there are any."""
    dates = scored.get("issue_date", [])
    invoices = [c for c in dates if _INVOICE_DATE.search(_labelled_by(reader, c))]
    # only beside a date of its own a label of a date names ("DATE"; a Dutch "Factuurdatum" may be its own)
    if invoices and any(c not in invoices and _DATE_WORD.search(_labelled_by(reader, c)) for c in dates):
        scored["issue_date"] = [c for c in dates if c not in invoices]


def _labelled_by(reader: Reader, candidate: Candidate) -> str:
    """The text left of ``candidate`` on its line and the line above it in its column."""
    first = candidate.words[0]
    for position, line in enumerate(reader.lines):
        if any(w is first for w in line.words):
            left = " ".join(w.text for w in line.words if w.x1 <= first.x0 + 1)
            above = reader.lines[position - 1] if position else None
            over = (
                " ".join(w.text for w in above.words if w.x1 >= first.x0 - 40 and w.x0 <= first.x1 + 40)
                if above is not None and above.page == line.page
                else ""
            )
            return f"{left} {over}"
    return ""


def line_total(items: list[dict[str, Field]]) -> Decimal | None:
    return sum((Decimal(item["amount"].value) for item in items if "amount" in item), Decimal(0)) if items else None


def read_invoice(text: PdfText) -> Document:
    """The fields and line items of an invoice (or credit note) whose words are ``text``.

    With the trained ranker (:mod:`backoffice.documents.ranker`), every candidate is scored by it
    and confidences are calibrated; without it, by the label logic alone.
    """
    reader = Reader(text)
    items, headers = read_lines(reader.lines, reader.decimal_mark)
    ranker = model.load()
    found = gather(reader, items, headers, every=ranker is not None)
    warnings: list[str] = []
    if ranker is not None:
        table = features.table(reader, found, line_total(items))
        found = pick.score(ranker, table)
        if letterhead.kind_of(reader.lines, reader.height) == "credit_note":
            _not_the_invoices_date(reader, found)
        chosen = pick.choose(found, reader.domains)
        _not_the_buyers_vat_id(reader, found, chosen)
        fields = pick.fields_of(ranker, chosen, pick.weak(found, chosen))
        total_warnings(fields, warnings)
    else:
        fields = _by_labels(reader, found, warnings)
    _doubt_locale(fields, reader.locale, warnings)
    if items and "net_total" in fields:
        total = line_total(items)
        if total != Decimal(fields["net_total"].value):
            warnings.append(f"line amounts add up to {total}, but the net total says {fields['net_total'].value}")
    log.debug("read invoice", extra={"source": text.source, "fields": len(fields), "lines": len(items)})
    document = Document(
        kind=letterhead.kind_of(reader.lines, reader.height),
        method="text-layer",
        fields=fields,
        lines=items,
        warnings=warnings,
        pages=text.page_count,
        source=text.source,
        tax_lines=_tax_lines(found, fields),
    )
    add_more_fields(document, reader.lines, reader.decimal_mark, reader.day_first)  # addresses, bank, terms...
    _due_in_full(document.fields, reader.lines)
    return document


def _due_in_full(fields: dict[str, Field], lines: list[Line]) -> None:
    """An invoice that prints a grand total but no amount due, no previous balance and no word of
    a payment made (:func:`labels.paid_in_part`) asks for its grand total, as its e-invoice would
    state it (``DuePayableAmount``): the amount due is given as ``computed`` from the grand total,
    where the grand total is printed, and never sure (it follows a correction of the grand total:
    :func:`backoffice.documents.models.follow`)."""
    grand = fields.get("grand_total")
    if grand is None or "amount_due" in fields or "previous_balance" in fields or labels.paid_in_part(lines):
        return
    fields["amount_due"] = replace(grand, confidence=min(grand.confidence, COMPUTED_CONFIDENCE), method="computed")


# The most a value is worth that only the page's locale settled, when the page leaves it open.
DOUBTFUL_DOLLAR = 0.5
DOUBTFUL_ORDER = 0.5
_AMBIGUOUS_DATE = re.compile(r"(?<![\d.,])(\d{1,2})([/\-])(\d{1,2})\2(?:\d{4}|\d{2})(?![\d.,])")


def _doubt_locale(fields: dict[str, Field], locale: DocumentLocale, warnings: list[str]) -> None:
    """A currency read from a bare ``$`` that nothing on the page names (a UK VAT id beside "$"),
    and a date that reads both ways (``03/12/2024``) where the page's country and currency
    disagree about the order: never sure, and said so."""
    currency = fields.get("currency")
    if locale.dollar_doubt and currency is not None and "$" in currency.text and currency.confidence > DOUBTFUL_DOLLAR:
        fields["currency"] = replace(currency, confidence=DOUBTFUL_DOLLAR)
        warnings.append(f"currency: '$' read as {currency.value}, but nothing on the page says which dollar")
    if not locale.order_doubt:
        return
    for name in ("issue_date", "due_date"):
        found = fields.get(name)
        match = _AMBIGUOUS_DATE.search(found.text) if found is not None else None
        if found is None or match is None or int(match[1]) == int(match[3]) or int(match[1]) > 12 or int(match[3]) > 12:
            continue
        if found.confidence > DOUBTFUL_ORDER:
            fields[name] = replace(found, confidence=DOUBTFUL_ORDER)
        warnings.append(f"{name}: {found.text} may be day or month first; read as {found.value}")


def invoice_number_of(text: PdfText) -> Field | None:
    """The invoice number the label logic reads from ``text`` (one page of a PDF that may hold
    several invoices): what the splitter compares page by page, without the ranker's cost."""
    reader = Reader(text)
    items, headers = read_lines(reader.lines, reader.decimal_mark)
    return _by_labels(reader, gather(reader, items, headers, every=False), []).get("invoice_number")


def _by_labels(reader: Reader, found: dict[str, list[Candidate]], warnings: list[str]) -> dict[str, Field]:
    """The label logic's choice: the best score per field, totals by arithmetic, then guesses."""
    fields = reconcile(found, warnings)
    for name in KINDS:
        if name in TOTALS or not found[name]:
            continue
        ranked = best(found[name], latest=name == "amount_due")
        fields[name] = ranked[0].to_field()
        rivals = {c.value for c in ranked if c.score == ranked[0].score} - {ranked[0].value}
        if rivals and name not in ("currency", "amount_due"):
            warnings.append(f"{name}: also found {', '.join(sorted(rivals))}; took {ranked[0].value}")
    avoid = {fields["buyer_name"].value} if "buyer_name" in fields else set()
    guess = letterhead.seller_from_letterhead(reader.lines, reader.hits, reader.height, avoid)
    seller = fields.get("seller_name")
    if guess and (
        seller is None
        or seller.method == "pattern"
        and len(guess.value) > len(seller.value)
        and guess.value.lower().startswith(seller.value.lower())
    ):
        fields["seller_name"] = guess.to_field()  # none found, or the sender line's short form of it
    if "buyer_name" not in fields:
        seller_name = fields["seller_name"].value if "seller_name" in fields else ""
        for phrase in letterhead.address_blocks(reader.lines, reader.hits, reader.height):
            name = phrase.text.strip(" ,")
            if name.lower() != seller_name.lower() and not seller_name.lower().startswith(name.lower()):
                fields["buyer_name"] = Candidate("buyer_name", name, phrase.words, 0.5, "pattern").to_field()
                break
    return fields


def _rate(text: str) -> str:
    return format_quantity(Decimal(text.replace(",", ".")))


def _tax_lines(found: dict[str, list[Candidate]], fields: dict) -> list[dict]:
    """One tax line per printed rate (``VAT 20%  16.94``), kept when they add up to the tax total."""
    if "tax_total" not in fields:
        return []
    by_line: dict[tuple[int, int], Candidate] = {}
    for candidate in found["tax_total"]:
        if candidate.rate is None or candidate.method != "label":
            continue
        key = (candidate.words[0].page, round(candidate.words[0].top))
        if key not in by_line or candidate.score > by_line[key].score:
            by_line[key] = candidate
    chosen = sorted(by_line.values(), key=lambda c: c.where)
    if not chosen or sum((Decimal(c.value) for c in chosen), Decimal(0)) != Decimal(fields["tax_total"].value):
        return []
    lines = []
    for candidate in chosen:
        field = candidate.to_field()
        lines.append(
            {
                "rate": Field(
                    candidate.rate or "", field.confidence, field.page, field.bbox, candidate.rate or "", "label"
                ),
                "amount": field,
            }
        )
    return lines
