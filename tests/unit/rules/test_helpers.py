"""Every helper expressions can call, through the evaluator as a rule file would call it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from backoffice.rules import helpers
from backoffice.rules.expressions import Evaluator, parse
from backoffice.rules.helpers import HELPERS
from backoffice.rules.values import HelperError, Record, Rows

LINES = Rows(
    [Record({"date": date(2026, 3, 2), "hours": Decimal(8), "project": "P-A"}),
     Record({"date": date(2026, 3, 2), "hours": Decimal("7.5"), "project": "P-B"}),
     Record({"date": date(2026, 3, 9), "hours": Decimal(4), "project": "p-a"})],
    ["date", "hours", "project"],
)  # fmt: skip


def run(text: str, **names):
    return Evaluator({"lines": LINES, **names}, {**HELPERS, "today": lambda: date(2026, 3, 1)}).run(parse(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # money
        ("approx(100.00, 100.01)", True),
        ("approx(100.00, 100.02)", False),
        ("approx(98, 100, '2%')", True),
        ("approx(97.99, 100, '2%')", False),
        ("approx(10, 10.4, 0.5)", True),
        ("money('1 234.50') + 1", Decimal("1235.50")),
        # dates
        ("days(3) + weeks(1)", timedelta(days=10)),
        ("date('2026-02-28') + days(1)", date(2026, 3, 1)),
        ("today()", date(2026, 3, 1)),
        ("month(date('2026-02-28'))", "2026-02"),
        ("iso_week(date('2026-01-01'))", "2026-W01"),
        ("iso_week(lines.date)", ["2026-W10", "2026-W10", "2026-W11"]),
        ("weekday(date('2026-03-01'))", 7),
        # identifiers
        ("compact(' de 398.259-794 ')", "DE398259794"),
        ("compact('CHE-116.281.710 MWST')", "CHE116281710"),
        ("compact('NO994158988MVA')", "NO994158988"),
        ("compact('ESB12345IVA')", "ESB12345"),
        ("compact('DE12 NOVA')", "DE12NOVA"),
        ("iban_valid('DE61 1907 4833 7887 6232 86')", True),
        ("iban_valid('DE62190748337887623286')", False),
        ("iban_valid('GB31TSKE89078666617603')", True),
        ("vat_id_valid('DE398259794')", True),
        ("vat_id_valid('DE398259795')", False),
        ("vat_id_valid('NL900712843B01')", True),
        ("vat_id_valid('GB 980 7806 84')", True),
        ("vat_id_valid('CHE-116.281.710 MWST')", True),
        ("vat_id_valid('XX123')", False),
        ("vat_id_valid(None)", False),
        # text
        ("matches('INV-2026/01', '^[A-Z]+-[0-9]{4}/[0-9]+$')", True),
        ("matches('inv 1', '^[A-Z]')", False),
        ("matches(None, 'x')", False),
        ("find('Order PO-12345 of May', 'PO-([0-9]+)')", "12345"),
        ("find('no order', 'PO-[0-9]+')", None),
        ("fuzzy('Acme GmbH', 'ACME  gmbh')", Decimal("100")),
        ("fuzzy('Becker & Söhne GmbH', 'Becker und Söhne GmbH') > 80", True),
        ("similar('Nordwind GmbH', 'Südwind AG')", False),
        ("similar('Weber Elektrotechnik GmbH', 'Weber Elektrotechnik', 85)", True),
        ("lower('ÄB') + upper('c')", "äbC"),
        ("text(date('2026-01-02'))", "2026-01-02"),
        ("join(['a', 1, None], '; ')", "a; 1; (missing)"),
        ("join(2.5)", "2.5"),  # one value is shown, not refused as "not a list"
        # tables
        ("sum(lines.hours)", Decimal("19.5")),
        ("min(lines.hours)", Decimal(4)),
        ("max(lines.hours)", Decimal(8)),
        ("max(3, 5)", 5),
        ("count(lines.project)", 3),
        ("count(lines.project, 'P-A')", 1),
        ("len(lines)", 3),
        ("unique(lines.date)", [date(2026, 3, 2), date(2026, 3, 9)]),
        ("missing(lines.project, ['P-A'])", ["P-B"]),
        ("sum_by(lines.date, lines.hours).total", [Decimal("15.5"), Decimal(4)]),
        ("sum_by(iso_week(lines.date), lines.hours).key", ["2026-W10", "2026-W11"]),
        ("any([h > 7 for h in lines.hours]) and not all(h > 7 for h in lines.hours)", True),
        ("abs(-2) + round(2.345, 2)", Decimal("4.34")),
        ("list(set(['a', 'a']))", ["a"]),
    ],
)
def test_helper(text, expected):
    assert run(text) == expected


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("sum([1, None])", TypeError, "sum() over values of which some are missing"),
        ("max([])", ValueError, "empty"),
        ("approx(None, 1)", TypeError, "approx() needs two amounts"),
        ("money('ten')", HelperError, "not an amount: ten"),
        ("date('01.02.2026')", HelperError, "not an ISO date (YYYY-MM-DD): 01.02.2026"),
        ("month('2026-01-01')", TypeError, "not a date: 2026-01-01"),
        ("matches('a', '(a)\\\\1')", HelperError, "bad pattern"),
        ("matches('a', 'x' * 600)", HelperError, "a pattern longer than 500 characters"),
        ("fuzzy('a' * 2000, 'b')", HelperError, "text longer than 1000 characters"),
        ("fuzzy(None, 'b')", TypeError, "fuzzy() needs two texts"),
        ("sum_by([1, 2], [1])", HelperError, "sum_by() needs as many keys as values"),
        ("join(['a'], 1)", TypeError, "join() takes text as its separator"),
    ],
)
def test_helper_errors(text, error, message):
    with pytest.raises(error) as caught:
        run(text)
    assert message in str(caught.value)


def test_regular_expressions_take_linear_time_on_hostile_patterns():
    # (a+)+$ on "aaaa…b" backtracks exponentially in Python's re; RE2 answers at once.
    assert run("matches(t, '(a+)+$')", t="a" * 50_000 + "b") is False


def test_every_helper_is_tested_here():
    source = open(__file__, encoding="utf-8").read()
    untested = [name for name in HELPERS if f"{name}(" not in source and name not in ("po_mismatches", "price_mismatches")]
    assert untested == []
    assert helpers.PATTERN_ARGUMENTS == {"matches": 1, "find": 1}
