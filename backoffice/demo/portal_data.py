"""The demo portal's data: its faults, its state, the timesheets it lists and the files it serves.

Timesheets are generated from a seed (the same as :mod:`backoffice.demo.timesheets` prints),
so tests know what a bot should find; PDFs and CSVs are written on first download.
"""

from __future__ import annotations

import csv
import io
import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from starlette.requests import Request

from backoffice.demo import portal_pages as pages

MONEY = re.compile(r"^\d{1,9}(\.\d{1,2})?$")


@dataclass
class Faults:
    error_rate: float = 0.0  # share of GET pages that answer 500
    slow_rate: float = 0.0  # share of GET pages that answer after slow_seconds
    slow_seconds: float = 1.0
    error_every: float = 0  # every n-th GET page answers 500 (0: never); deterministic, for tests
    slow_every: float = 0  # every n-th GET page is slow (0: never)
    confirm_delay: float = 0.0  # seconds between saving an order and answering the submit
    session_seconds: float = 1800.0

    def update(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            if name not in self.__dataclass_fields__ or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"unknown fault or bad value: {name}={value!r}")
            setattr(self, name, float(value))


@dataclass
class PortalState:
    users: dict[str, str]
    faults: Faults
    timesheets: list[dict[str, Any]]
    files: Path
    rng: random.Random
    sessions: dict[str, float] = field(default_factory=dict)  # token -> expiry (time.time)
    orders: list[dict[str, Any]] = field(default_factory=list)
    stats: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def signed_in(self, request: Request) -> bool:
        token = request.cookies.get("session", "")
        return self.sessions.get(token, 0) > time.time()


def make_timesheets(count: int, seed: int) -> list[dict[str, Any]]:
    from backoffice.demo.timesheets import _sheet

    rng = random.Random(seed)
    sheets = []
    for number in range(1, count + 1):
        sheet = _sheet(rng, rng.choice((5, 8, 10)))
        sheets.append({"id": f"TS-{number:04d}", **sheet["fields"], "lines": sheet["lines"]})
    return sheets


def timesheet_file(state: PortalState, sheet: dict[str, Any], form: str) -> Path:
    from backoffice.demo.timesheets import _WORDS, _csv, _pdf

    path = state.files / f"{sheet['id']}.{form}"
    if not path.exists():
        data = {"fields": {k: v for k, v in sheet.items() if k not in ("id", "lines")}, "lines": sheet["lines"]}
        (_pdf if form == "pdf" else _csv)(path, data, _WORDS["en"], "en")
    return path


def order_file(state: PortalState, order: dict[str, Any], form: str) -> Path:
    path = state.files / f"{order['confirmation']}.{form}"
    if path.exists():
        return path
    rows = [("Confirmation", order["confirmation"]), ("Reference", order["reference"]),
            ("Order number", order["order_number"]), ("Customer", order["customer"]),
            ("Delivery date", order["delivery_date"]), ("Total", f"{order['total']} {order['currency']}")]  # fmt: skip
    if form == "csv":
        text = io.StringIO()
        csv.writer(text).writerows(rows)
        path.write_text(text.getvalue(), encoding="utf-8")
    else:
        from fpdf import FPDF

        pdf = FPDF(format="A4", unit="mm")
        pdf.add_page()
        pdf.set_font("Helvetica", "", 11)
        for label, value in rows:
            pdf.cell(50, 7, label)
            pdf.cell(100, 7, value, new_x="LMARGIN", new_y="NEXT")
        pdf.output(str(path))
    return path


def validate_order(values: dict[str, str]) -> list[str]:
    errors = []
    for name, label in (("reference", "Your reference"), ("order_number", "Order number"), ("customer", "Customer")):
        if not values.get(name, "").strip():
            errors.append(f"{label} is required")
    if not MONEY.match(values.get("total", "").strip()):
        errors.append("Total must be an amount like 1234.50")
    elif float(values["total"]) <= 0:
        errors.append("Total must be more than zero")
    try:
        date.fromisoformat(values.get("delivery_date", "").strip())
    except ValueError:
        errors.append("Delivery date must be a date YYYY-MM-DD")
    if values.get("currency") not in pages.CURRENCIES:
        errors.append("Currency is not allowed")
    return errors
