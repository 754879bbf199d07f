"""Traits of real invoices that defeated the reader, drawn for the training family of
:mod:`backoffice.demo.varied`: buyers that are persons or printed in capitals, window-envelope
address blocks on either side with no label, party headings such as "To" / "Recipient" /
"Biller", the due date in a sentence or only as payment terms ("payable within 30 days": no date
to read), the amount due among the invoice details at the top, and dates in the item table.

They are drawn from a generator of their own (seeded by the document), so that the draws of
:func:`~backoffice.demo.varied.make_spec` and the held-out family stay as they were.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backoffice.demo.varied import Spec

PEOPLE = [
    "Maria Keller",
    "John Smith",
    "Anna Nowak",
    "Pierre Martin",
    "Lucía Fernández",
    "Jan de Vries",
    "Erik Johansson",
    "Giulia Bianchi",
    "Petr Svoboda",
    "Mette Nielsen",
    "Ola Nordmann",
    "Ryan Fobel",
    "Sarah O'Connor",
    "Thomas Müller",
]
# Party headings real invoices print besides the usual ones (English only: the label
# vocabulary knows them; the layout has to tell the rest).
HEADINGS = {"buyer": ["To", "Recipient", "Client", "Customer"], "seller": ["From", "Biller", "Issued by"]}
# The due date in a sentence, and payment terms that print no date (then there is no due date).
DUE_SENTENCES = {
    "en": ["Please transfer the amount by {date}.", "Payment is due on {date}.", "Please pay before {date}."],
    "de": ["Bitte überweisen Sie den Betrag bis zum {date}.", "Zahlbar bis {date} ohne Abzug."],
    "fr": ["Merci de régler avant le {date}.", "Paiement à effectuer avant le {date}."],
    "nl": ["Gelieve te betalen vóór {date}.", "Te betalen uiterlijk op {date}."],
    "es": ["Rogamos efectúe el pago antes del {date}."],
    "it": ["Si prega di pagare entro il {date}."],
}
TERMS = {
    "en": [
        "Payment is due within {days} days from date of invoice.",
        "Terms: Net {days}",
        "Payable within {days} days.",
    ],
    "de": ["Zahlbar innerhalb von {days} Tagen ohne Abzug.", "Zahlungsziel: {days} Tage netto"],
    "fr": ["Paiement à {days} jours date de facture.", "Conditions de paiement : {days} jours net"],
    "nl": ["Betaling binnen {days} dagen na factuurdatum."],
    "es": ["Pago a {days} días fecha factura."],
    "it": ["Pagamento a {days} giorni data fattura."],
}


def apply(spec: Spec) -> None:
    """Draw the traits of ``spec`` (training family only) into ``spec.extras`` and its parties."""
    side = random.Random(f"traits-{spec.number}-{spec.vat_id}")
    style = side.choices(["company", "person", "upper", "attn"], [0.55, 0.2, 0.15, 0.1])[0]
    if style == "person":
        spec.buyer[0] = side.choice(PEOPLE)
    elif style == "upper":  # "KERMENE / 13 LE PEREY / 22330 LE MENE"
        if side.random() < 0.5:
            spec.buyer[0] = spec.buyer[0].split()[0].upper()
        spec.buyer[:] = [line.upper() for line in spec.buyer]
    elif style == "attn":  # a contact person under the company
        spec.buyer.insert(1, side.choice(["Attn: ", "z. Hd. ", "c/o ", ""]) + side.choice(PEOPLE))
    if side.random() < 0.1:
        spec.seller[0] = spec.seller[0].upper()
    spec.extras["window_right"] = spec.parties == "window" and side.random() < 0.45
    spec.extras["sender_line"] = spec.parties != "window" or side.random() < 0.7
    if spec.lang == "en" and side.random() < 0.35:
        spec.words["buyer"] = side.choice(HEADINGS["buyer"])
        spec.words["seller"] = side.choice(HEADINGS["seller"])
    due_style = side.choices(["row", "sentence", "terms"], [0.65, 0.2, 0.15])[0]
    if spec.lang not in DUE_SENTENCES:
        due_style = "row"
    if due_style == "terms":
        days = (spec.due - spec.issued).days if spec.due else side.choice([14, 30])
        spec.extras["terms"] = side.choice(TERMS[spec.lang]).format(days=days)
        spec.due = None  # the page prints no due date
    elif due_style == "sentence" and spec.due:
        spec.extras["due_sentence"] = side.choice(DUE_SENTENCES[spec.lang])
    spec.extras["due_in_details"] = spec.extras["due_amount"] and side.random() < 0.3
    spec.extras["item_dates"] = side.random() < 0.2
