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
# What utility bills print over the charges of the period instead of a total label.
CHARGES = {
    "en": ["New Charges This Bill", "Current charges", "Charges for this period", "Total current charges"],
    "de": ["Kosten dieser Abrechnung", "Aktuelle Kosten"],
    "fr": ["Montant de cette facture", "Consommation de la période"],
    "nl": ["Kosten deze periode", "Huidige kosten"],
}
# A notice with a date that is neither the issue nor the due date.
NOTICES = {
    "en": ["We are updating our Conditions of Service, effective {date}.", "New prices apply from {date}."],
    "de": ["Unsere neuen Preise gelten ab dem {date}.", "Nächste Ablesung am {date}."],
    "fr": ["Nos nouveaux tarifs s'appliquent à partir du {date}.", "Prochain relevé le {date}."],
    "nl": ["Onze nieuwe tarieven gelden vanaf {date}.", "Volgende meteropname op {date}."],
    "es": ["Las nuevas tarifas se aplican desde el {date}.", "Próxima lectura el {date}."],
    "it": ["Le nuove tariffe si applicano dal {date}.", "Prossima lettura il {date}."],
    "pl": ["Nowe ceny obowiązują od {date}.", "Następny odczyt {date}."],
    "cs": ["Nové ceny platí od {date}.", "Další odečet {date}."],
    "sv": ["Nya priser gäller från {date}.", "Nästa avläsning {date}."],
    "da": ["Nye priser gælder fra {date}.", "Næste aflæsning {date}."],
    "no": ["Nye priser gjelder fra {date}.", "Neste avlesning {date}."],
}


def apply(spec: Spec) -> None:
    """Draw the bill traits of ``spec`` (training family only) into ``spec.extras`` and its amounts."""
    side = random.Random(f"bills-{spec.number}-{spec.vat_id}")
    if not spec.credit and side.random() < 0.1:  # paid in full: the amount due is 0.00
        spec.paid = spec.total + spec.previous
        spec.extras["due_amount"] = True
        spec.extras["paid_stamp"] = side.random() < 0.5
    if len(spec.items) <= 6 and side.random() < 0.3:
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
            "top": side.random() < 0.4,  # the period above the charges ("Energy Charge DEC 05 2018 to JAN 04 2019")
            "notice": side.choice(NOTICES.get(spec.lang, NOTICES["en"])) if side.random() < 0.5 else None,
            "notice_day": spec.issued + timedelta(days=side.randrange(20, 90)),
        }
        if spec.lang in CHARGES and side.random() < 0.4:  # the total under a name no label vocabulary knows
            spec.words["total"] = side.choice(CHARGES[spec.lang])


def draw_period(pdf: _Page, spec: Spec, y: float) -> float:
    """Print the billing period above the charges at ``y`` when the bill puts it there; the next ``y``."""
    meter = spec.extras.get("meter")
    if not meter or not meter["top"]:
        return y
    pdf.put(20, y, _period(spec, meter), 8.5)
    return y + 6


def draw(pdf: _Page, spec: Spec, y: float) -> float:
    """Print the paid stamp, the billing period, the meter readings and a notice at ``y`` (under the
    items); the next ``y``."""
    from backoffice.demo.varied_blocks import day

    words = WORDS.get(spec.lang, WORDS["en"])
    if spec.extras.get("paid_stamp") and y < 250:
        pdf.put(150, y, words[8], 12, "B")
        y += 7
    meter = spec.extras.get("meter")
    if not meter or y > 200:
        return y
    if not meter["top"]:
        pdf.put(20, y, _period(spec, meter), 8.5)
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
    used = _reading(spec, meter["used"], meter["places"])
    pdf.put(20, y, f"{words[7]}{spec.colon or ':'} {used} {meter['unit']}", 8.5)
    y += 6
    if meter["notice"]:
        pdf.put(20, y, meter["notice"].format(date=day(spec, meter["notice_day"])), 8.5)
        y += 6
    return y + 1


def _period(spec: Spec, meter: dict) -> str:
    """ "Billing period: 05.12.2018 to 04.01.2019", "vom 05.12.2018 bis 04.01.2019"."""
    from backoffice.demo.varied_blocks import day

    words = WORDS.get(spec.lang, WORDS["en"])
    period = " ".join(p for p in (words[1], day(spec, meter["start"]), words[2], day(spec, meter["end"])) if p)
    return f"{words[0]}{spec.colon or ':'} {period}" if meter["labelled"] else period


def _reading(spec: Spec, value: Decimal, places: int) -> str:
    """A meter count as the document writes numbers, without grouping: ``66647.770``, ``66647,77``."""
    text = f"{value:.{places}f}"
    return text.replace(".", ",") if spec.money in ("de", "fr") else text
