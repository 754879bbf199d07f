"""Helpers for the rule tests: write a rule file, build a document from plain values."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from backoffice.rules import load_rules
from backoffice.rules.examples import document_from
from tests.conftest import ROOT

GOOD = {
    "invoice_number": "INV-2026-0042", "issue_date": "2026-01-10", "due_date": "2026-02-09",
    "seller_name": "Nordwind Bürotechnik GmbH", "seller_vat_id": "DE398259794",
    "iban": "DE61190748337887623286", "buyer_name": "Stadtwerke Musterstadt GmbH", "currency": "EUR",
    "net_total": "100.00", "tax_total": "19.00", "grand_total": "119.00",
    "lines": [{"description": "Copy paper A4", "quantity": "10", "unit_price": "10.00", "amount": "100.00"}],
}  # fmt: skip


def doc(kind: str = "invoice", **values):
    """A Document of ``kind``: the good sample invoice, changed by ``values`` (None removes a field)."""
    base = dict(GOOD) if kind == "invoice" else {}
    base.update(values)
    return document_from(kind, {k: v for k, v in base.items() if v is not None})


@pytest.fixture
def write(tmp_path: Path):
    """Write a rule file (dedented) into tmp_path and return its path."""

    def write(text: str, name: str = "rules.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path

    return write


@pytest.fixture
def rules_of(write):
    """Load a rule file written from text."""

    def load(text: str, name: str = "rules.yaml"):
        return load_rules(write(text, name))

    return load


@pytest.fixture(scope="session")
def sample():
    return load_rules(ROOT / "rules" / "invoice.yaml")
