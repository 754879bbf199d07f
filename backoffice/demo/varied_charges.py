"""Traits of real invoices' taxes and totals, drawn for the training family of
:mod:`backoffice.demo.varied`: a second tax of another kind printed beside the VAT (``Impuesto
municipal 1,00%``, ``Taxe de séjour``, ``Kurtaxe``: added to the grand total, but the tax total
is the VAT's), a sales tax named by its kind alone (``Transaction Tax``, ``City Tax``: then it is
the tax total), and totals printed without a net amount (the charges, the tax and the grand
total, as a receipt prints them: there is no net total to read).

They are drawn from a generator of their own (seeded by the document), so that the draws of
:func:`~backoffice.demo.varied.make_spec`, the other traits and the held-out family stay as they were.
"""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backoffice.demo.varied import Spec

_CENT = Decimal("0.01")
# Taxes and levies of another kind than the VAT, per language (the label vocabulary knows them).
LEVY = {
    "en": ["Municipal Tax", "City Tax", "Excise Tax", "Tourism Tax", "Occupancy Tax", "Local Tax"],
    "de": ["Kurtaxe", "Beherbergungssteuer", "Tourismusabgabe"],
    "fr": ["Taxe de séjour", "Taxe municipale", "Écotaxe"],
    "nl": ["Toeristenbelasting", "Gemeentebelasting"],
    "es": ["Impuesto municipal", "Impuesto provincial", "Impuestos internos"],
    "it": ["Imposta di soggiorno", "Tassa di soggiorno"],
    "pl": ["Opłata miejscowa", "Podatek akcyzowy"],
    "cs": ["Místní poplatek", "Spotřební daň"],
    "sv": ["Punktskatt", "Energiskatt"],
    "da": ["Punktafgift", "Miljøafgift"],
    "no": ["Miljøavgift", "Energiavgift"],
}
# A sales tax named by its kind: the only tax of the document.
KIND_ONLY = ["Transaction Tax", "City Tax", "Excise Tax", "Local Tax", "County Tax", "Occupancy Tax"]


def apply(spec: Spec) -> None:
    """Draw the tax and totals traits of ``spec`` (training family only) into ``spec.extras``."""
    side = random.Random(f"charges-{spec.number}-{spec.vat_id}")
    levy, kind_only, no_net = side.random(), side.random(), side.random()
    if levy < 0.1 and spec.lang in LEVY and spec.tax:
        rate = Decimal(side.choice(["1", "2", "3", "0.5", "1.5"]))
        label = side.choice(LEVY[spec.lang])
        if side.random() < 0.5:
            label = f"{label} {rate.normalize():f}%"
        amount = (spec.net * rate / 100).quantize(_CENT, ROUND_HALF_UP)
        if amount:
            spec.extras["levy"] = (label, amount)
    elif kind_only < 0.3 and spec.lang == "en" and len(spec.rates) == 1:
        spec.words["tax"] = side.choice(KIND_ONLY)
    if no_net < 0.07:
        spec.extras["no_net"] = True  # no net row: the charges, the tax and the total


def levy(spec: Spec) -> Decimal:
    """The other tax's amount (0 when the document prints none): part of the grand total."""
    found = spec.extras.get("levy")
    return found[1] if found else Decimal(0)
