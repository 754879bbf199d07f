"""Random and hostile expressions: none executes code, none runs past its bound.

"Executes code" is watched with a Python audit hook while expressions are checked and
evaluated: any ``exec``, ``compile``, ``import``, ``open`` or process start is recorded (except
python-stdnum loading its own modules and data files for the VAT and IBAN helpers). "Its bound"
is the evaluator's step budget and the size limits on numbers, strings and lists.
"""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import stdnum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from simpleeval import InvalidExpression

from backoffice.rules import analysis, expressions
from backoffice.rules.analysis import Shape
from backoffice.rules.expressions import Evaluator, ExpressionError, parse
from backoffice.rules.helpers import HELPERS
from backoffice.rules.values import Record, Rows

STDNUM = str(Path(stdnum.__file__).parent)
WATCHED = ("exec", "compile", "import", "open", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
           "subprocess.Popen", "os.fork", "socket.connect", "ctypes.", "os.remove", "os.rename")  # fmt: skip
EVENTS: list[tuple[str, tuple]] = []
WATCHING = [False]


def _hook(event: str, args: tuple) -> None:
    if not WATCHING[0] or not event.startswith(WATCHED):
        return
    if event == "import" and str(args[0]).startswith("stdnum"):
        return
    if event == "open" and str(args[0]).startswith(STDNUM):
        return
    EVENTS.append((event, args))


sys.addaudithook(_hook)

NAMES = {
    "grand_total": Decimal("119.00"), "net_total": Decimal("100.00"), "issue_date": date(2026, 1, 10),
    "seller_name": "Acme GmbH", "iban": "DE61190748337887623286", "missing": None,
    "vendor": Record({"iban": "DE1", "limit": Decimal("5")}, "V-1"),
    "lines": Rows([Record({"amount": Decimal("1.5"), "description": "x"})] * 3, ["amount", "description"]),
}  # fmt: skip
SHAPES = {name: Shape("value") for name in NAMES}

HOSTILE = [
    "x.__class__", "().__class__.__bases__[0].__subclasses__()", "approx.__globals__", "lines.__getitem__",
    "vendor._data", "getattr(vendor, '__class__')", "__import__('os').system('touch /tmp/pwned')",
    "open('/etc/passwd').read()", "eval('1+1')", "exec('import os')", "compile('1', 'x', 'eval')", "type(1)",
    "globals()", "lines.clear()", "seller_name.format(x=1)", "[].append", "sum.__self__", "fuzzy.__code__",
    "issue_date.__class__.__init__", "vendor.__getitem__('iban')", "(lambda: 1)()", "{**vendor}",
    "9 ** 9 ** 9 ** 9", "(2 ** 256) ** 2", "10 ** 100 * 10 ** 100", "2 ** 4000000", "-(10 ** 80) ** 3",
    "'a' * 10 ** 9", "'x' * 99999 + 'y' * 99999", "[0] * 10 ** 8", "[[x for x in lines] for y in lines]",
    "sum([x for x in lines.amount for y in lines.amount for z in lines.amount])",
    "matches('a' * 50000 + 'b', '(a+)+$')", "fuzzy('a' * 5000, 'b' * 5000)", "days(10 ** 30)",
    "money('1e999999') * money('1e999999')", "round(grand_total, 10 ** 9)", "iban_valid('DE' * 10000)",
    "'%0999999999d' % 1", "'%.999999999f' % 1", "'%*d' % (999999999, 1)", "'%s' % (['x' * 99999] * 99999,)",
    "'%(a)0999999999d' % {'a': 1}", "'%d' % money('1e999999999')", "join(['x' * 99999] * 99999)",
    "text(['x' * 99999] * 99999)", "[x * 99999 for x in ['a'] * 10000]", "text(money('1e999999999'))",
    "join([money('1e-999999999')])", "['%099999d' % 1 for x in lines * 3333]",
]  # fmt: skip
ATOMS = st.sampled_from([*NAMES, "1", "0", "2.5", "10 ** 6", "'s'", "None", "True", "[1, 2]", *HOSTILE])
BINARY = ["+", "-", "*", "/", "//", "%", "**", "==", "<", ">=", "and", "or", "in"]


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, st.sampled_from(BINARY), children).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        children.map(lambda e: f"not {e}"),
        children.map(lambda e: f"-{e}"),
        st.tuples(st.sampled_from([*HELPERS, "today"]), st.lists(children, max_size=3)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})"),
        children.map(lambda e: f"[{e} for l in lines]"),
        st.tuples(children, st.sampled_from(["amount", "__class__", "iban", "_data", "year", "real"])).map(
            lambda t: f"({t[0]}).{t[1]}"),
        children.map(lambda e: f"({e})[0]"),
    )


TREES = st.recursive(ATOMS, _combine, max_leaves=12)
EXPRESSIONS = st.one_of(
    TREES, TREES, TREES,
    st.integers(1, 3000).map(lambda n: "(" * n + "1" + ")" * n),
    st.integers(1, 3000).map(lambda n: "-" * n + "1"),
    st.integers(1, 3000).map(lambda n: "not " * n + "True"),
    st.integers(1, 1500).map(lambda n: "[" * n + "]" * n),
    st.integers(1, 5_000).map(lambda n: "'" + "x" * n + "'"),
    st.text(max_size=300),
)

RAISED = (ExpressionError, InvalidExpression, TypeError, ArithmeticError, ValueError, LookupError)


def _bounded(value) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return value.bit_length() <= 2 * expressions.MAX_INT_BITS
    if isinstance(value, str):
        return len(value) <= expressions.MAX_SEQUENCE
    if isinstance(value, (list, tuple)):
        return len(value) <= expressions.MAX_SEQUENCE and all(_bounded(v) for v in value[:100])
    return True


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EXPRESSIONS)
def test_random_and_hostile_expressions_never_escape_their_bounds(text):
    EVENTS.clear()
    try:
        expression = parse(text)
    except ExpressionError:
        return
    evaluator = Evaluator(dict(NAMES), {**HELPERS, "today": lambda: date(2026, 3, 1)})
    WATCHING[0] = True
    try:
        analysis.check(expression, SHAPES, condition=True)
        result = evaluator.run(expression)
    except RAISED:
        result = None
    finally:
        WATCHING[0] = False
    assert EVENTS == [], (text, EVENTS)
    assert evaluator.steps <= expressions.MAX_STEPS + 1, text
    assert _bounded(result), text


def test_every_hostile_expression_is_refused_or_harmless():
    for text in HOSTILE:
        test_random_and_hostile_expressions_never_escape_their_bounds.hypothesis.inner_test(text)
    assert not Path("/tmp/pwned").exists()
