"""Tell what a document is from its words: ``invoice``, ``credit_note``, ``timesheet``, ``order``
or ``unknown``.

Each kind has title words (strong evidence, counted three times on the first page's upper
half) and words that only lean towards it; the kind with the most evidence wins, and a
document with no evidence at all is ``unknown``.
"""

from __future__ import annotations

import re
from collections import Counter

from backoffice.documents.layout import Line

# The titles of a credit note in the 13 languages (the letterhead's reader says ``credit_note`` by them too).
CREDIT_TITLES = (
    r"credit note|credit memo|gutschrift|rechnungskorrektur|avoir|note de crédit|creditnota|creditfactuur"
    r"|nota de crédito|factura rectificativa|nota di credito|fattura di storno|faktura korygująca|korekta(?: faktury)?"
    r"|opravný daňový doklad|dobropis|kreditnota|kreditfaktura|hyvityslasku"
    r"|πιστωτικ[οό] τιμολ[οό]γιο|кредитно известие"
)
_TITLES: dict[str, str] = {
    "credit_note": CREDIT_TITLES,
    "invoice": r"(?:tax |commercial |vat |pro ?forma )?invoice|(?:handels|waren|teil|schluss|abschlags|sammel)?rechnung|facture|factuur|factura|bill|fattura|fatura"
               r"|honorarnote|honorarrechnung|kostennote|fatura[- ]recibo|factura[- ]recibo|fatura simplificada|factura simplificada"
               r"|factura electr[oó]nica(?: de (?:venta|exportaci[oó]n))?|boleta de venta(?: electr[oó]nica)?"
               r"|御?請求書|(?:전자)?세금계산서|청구서|bill of supply|cash memo"
               r"|számla|factur[ăa]|ra[čc]un|arve|s[ąa]skaita fakt[ūu]ra|pvm s[ąa]skaita fakt[ūu]ra|r[ēe]ķins"
               r"|faktura|faktúra|lasku|rachunek|nota fiscal|daňový doklad|reikningur"
               r"|τιμολ[οό]γιο(?: (?:πώλησης|πωλησης|παροχής υπηρεσιών|παροχης υπηρεσιων))?|фактура"
               r"|danfs?-?e|documento auxiliar(?: da nota fiscal(?: de serviço)?(?: eletr[oô]nica)?)?",
    "timesheet": r"time ?sheet|time ?card|time report|stundenzettel|stundennachweis|arbeitszeitnachweis"
                 r"|zeiterfassung|stundenaufstellung|feuille de temps|relevé d'heures|urenstaat|urenbriefje"
                 r"|hoja de horas|parte de horas",
    "order": r"purchase order|order confirmation|bestellung|auftrag|bon de commande|commande|inkooporder"
             r"|bestelling|pedido|orden de compra|order",
}
_HINTS: dict[str, str] = {
    "invoice": r"invoice (?:no|number|date)|rechnungs(?:nummer|datum|betrag)|rechnungs-?nr|due date|fällig|amount due|iban"
               r"|total ttc|net à payer|zahlbar|date d'échéance|factuurnummer|vervaldatum|beleg-?(?:nr|datum)"
               r"|rechnungsempfänger|bill(?:ed)? to|invoice to|factur[ée] à"
               # the same in the further languages: the invoice's number, its due date, what is left to pay
               r"|numero (?:di )?fattura|data (?:di )?scadenza|scadenza|totale da pagare|n[úu]mero da fatura|vencimento"
               r"|valor a pagar|fecha de vencimiento|n[úu]mero de factura|numer faktury|nr faktury|termin płatności"
               r"|do zapłaty|číslo faktury|datum splatnosti|splatnost|k úhradě|faktura ?nr|fakturanummer|fakturanr"
               r"|fakturadat(?:o|um)|förfallodat(?:um|ag)|forfaldsdato|forfallsdato|att betala|at betale|å betale"
               r"|laskun numero|laskunumero|eräpäivä|maksettava",
    "timesheet": r"hours|stunden|heures|uren|horas|overtime|überstunden|employee|mitarbeiter|approved by"
                 r"|genehmigt|project|projekt|cost cent(?:re|er)|kostenstelle",
    "order": r"order (?:no|number|date)|po (?:no|number)|bestell(?:nummer|datum)|delivery date|liefertermin"
             r"|ship to|deliver to|lieferadresse|date de livraison|please deliver|bitte liefern",
}
_LETTER_SPACED = re.compile(r"(?<=\b\w) (?=\w\b)")
# a word after a title word that makes it a label: "Order No.", "Invoice Ref.", "Invoice Address", "Invoice Date"
_LABEL_WORD = re.compile(
    r"\s*(?:no\b\.?|nr\b\.?|number|nummer|numéro|número|#|ref\b\.?|reference|date|datum|address|adresse|to\b|period"
    r"|total|amount|details)",
    re.IGNORECASE,
)
# "Your order 4711", "Su pedido": a reference to another document, not this one's title
_YOURS = re.compile(r"\b(?:your|our|su|sus|votre|vos|notre|ihre?|unsere?|uw|onze|vostro|vostra|seu|sua|din|ditt|deres"
                    r"|jeres|teidän|wasze|vaše)\s*$", re.IGNORECASE)
