"""Traits of utility bills and settled invoices, drawn for the training family of
:mod:`backoffice.demo.varied`: a billing period printed from one date to another, meter readings
(reading dates, a meter number, counts with two or three decimals, the consumption in kWh or m³)
between the charges and the totals, and invoices paid in full, whose amount due is 0.00 (some
stamped "PAID"). What the reader must not take: a reading for a total, a reading's or a period's
date for the issue date, the amount paid for the amount due.

They are drawn from a generator of their own (seeded by the document), so that the draws of
:func:`~backoffice.demo.varied.make_spec`, of :mod:`backoffice.demo.varied_traits` and the
held-out family stay as they were.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backoffice.demo.varied import Spec, _Page

# period, from, to, meter readings, date, meter number, reading, consumption, paid stamp
WORDS: dict[str, tuple[str, ...]] = {
    "en": ("Billing period", "", "to", "Meter readings", "Date", "Meter #", "Reading", "Consumption", "PAID"),
    "de": (
        "Abrechnungszeitraum",
        "vom",
        "bis",
        "Zählerstände",
        "Datum",
        "Zählernummer",
        "Zählerstand",
        "Verbrauch",
        "BEZAHLT",
    ),
    "fr": (
        "Période de facturation",
        "du",
        "au",
        "Relevés du compteur",
        "Date",
        "N° compteur",
        "Index",
        "Consommation",
        "PAYÉ",
    ),
    "nl": ("Factuurperiode", "", "t/m", "Meterstanden", "Datum", "Meternummer", "Meterstand", "Verbruik", "BETAALD"),
    "es": (
        "Periodo de facturación",
        "del",
        "al",
        "Lecturas del contador",
        "Fecha",
        "Nº contador",
        "Lectura",
        "Consumo",
        "PAGADO",
    ),
    "it": (
        "Periodo di fatturazione",
        "dal",
        "al",
        "Letture del contatore",
        "Data",
        "Matricola",
        "Lettura",
        "Consumo",
        "PAGATO",
    ),
    "pl": (
        "Okres rozliczeniowy",
        "od",
        "do",
        "Odczyty licznika",
        "Data",
        "Nr licznika",
        "Odczyt",
        "Zużycie",
        "ZAPŁACONO",
    ),
    "cs": (
        "Zúčtovací období",
        "od",
        "do",
        "Stavy elektroměru",
        "Datum",
        "Číslo elektroměru",
        "Stav",
        "Spotřeba",
        "UHRAZENO",
    ),
    "sv": (
        "Faktureringsperiod",
        "",
        "till",
        "Mätarställningar",
        "Datum",
        "Mätarnummer",
        "Mätarställning",
        "Förbrukning",
        "BETALD",
    ),
    "da": ("Afregningsperiode", "", "til", "Måleraflæsninger", "Dato", "Målernr.", "Aflæsning", "Forbrug", "BETALT"),
    "no": ("Avregningsperiode", "", "til", "Målerstander", "Dato", "Målernr.", "Målerstand", "Forbruk", "BETALT"),
}
UNITS = ["kWh", "kWh", "m³", "m3", "KWH"]


def apply(spec: Spec) -> None:
    """Draw the bill traits of ``spec`` (training family only) into ``spec.extras`` and its amounts."""
    side = random.Random(f"bills-{spec.number}-{spec.vat_id}")
    if not spec.credit and side.random() < 0.1:  # paid in full: the amount due is 0.00
        spec.paid = spec.total + spec.previous
        spec.extras["due_amount"] = True
        spec.extras["paid_stamp"] = side.random() < 0.5
    if len(spec.items) <= 6 and side.random() < 0.15:
        days = side.choice([28, 30, 31, 59, 61, 90])
        end = spec.issued - timedelta(days=side.randrange(2, 25))
        start = end - timedelta(days=days)
        first = Decimal(side.randrange(1000, 9999999)) / 1000
        used = Decimal(side.randrange(5000, 2000000)) / 1000
        spec.extras["meter"] = {
            "start": start,
            "end": end,
            "readings": (first, first + used),
            "used": used,
            "places": side.choice([2, 3, 3]),
            "unit": side.choice(UNITS),
            "labelled": side.random() < 0.6,  # "Billing period: ..." or the two dates alone
            "number": str(side.randrange(100000, 99999999)),
        }


def draw(pdf: _Page, spec: Spec, y: float) -> float:
    """Print the billing period and the meter readings at ``y`` (under the items); the next ``y``."""
    from backoffice.demo.varied_blocks import day

    words = WORDS.get(spec.lang, WORDS["en"])
    if spec.extras.get("paid_stamp") and y < 250:
        pdf.put(150, y, words[8], 12, "B")
        y += 7
    meter = spec.extras.get("meter")
    if not meter or y > 205:
        return y
    start, end = day(spec, meter["start"]), day(spec, meter["end"])
    period = " ".join(p for p in (words[1], start, words[2], end) if p)
    pdf.put(20, y, f"{words[0]}{spec.colon or ':'} {period}" if meter["labelled"] else period, 8.5)
    y += 6
    pdf.put(20, y, words[3], 8.5, "B")
    y += 5
    for x, head, align in ((20, words[4], "L"), (60, words[5], "L"), (100, f"{words[6]} ({meter['unit']})", "R")):
        pdf.put(x, y, head, 8, "B", 36 if align == "R" else 38, align)
    y += 5
    for when, reading in ((meter["end"], meter["readings"][1]), (meter["start"], meter["readings"][0])):
        pdf.put(20, y, day(spec, when), 8.5, "", 38)
        pdf.put(60, y, meter["number"], 8.5, "", 38)
        pdf.put(100, y, _reading(spec, reading, meter["places"]), 8.5, "", 36, "R")
        y += 5
    pdf.put(
        20, y, f"{words[7]}{spec.colon or ':'} {_reading(spec, meter['used'], meter['places'])} {meter['unit']}", 8.5
    )
    return y + 7


def _reading(spec: Spec, value: Decimal, places: int) -> str:
    """A meter count as the document writes numbers, without grouping: ``66647.770``, ``66647,77``."""
    text = f"{value:.{places}f}"
    return text.replace(".", ",") if spec.money in ("de", "fr") else text
