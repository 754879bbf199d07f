"""The printed labels of invoice fields, in English, German, French, Dutch and Spanish.

A label is matched against one to four words of a line, lower-cased and without colons.
``strong`` labels name their field plainly; ``weak`` ones (``Date``, ``Total``, ``No.``) only
count at the start of a phrase and only for a value on the same line. ``OTHER`` lists labels of
things we do not read, so that ``Customer No.`` is not taken for ``Customer``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from backoffice.documents.layout import Line
from backoffice.documents.normalise import CURRENCY_CODES

_NO = r"(?:no\.?|nr\.?|n[°º]\.?|num\.?|number|numéro|numero|#|id)"
_CODES = "|".join(sorted(c.lower() for c in CURRENCY_CODES))
_RATE = r"\(?\d{1,2}(?:[.,]\d{1,3})?\s?%\)?"
# What may follow an amount label: a currency, a rate, a footnote mark.
_TAIL = rf"(?:\s?(?:\(?(?:{_CODES})\)?|\(?[€$£]\)?|{_RATE}|in (?:{_CODES})|\*+|\.|on \S+|auf \S+))*"
_TAX_WORD = r"(?:vat|tax|sales tax|gst|hst|mwst\.?|ust\.?|umsatzsteuer|mehrwertsteuer|tva|btw|iva|igst|cgst|sgst)"
_TAX_PRE = rf"(?:(?:zzgl|zuzüglich|inkl|incl|inklusive|including|plus|add|enthaltene|\+)\.?\s)?(?:{_RATE}\s?)?"

STRONG: dict[str, list[str]] = {
    "invoice_number": [
        rf"(?:tax |commercial |credit note |credit memo )?(?:invoice|inv\.?|bill|credit note|credit memo|document) ?{_NO}",
        r"(?:rechnungs|rechnung|gutschrifts|gutschrift|beleg|re)[- ]?(?:nummer|nr\.?|no\.?)",
        rf"{_NO} (?:de )?(?:la )?(?:facture|avoir)|(?:facture|avoir) {_NO}|numéro de facture",
        r"factuur ?(?:nummer|nr\.?|no\.?)|factuurnummer|creditnota ?(?:nummer|nr\.?)",
        r"n[úu]mero de factura|factura (?:n[°º.]?|no\.?|n[úu]m\.?)|n[°º] (?:de )?factura",
    ],
    "issue_date": [
        r"(?:invoice|bill|billing|issue|document|tax point|creation|credit note) date|date of (?:issue|invoice)",
        r"date issued|issued(?: on)?|invoiced on",
        r"rechnungs-?datum|beleg-?datum|ausstellungsdatum|gutschriftsdatum|liefer- und rechnungsdatum",
        r"date (?:de (?:la )?)?factur(?:e|ation)|date d'émission|factuurdatum",
        r"fecha(?: de)? (?:factura|emisión|emision|expedición)",
    ],
    "due_date": [
        r"due date|date due|payment due(?: date| by| on)?|due by|due on|pay by|payable by|payment date",
        r"(?:zahlungs)?fällig(?:keit)?(?:sdatum)?(?: am| bis)?|zahlbar bis|zahlungsziel|zahlungsfrist",
        r"date d'échéance|échéance|date limite de paiement|à payer avant le",
        r"vervaldatum|uiterste betaaldatum|fecha de vencimiento|vencimiento",
    ],
    "seller_name": [
        r"seller|vendor|supplier|sold by|issued by|verkäufer|lieferant|rechnungssteller|leistungserbringer",
        r"seller(?: trade)? name|supplier name|raison sociale du vendeur|nom du vendeur",
        r"fournisseur|vendeur|émetteur|leverancier|verkoper|proveedor|vendedor|emisor",
    ],
    "buyer_name": [
        r"bill(?:ed)? to(?: address)?|invoice(?:d)? to|sold to|buyer|customer name|client name|customer|client",
        r"rechnung an|rechnungsempfänger|leistungsempfänger|käufer(?:/leistungsempfänger)?|empfänger|kunde",
        r"factur(?:é|e|er) à|adressé à|factuur aan|gefactureerd aan|klant|factura(?:r|do) a|cliente",
        r"adresse (?:du|de) client|customer address|billing address|rechnungsadresse|buyer name",
    ],
    "order_reference": [
        r"(?:purchase )?order ?(?:no\.?|nr\.?|number|#|id|ref\.?|reference)|purchase order|your order(?: no\.?)?",
        r"p\.?o\.?(?: number| no\.?| #)?|customer order(?: no\.?)?",
        r"bestell(?:nummer|nr\.?|-nr\.?|ung(?: nr\.?)?)|ihre bestellung(?: nr\.?)?|auftrags?(?:nummer|nr\.?|-nr\.?)",
        r"(?:n[°º] )?(?:de )?(?:bon de )?commande|ordernummer|bestelnummer|n[úu]mero de pedido|pedido",
    ],
    "seller_vat_id": [
        r"vat(?: reg\.?(?:istration)?)? ?(?:no\.?|number|id|#)|vat id|vat|tax id|tva|btw(?:-?nummer| ?nr\.?)?",
        r"ust\.?-?id\.?-?(?:nr\.?)?|ust-?idnr\.?|umsatzsteuer-?id(?:entifikationsnummer)?|uid(?:-nr\.?)?",
        r"(?:n[°º] )?tva(?: intra(?:com(?:munautaire)?)?\.?)?|nif|cif|btw-id",
    ],
    "iban": [r"iban"],
    "currency": [r"currency|währung|devise|valuta|moneda"],
    "net_total": [
        rf"(?:sub ?total|subtotal|net(?: total| amount)?|total net|net total|untaxed amount){_TAIL}",
        rf"(?:total|amount) (?:excl\.?|excluding|before|without) (?:vat|tax){_TAIL}",
        rf"(?:netto(?:summe|betrag)?|nettobetrag|(?:rechnungs|gesamt)?summe netto|gesamt netto|zwischensumme|warenwert){_TAIL}",
        rf"(?:(?:rechnungs|gesamt)?betrag netto|rechnungsbetrag netto){_TAIL}",
        rf"(?:(?:rechnungs)?summe|gesamtbetrag|betrag) (?:ohne|exkl\.?|excl\.?) (?:ust|mwst|umsatzsteuer)\.?{_TAIL}",
        rf"(?:total net amount|total without (?:vat|tax)|net value|nettowert|gesamt ?netto){_TAIL}",
        rf"(?:total ht|montant ht|total hors taxes?|sous[- ]total|subtotaal|totaal excl\.? btw){_TAIL}",
        rf"(?:bedrag excl\.? btw|exclusief btw|excl\.? btw|base imponible|total sin iva|importe neto){_TAIL}",
    ],
    "tax_total": [
        rf"{_TAX_PRE}(?:total )?{_TAX_WORD}(?: amount| total)?{_TAIL}",
        rf"(?:{_TAX_WORD} ?-?(?:betrag|bedrag)|montant (?:de la )?tva|total tva|steuerbetrag){_TAIL}",
        rf"(?:{_TAX_WORD} (?:gesamt|summe|total)|(?:summe|gesamt) {_TAX_WORD}|total {_TAX_WORD} amount){_TAIL}",
    ],
    "grand_total": [
        rf"(?:grand total|total amount|invoice total|total for this invoice|gross amount|total gross){_TAIL}",
        rf"(?:total|amount)(?: (?:{_CODES}|[€$£]))? (?:incl\.?|including|with) (?:vat|tax){_TAIL}",
        rf"(?:gesamtbetrag|gesamtsumme|rechnungsbetrag|rechnungssumme|bruttobetrag|endbetrag|summe brutto){_TAIL}",
        rf"(?:bruttosumme|summe gesamt|gesamt ?brutto|gesamtbetrag brutto|rechnungsbetrag brutto){_TAIL}",
        rf"(?:(?:rechnungs|gesamt)summe brutto){_TAIL}",
        rf"(?:gesamt brutto|total ttc|montant ttc|montant total|total facture|totaal incl\.? btw){_TAIL}",
        rf"(?:totaalbedrag|inclusief btw|total factura|importe total){_TAIL}",
    ],
    "amount_due": [
        rf"(?:amount due|balance due|total due|amount payable|total amount due|please pay|due amount){_TAIL}",
        rf"(?:zahlbetrag|zu zahlen(?:der betrag)?|offener betrag|fälliger betrag){_TAIL}",
        rf"(?:net à payer|reste à payer|somme à payer|montant à payer|montant dû|te betalen){_TAIL}",
        rf"(?:openstaand bedrag|importe a pagar|total a pagar){_TAIL}",
    ],
}

WEAK: dict[str, list[str]] = {
    "invoice_number": [rf"invoice|rechnung|facture|factuur|factura|{_NO}"],
    "issue_date": [r"date|datum|fecha|data|dated"],
    "due_date": [r"due"],
    "grand_total": [rf"(?:total|summe|gesamt|totaal|brutto){_TAIL}"],
    "seller_name": [r"from"],
}

PARTY_NAME = r"name|firma|company(?: name)?|nom|raison sociale|naam|nombre|razón social"
OTHER = [
    rf"(?:customer|account|client|kunden|klant|debitor|debitoren|supplier|vendor|tax|steuer|member) ?-?{_NO}",
    r"kunden-?(?:nummer|nr\.?)|kundennr\.?|debitorennummer|n[°º] client|klantnummer|steuer-?(?:nummer|nr\.?)|st\.-?nr\.?",
    r"page|seite|phone|tel\.?|telefon|fax|e-?mail|web|website|bic|swift|siret|siren|kvk|hrb|amtsgericht",
    r"order date|delivery date|lieferdatum|leistungsdatum|bestelldatum|service date|period|zeitraum",
    r"payment terms|zahlungsbedingungen|terms|conditions|description|beschreibung|bezeichnung",
    r"ship to|shipping address|deliver to|delivery address|lieferadresse|lieferanschrift|livraison|afleveradres",
    r"(?:globale )?nummer|gln|duns|kennung|id|identifier|anschrift|address|adresse|kontakt|contact|attn\.?|z\.hd\.?",
    PARTY_NAME,
]

NAME_FIELDS = frozenset({"seller_name", "buyer_name"})


def fold(text: str) -> str:
    """``text`` without accents (``fällig`` -> ``fallig``): OCR often drops them, so labels are
    matched without."""
    if text.isascii():
        return text
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """A label pattern, accents folded like the text it is matched against."""
    return re.compile(fold(pattern))


def _compile(patterns: list[str]) -> re.Pattern[str]:
    return compile_pattern("|".join(f"(?:{p})" for p in patterns))


_STRONG = {name: _compile(pats) for name, pats in STRONG.items()}
_WEAK = {name: _compile(pats) for name, pats in WEAK.items()}
_OTHER = _compile(OTHER)
_ANY = _compile([p for pats in (*STRONG.values(), *WEAK.values()) for p in pats] + OTHER)
_COLONS = re.compile(r"\s*:\s*")
_PARTY_NAME = compile_pattern(PARTY_NAME)


def clean(text: str) -> str:
    """A label as matched: lower case, without accents, colons and doubled spaces gone."""
    return " ".join(_COLONS.sub(" ", fold(text.lower())).split())


@lru_cache(maxsize=8192)
def match(text: str) -> tuple[tuple[str, bool], ...] | None:
    """The fields a label names, each with ``True`` when strong; ``()`` for a known other label.

    ``None`` when ``text`` is no label at all.
    """
    key = clean(text)
    if not key or not _ANY.fullmatch(key):
        return None
    found = tuple((name, True) for name, pattern in _STRONG.items() if pattern.fullmatch(key))
    if found:
        return found
    if _OTHER.fullmatch(key):
        return ()
    return tuple((name, False) for name, pattern in _WEAK.items() if pattern.fullmatch(key))


def is_party_name(text: str) -> bool:
    """Whether ``text`` is a ``Name:`` label inside a seller or buyer block."""
    return bool(_PARTY_NAME.fullmatch(clean(text)))


@dataclass
class Hit:
    """A label in a line: words ``start:end`` of phrase number ``phrase``; ``fields`` as :func:`match`."""

    phrase: int
    start: int
    end: int
    fields: tuple[tuple[str, bool], ...]


def hits_of(line: Line) -> list[Hit]:
    """The labels of a line, longest first at each position.

    A label starts a phrase, or follows a value (a word with a digit) within one; only strong
    labels count in the middle of a phrase.
    """
    hits: list[Hit] = []
    for number, phrase in enumerate(line.phrases):
        words, i = phrase.words, 0
        while i < len(words):
            if i > 0 and not any(ch.isdigit() for ch in words[i - 1].text):
                i += 1
                continue
            for size in (4, 3, 2, 1):
                if i + size > len(words):
                    continue
                fields = match(" ".join(w.text for w in words[i : i + size]))
                if fields is not None and i > 0:
                    fields = tuple(f for f in fields if f[1])
                if fields and i + size < len(words) and not words[i + size - 1].text.endswith(":"):
                    # "Lieferant GmbH", "Customer Service": a name, not a party label and its value
                    fields = tuple(f for f in fields if f[0] not in NAME_FIELDS) or None
                if fields is not None:
                    hits.append(Hit(number, i, i + size, fields))
                    i += size
                    break
            else:
                i += 1
    return hits