_NUMBERED = re.compile(r"\s*(?:n\.?\s?[°ºo]\.?|nr\.?|no\.|number|nummer|numéro|número|numero|numer|núm\.?|nro\.?|č\.|číslo|#)?"
                       r"\s*\S*\d", re.IGNORECASE)
_TITLE_RES = {kind: re.compile(rf"\b(?:{p})\b", re.IGNORECASE) for kind, p in _TITLES.items()}
_WHOLE_TITLE = re.compile("|".join(f"(?:{p})" for p in _TITLES.values()), re.IGNORECASE)
_KIND_TITLE = {kind: re.compile(p, re.IGNORECASE) for kind, p in _TITLES.items()}
_HINT_RES = {kind: re.compile(rf"\b(?:{p})\b", re.IGNORECASE) for kind, p in _HINTS.items()}


def is_title(text: str, kind: str | None = None) -> bool:
    """Whether ``text`` is a document's title alone, of any kind in any language ("TAX INVOICE",
    "Faktura", "DOCUMENTO AUXILIAR" of a DANFE), or of ``kind``: no party's name."""
    pattern = _WHOLE_TITLE if kind is None else _KIND_TITLE[kind]
    plain = _LETTER_SPACED.sub("", " ".join(text.strip(" :.").split()))  # I N V O I C E
    # or titles parted by slashes: "Tax Invoice/Bill of Supply/Cash Memo"
    return bool(pattern.fullmatch(plain)) or "/" in plain and all(_WHOLE_TITLE.fullmatch(p.strip()) for p in plain.split("/"))


def _title_votes(text: str, top: bool) -> list[tuple[str, int]]:
    """The kinds whose title words ``text`` (one phrase) holds: 3 votes for a title (alone or with
    its number, in the upper half of page 1), 1 for the word in a label or a sentence."""
    found = []
    for kind, pattern in _TITLE_RES.items():
        for match in pattern.finditer(text):
            rest = text[match.end() :]
            # a title, not a sentence, nor a quantity's unit in an item's row ("1 Auftrag")
            alone = len(text.strip()) <= len(match.group(0)) + 25 and not re.search(r"\d", text[: match.start()])
            numbered = not text[: match.start()].strip() and _NUMBERED.match(rest)  # "Factura nº 5 de..."
            # "Bestellung: 4711", "Auftrag-Nr", "Order No.", "Invoice Address": a label of another thing
            label = rest.lstrip().startswith((":", "-")) or not numbered and bool(_LABEL_WORD.match(rest))
            sentence = rest.startswith(("!", "?"))  # "... für Ihren / Auftrag!": a wrapped sentence's end
            yours = _YOURS.search(text[: match.start()])
            found.append((kind, 3 if top and (alone or numbered) and not (label or yours or sentence) else 1))
    return found


def detect_kind(lines: list[Line], height: float = 842.0) -> str:
    """The kind of document ``lines`` (of all pages) most likely are."""
    votes: Counter[str] = Counter()
    hinted: dict[str, set[str]] = {kind: set() for kind in _HINT_RES}
    first_page = lines[0].page if lines else 1
    for line in lines:
        text = _LETTER_SPACED.sub("", line.text)  # W A R E N R E C H N U N G
        top = line.page == first_page and line.top < height * 0.5
        for phrase in line.phrases:  # a title is alone in its phrase, whatever else its line holds
            for kind, count in _title_votes(_LETTER_SPACED.sub("", phrase.text), top):
                votes[kind] += count
        for kind, pattern in _HINT_RES.items():
            hinted[kind].update(m.group(0).lower() for m in pattern.finditer(text))
    for kind, words in hinted.items():
        votes[kind] += len(words)  # each hint once: a form repeats its labels, items repeat "hours"
    if votes["credit_note"] and votes["credit_note"] * 2 >= votes["invoice"]:
        votes["credit_note"] += votes["invoice"]  # a credit note is an invoice, said negatively
    if not votes:
        return "unknown"
    # a tie goes to the invoice: most documents read are invoices
    kind, count = max(votes.items(), key=lambda item: (item[1], item[0] in ("credit_note", "invoice")))
    return kind if count >= 2 else "unknown"
