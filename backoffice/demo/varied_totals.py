"""Traits of real invoices' references and amounts due, drawn for the training family of
:mod:`backoffice.demo.varied`: the seller's own order number printed beside the buyer's order
(``Ordernr. 4550219`` and ``Uw bestelling 3389``: the order reference is the buyer's), and the
amount due printed only in a payment schedule under the totals (``Date échéance  Mode règlement
Montant`` over ``15/12/2022  Virement  74,70 €``).

They are drawn from a generator of their own (seeded by the document), so that the draws of
:func:`~backoffice.demo.varied.make_spec`, the other traits and the held-out family stay as they were.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backoffice.demo.varied import Spec, _Page

# The buyer's order, labelled as the buyer's; and the label of the seller's own order number.
YOUR_ORDER = {
    "en": ["Your order", "Your order no.", "Your PO", "Customer order"],
    "de": ["Ihre Bestellung", "Ihre Bestellnummer", "Ihr Auftrag"],
    "fr": ["Votre commande", "V/Réf."],
    "nl": ["Uw bestelling", "Uw referentie", "Uw ordernummer"],
    "es": ["Su pedido", "Su referencia"],
    "it": ["Vostro ordine", "Vs. rif."],
    "pl": ["Wasze zamówienie", "Zamówienie klienta"],
    "cs": ["Vaše objednávka", "Vaše značka"],
    "sv": ["Er beställning", "Er referens"],
    "da": ["Jeres ordre", "Jeres reference"],
    "no": ["Deres bestilling", "Deres referanse"],
}
OUR_ORDER = {
    "en": ["Order No.", "Sales order", "Order number"],
    "de": ["Auftragsnummer", "Auftrags-Nr.", "Bestellnummer"],
    "fr": ["N° de commande", "Commande"],
    "nl": ["Ordernr.", "Ordernummer"],
    "es": ["Número de pedido", "Pedido"],
    "it": ["Ordine n.", "Numero ordine"],
    "pl": ["Zamówienie nr", "Nr zamówienia"],
    "cs": ["Objednávka č.", "Číslo objednávky"],
    "sv": ["Ordernummer", "Ordernr."],
    "da": ["Ordrenummer", "Ordrenr."],
    "no": ["Ordrenummer", "Ordrenr."],
}
# A payment schedule's heading (due date, how, amount) and the way of paying it prints.
SCHEDULE = {
    "en": ("Due date", "Payment method", "Amount", "Bank transfer"),
    "de": ("Fälligkeit", "Zahlungsart", "Betrag", "Überweisung"),
    "fr": ("Date échéance", "Mode règlement", "Montant", "Virement"),
    "nl": ("Vervaldatum", "Betaalwijze", "Bedrag", "Overschrijving"),
    "es": ("Vencimiento", "Forma de pago", "Importe", "Transferencia"),
    "it": ("Scadenza", "Modalità", "Importo", "Bonifico"),
    "pl": ("Termin płatności", "Sposób płatności", "Kwota", "Przelew"),
    "cs": ("Datum splatnosti", "Forma úhrady", "Částka", "Převodem"),
    "sv": ("Förfallodatum", "Betalningssätt", "Belopp", "Banköverföring"),
    "da": ("Forfaldsdato", "Betalingsform", "Beløb", "Bankoverførsel"),
    "no": ("Forfallsdato", "Betalingsmåte", "Beløp", "Bankoverføring"),
}


def apply(spec: Spec) -> None:
    """Draw the reference and amount-due traits of ``spec`` (training family only) into ``spec.extras``."""
    side = random.Random(f"totals-{spec.number}-{spec.vat_id}")
    if spec.order and spec.lang in YOUR_ORDER and side.random() < 0.3:
        spec.words["order"] = side.choice(YOUR_ORDER[spec.lang])
        own = str(side.randrange(1000000, 9999999))
        spec.extras["seller_order"] = (side.choice(OUR_ORDER[spec.lang]) + spec.colon, own)
        rows = [(spec.words["order"] + spec.colon, spec.order), spec.extras["seller_order"]]
        # the invoice details' order rows (read by varied_blocks): the seller's above the buyer's, or below
        spec.extras["order_rows"] = rows[::-1] if side.random() < 0.6 else rows
    if spec.due and spec.lang in SCHEDULE and not spec.extras["due_amount"] and side.random() < 0.12:
        spec.extras["schedule"] = True  # the amount due printed only there


def shows_due(spec: Spec) -> bool:
    """Whether the page prints an amount due: among the totals, or in a payment schedule."""
    return bool(spec.extras["due_amount"] or spec.extras.get("schedule"))


def draw_schedule(pdf: _Page, spec: Spec, y: float) -> float:
    """The payment schedule under the totals at ``y``, when the document prints one and the page
    has room for it (:func:`~backoffice.demo.varied.truth` is taken after drawing); the next ``y``."""
    from backoffice.demo.varied_blocks import day, money

    if not spec.extras.get("schedule") or spec.due is None:
        return y
    if y > 250:  # no room left on the page: no schedule, and no amount due to read (varied.truth)
        spec.extras["schedule"] = False
        return y
    due, how, amount, way = SCHEDULE[spec.lang]
    for x, text, width, align in ((20, due, 40, "L"), (62, how, 40, "L"), (104, amount, 34, "R")):
        pdf.put(x, y + 4, text, 8, "B", width, align)
    for x, text, width, align in (
        (20, day(spec, spec.due), 40, "L"),
        (62, way, 40, "L"),
        (104, money(spec, spec.amount_due), 34, "R"),
    ):
        pdf.put(x, y + 9, text, 8.5, "", width, align)
    return y + 14
