"""The expression language: Decimal money, dates, records and tables, and every bound."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from simpleeval import AttributeDoesNotExist, FeatureNotAvailable, InvalidExpression, IterableTooLong, NumberTooHigh

from backoffice.rules import expressions
from backoffice.rules.expressions import Evaluator, ExpressionError, TooComplex, parse
from backoffice.rules.helpers import HELPERS
from backoffice.rules.values import Record, Rows


def run(text: str, **names):
    return Evaluator(names, dict(HELPERS)).run(parse(text))


def test_literals_with_a_point_are_decimal_and_money_stays_exact():
    assert run("0.1 + 0.2") == Decimal("0.3")
    assert run("x * 3", x=Decimal("33.33")) == Decimal("99.99")
    assert run("10 / 4") == Decimal("2.5") and isinstance(run("1 / 3"), Decimal)
    assert run("2 ** -1") == Decimal("0.5")


def test_date_arithmetic():
    names = {"due": date(2026, 3, 1), "issued": date(2026, 1, 1)}
    assert run("due - issued <= days(60)", **names)
    assert not run("due - issued <= days(58)", **names)
    assert run("issued + weeks(2)", **names) == date(2026, 1, 15)
    assert run("due.year * 100 + due.month", **names) == 202603
    assert run("(due - issued).days", **names) == 59


def test_records_and_tables():
    lines = Rows([Record({"amount": Decimal("10.00"), "type": "a"}), Record({"amount": Decimal("2.50"), "type": "b"})],
                 ["amount", "type"])  # fmt: skip
    assert run("sum(lines.amount)", lines=lines) == Decimal("12.50")
    assert run("[l.type for l in lines if l.amount > 5]", lines=lines) == ["a"]
    assert run("len(lines) == 2 and lines[1].type == 'b'", lines=lines)
    assert run("vendor.iban", vendor=Record({"iban": "DE1"})) == "DE1"
    with pytest.raises(AttributeDoesNotExist):
        run("vendor.ibn", vendor=Record({"iban": "DE1"}))


def test_reads_lists_names_and_columns_in_order():
    assert parse("approx(net + tax, vendor.limit) and len([l for l in lines if l.x])").reads == (
        "net", "tax", "vendor.limit", "lines")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("x.__class__", "attributes starting with '_' are not allowed: .__class__"),
        ("__import__('os')", "names starting with '_' are not allowed: __import__"),
        ("'a'.upper()", "only helper functions can be called (no methods)"),
        ("lambda: 1", "lambda is not allowed in rule expressions"),
        ("f'{x}'", "an f-string is not allowed in rule expressions"),
        ("(y := 1)", "':=' is not allowed in rule expressions"),
        ("1 << 80", "'<<' is not allowed in rule expressions"),
        ("b'x'", "bytes literals are not allowed"),
        ("x +", "syntax error: invalid syntax"),
        ("", "the expression is empty"),
        ("1 + " * 600 + "1", f"the expression is longer than {expressions.MAX_LENGTH} characters"),
        ("-" * 40 + "1", f"the expression is nested more than {expressions.MAX_DEPTH} levels deep"),
        ("[" + ", ".join(["1"] * 450) + "]", f"the expression has more than {expressions.MAX_NODES} parts"),
        ("{**x}", "'**' arguments are not allowed"),
    ],
)
def test_what_parsing_refuses(text, error):
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert caught.value.message.startswith(error)


def test_a_syntax_error_has_its_column():
    with pytest.raises(ExpressionError) as caught:
        parse("grand_total > > 1")
    assert (caught.value.line, caught.value.column) == (1, 15)


@pytest.mark.parametrize(
    ("text", "names", "error"),
    [
        ("x.real", {"x": 1}, FeatureNotAvailable),
        ("x.upper", {"x": "a"}, FeatureNotAvailable),
        ("approx", {}, InvalidExpression),
        ("nope(1)", {}, InvalidExpression),
        ("9 ** 9 ** 9", {}, NumberTooHigh),
        ("2 ** 300", {}, NumberTooHigh),
        ("(10 ** 70) * (10 ** 70)", {}, NumberTooHigh),
        ("'x' * 10 ** 6", {}, IterableTooLong),
        ("[1] * 200000", {}, IterableTooLong),
        ("s + s", {"s": "y" * 60_000}, IterableTooLong),
        ("[[a for a in l] for b in l]", {"l": list(range(200))}, IterableTooLong),
        ("f % 1", {"f": "%0999999999d"}, IterableTooLong),  # the width is measured before formatting
        ("f % 1", {"f": "%.999999999f"}, IterableTooLong),
        ("'%*d' % (9, 1)", {}, FeatureNotAvailable),
        ("'%s' % (l,)", {"l": ["x" * 99_999] * 99_999}, FeatureNotAvailable),  # a list's text is not measured
        ("'%d' % n", {"n": Decimal("1e999999999")}, NumberTooHigh),
        ("[s * 99999 for x in l]", {"s": "a", "l": list(range(10_000))}, IterableTooLong),  # 1 GB in all
    ],
)
def test_what_evaluation_refuses(text, names, error):
    with pytest.raises(error):
        run(text, **names)


def test_percent_formats_texts_and_takes_remainders():
    assert run("'%s-%05d (%.2f%%)' % ('INV', 42, 19.5)") == "INV-00042 (19.50%)"
    assert run("'%(n)s' % {'n': x}", x="a") == "a"
    assert run("n % 7", n=Decimal(10)) == Decimal(3) and run("10 % 4") == 2


def test_the_step_budget_bounds_the_work(monkeypatch):
    monkeypatch.setattr(expressions, "MAX_STEPS", 1_000)
    assert run("sum([x for x in l])", l=list(range(100))) == 4950
    evaluator = Evaluator({"l": list(range(600))}, dict(HELPERS))
    with pytest.raises(TooComplex):
        evaluator.run(parse("sum([x + x for x in l])"))
    assert evaluator.steps == 1_001


def test_dates_timedeltas_and_none_attributes():
    with pytest.raises(AttributeDoesNotExist):
        run("d.weekday", d=date(2026, 1, 1))
    assert run("t.days", t=timedelta(days=3)) == 3
    with pytest.raises(TypeError):
        run("vendor.iban", vendor=None)
