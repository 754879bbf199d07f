"""The expression language of rule files: Python's expression syntax, evaluated safely.

Why simpleeval, and not CEL or a parser of our own:

- **Money must be exact.** simpleeval evaluates Python values, so ``Decimal`` amounts and
  ``date`` arithmetic (``due_date - issue_date <= days(60)``) work as analysts expect. CEL has
  no decimal type (money would be a double) and its Python implementations are young, large
  and much slower to evaluate.
- **It never calls Python's ``eval``.** It walks the tree ``ast.parse`` gives, one node type at
  a time, and we decide what each node may do. It is small (one module, easy to audit), pure
  Python, maintained since 2013 and widely used.
- **Its safety can be tightened, not only trusted.** We replace the parts that matter here:

  * attribute access reads only a Record's columns (``vendor.iban``), a table's column
    (``lines.amount``) or a date's ``year``/``month``/``day``; no methods, nothing starting
    with ``_``; only the helpers in :mod:`backoffice.rules.helpers` can be called;
  * numbers, strings and lists are bounded (:data:`MAX_INT_BITS`, :data:`MAX_SEQUENCE`,
    :data:`MAX_EXPONENT`) before they are built, whichever way they are built (``+``, ``*``,
    ``%`` formatting, whose widths and arguments are measured first), and one evaluation builds
    at most :data:`MAX_BUILT` characters and items in all (a comprehension of big strings);
    literals with a decimal point are ``Decimal``, never ``float``;
  * an expression is at most :data:`MAX_LENGTH` characters, :data:`MAX_NODES` nodes and
    :data:`MAX_DEPTH` levels deep (checked once, when the rule file is loaded), and one
    evaluation takes at most :data:`MAX_STEPS` node visits, so time is bounded by counting,
    not by a clock: the same document gives the same verdict on a busy machine.

Errors: :class:`ExpressionError` (found when parsing: has a position) and simpleeval's
``InvalidExpression`` subclasses (a bound was hit while evaluating).
"""

from __future__ import annotations

import ast
import operator as op
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import simpleeval
from simpleeval import (
    AttributeDoesNotExist,
    EvalWithCompoundTypes,
    FeatureNotAvailable,
    FunctionNotDefined,
    InvalidExpression,
    IterableTooLong,
    NameNotDefined,
    NumberTooHigh,
)

from backoffice.rules.values import Record, Rows

MAX_LENGTH = 2_000  # characters in one expression
MAX_NODES = 400  # syntax-tree nodes in one expression
MAX_DEPTH = 32  # nesting of the syntax tree
MAX_STEPS = 50_000  # node visits in one evaluation
MAX_SEQUENCE = 100_000  # characters in a string, items in a list
MAX_INT_BITS = 256  # whole numbers up to about 10**77
MAX_EXPONENT = 100
MAX_BUILT = 10 * MAX_SEQUENCE  # characters and items one evaluation may build in all
simpleeval.MAX_COMPREHENSION_LENGTH = 10_000

ALLOWED_NODES = (
    ast.Expression, ast.BoolOp, ast.BinOp, ast.UnaryOp, ast.Compare, ast.IfExp, ast.Call, ast.keyword,
    ast.Constant, ast.Name, ast.Attribute, ast.Subscript, ast.Slice, ast.List, ast.Tuple, ast.Set, ast.Dict,
    ast.ListComp, ast.GeneratorExp, ast.comprehension, ast.Load, ast.Store,
    ast.And, ast.Or, ast.Not, ast.USub, ast.UAdd, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv,
    ast.Mod, ast.Pow, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Is, ast.IsNot,
)  # fmt: skip
DATE_ATTRIBUTES = frozenset({"year", "month", "day"})


class ExpressionError(ValueError):
    """An expression that cannot be used; ``line``/``column`` are 1-based inside the expression."""

    def __init__(self, message: str, line: int = 1, column: int = 1):
        self.message, self.line, self.column = message, line, column
        super().__init__(message)


class TooComplex(InvalidExpression):
    """The evaluation visited more than MAX_STEPS nodes."""


@dataclass(frozen=True)
class Expression:
    """A parsed, bounded expression and the names (and ``name.column`` paths) it reads."""

    text: str
    tree: ast.expr
    reads: tuple[str, ...]


def parse(text: str) -> Expression:
    """Parse and bound one expression; raise :class:`ExpressionError` with its position."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("the expression is empty")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is longer than {MAX_LENGTH} characters")
    source = text.strip()
    offset = len(text) - len(text.lstrip())
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        line = exc.lineno or 1
        column = exc.offset or len((source.splitlines() or [""])[min(line, len(source.splitlines())) - 1]) + 1
        raise ExpressionError(f"syntax error: {exc.msg}", line, column + (offset if line == 1 else 0)) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError("the expression is nested too deeply") from None
    _bound(tree, offset)
    return Expression(text, tree.body, tuple(_reads(tree)))


def _bound(tree: ast.Expression, offset: int) -> None:
    count = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        count += 1
        where = (getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1 + offset)
        if count > MAX_NODES:
            raise ExpressionError(f"the expression has more than {MAX_NODES} parts", *where)
        if depth > MAX_DEPTH:
            raise ExpressionError(f"the expression is nested more than {MAX_DEPTH} levels deep", *where)
        if not isinstance(node, ALLOWED_NODES):
            raise ExpressionError(f"{_describe(node)} is not allowed in rule expressions", *where)
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            raise ExpressionError(f"names starting with '_' are not allowed: {node.id}", *where)
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            raise ExpressionError(f"attributes starting with '_' are not allowed: .{node.attr}", *where)
        if isinstance(node, ast.Call) and not isinstance(node.func, ast.Name):
            raise ExpressionError("only helper functions can be called (no methods)", *where)
        if (isinstance(node, ast.keyword) and node.arg is None) or (isinstance(node, ast.Dict) and None in node.keys):
            raise ExpressionError("'**' arguments are not allowed", *where)
        if isinstance(node, ast.Constant) and not isinstance(node.value, (str, int, float, bool, type(None))):
            raise ExpressionError(f"{type(node.value).__name__} literals are not allowed", *where)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _describe(node: ast.AST) -> str:
    names = {ast.Lambda: "lambda", ast.NamedExpr: "':='", ast.JoinedStr: "an f-string", ast.Starred: "'*'",
             ast.DictComp: "a dict comprehension", ast.SetComp: "a set comprehension", ast.Await: "await",
             ast.Yield: "yield", ast.BitAnd: "'&'", ast.BitOr: "'|'", ast.BitXor: "'^'", ast.Invert: "'~'",
             ast.LShift: "'<<'", ast.RShift: "'>>'", ast.MatMult: "'@'"}  # fmt: skip
    return names.get(type(node), type(node).__name__)


def dotted(node: ast.AST) -> str | None:
    """``vendor.iban`` for an attribute chain on a name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def _reads(tree: ast.AST) -> list[str]:
    local = {t.id for c in ast.walk(tree) if isinstance(c, ast.comprehension) for t in ast.walk(c.target)
             if isinstance(t, ast.Name)}  # fmt: skip
    called = {id(c.func) for c in ast.walk(tree) if isinstance(c, ast.Call)}
    inner = {id(c.value) for c in ast.walk(tree) if isinstance(c, ast.Attribute)}
    found: list[str] = []
    for node in ast.walk(tree):
        if id(node) in called or id(node) in inner or not isinstance(node, (ast.Name, ast.Attribute)):
            continue
        name = dotted(node)
        if name and name.split(".")[0] not in local and name not in found:
            found.append(name)
    return sorted(found, key=lambda n: _position(tree, n))


def _position(tree: ast.AST, name: str) -> tuple[int, int]:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Name, ast.Attribute)) and dotted(node) == name:
            return node.lineno, node.col_offset
    return 0, 0


def read(names: dict[str, Any], path: str) -> Any:
    """The value of ``name`` or ``name.column.column`` in ``names`` (None when missing)."""
    root, *attrs = path.split(".")
    value = names.get(root)
    for attr in attrs:
        value = attribute(value, attr, strict=False)
    return value


def attribute(value: Any, attr: str, *, strict: bool = True) -> Any:
    if isinstance(value, Record):
        if attr in value:
            return value[attr]
    elif isinstance(value, Rows):
        if attr in value.columns:
            return value.column(attr)
    elif isinstance(value, date) and attr in DATE_ATTRIBUTES:
        return getattr(value, attr)
    elif isinstance(value, timedelta) and attr == "days":
        return value.days
    elif value is None:
        if strict:
            raise TypeError(f"cannot read .{attr} of a missing value")
        return None
    if strict:
        raise AttributeDoesNotExist(attr, "")
    return None


# -- bounded operators -------------------------------------------------------------------------
def _int(value: Any) -> Any:
    if type(value) is int and value.bit_length() > MAX_INT_BITS:
        raise NumberTooHigh(f"a whole number larger than 2**{MAX_INT_BITS} is not allowed")
    return value


def _sized(*values: Any) -> int:
    return sum(len(v) for v in values if isinstance(v, (str, list, tuple)))


def _add(a: Any, b: Any) -> Any:
    if _sized(a, b) > MAX_SEQUENCE:
        raise IterableTooLong(f"a result longer than {MAX_SEQUENCE} is not allowed")
    return _int(a + b)


def _mul(a: Any, b: Any) -> Any:
    for seq, times in ((a, b), (b, a)):
        if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and len(seq) * times > MAX_SEQUENCE:
            raise IterableTooLong(f"a result longer than {MAX_SEQUENCE} is not allowed")
    if type(a) is int and type(b) is int and a.bit_length() + b.bit_length() > MAX_INT_BITS + 1:
        raise NumberTooHigh(f"a whole number larger than 2**{MAX_INT_BITS} is not allowed")
    return a * b


_SPEC = re.compile(
    r"%(?:\((?P<key>[^)]*)\))?[#0\- +]*(?P<width>\*|\d+)?(?:\.(?P<precision>\*|\d+))?[hlL]?"
    r"(?P<conv>.)",
    re.DOTALL,
)
_SCALARS = (str, int, Decimal, date, timedelta, type(None))


def _mod(a: Any, b: Any) -> Any:
    """``%``: the remainder, or printf-style formatting of a text, measured before it is done."""
    if not isinstance(a, str):
        return op.mod(a, b)
    if len(a) > MAX_SEQUENCE:
        raise IterableTooLong(f"a result longer than {MAX_SEQUENCE} is not allowed")
    arguments = b if isinstance(b, tuple) else (b,)
    size, index = len(a), 0
    for spec in _SPEC.finditer(a):
        if spec["conv"] == "%":
            continue
        if "*" in (spec["width"], spec["precision"]):
            raise FeatureNotAvailable("'*' widths are not allowed in % formatting")
        if spec["key"] is not None:
            value = b.get(spec["key"]) if isinstance(b, Mapping) else None
        else:
            value = arguments[index] if index < len(arguments) else None
            index += 1
        if not isinstance(value, _SCALARS):
            raise FeatureNotAvailable(
                f"only texts, numbers and dates can be formatted with %, not a {type(value).__name__}"
            )
        if isinstance(value, Decimal) and value.is_finite() and abs(value.adjusted()) > MAX_EXPONENT:
            raise NumberTooHigh(f"a number beyond 10**{MAX_EXPONENT} cannot be formatted with %")
        size += int(spec["width"] or 0) + int(spec["precision"] or 0) + len(str(value)) + MAX_EXPONENT
        if size > MAX_SEQUENCE:
            raise IterableTooLong(f"a result longer than {MAX_SEQUENCE} is not allowed")
    return a % b


def _pow(a: Any, b: Any) -> Any:
    if not isinstance(b, (int, Decimal)) or abs(b) > MAX_EXPONENT:
        raise NumberTooHigh(f"exponents are limited to {MAX_EXPONENT}")
    if type(a) is int and type(b) is int and b > 0 and a.bit_length() * b > MAX_INT_BITS + b:
        raise NumberTooHigh(f"a whole number larger than 2**{MAX_INT_BITS} is not allowed")
    if type(a) is int and type(b) is int and b < 0:
        return Decimal(a) ** b
    return a**b


def _div(a: Any, b: Any) -> Any:
    if type(a) is int and type(b) is int:
        return Decimal(a) / Decimal(b)
    return a / b


OPERATORS = {
    ast.Add: _add, ast.Sub: op.sub, ast.Mult: _mul, ast.Div: _div, ast.FloorDiv: op.floordiv,
    ast.Mod: _mod, ast.Pow: _pow, ast.USub: op.neg, ast.UAdd: op.pos, ast.Not: op.not_,
    ast.Eq: op.eq, ast.NotEq: op.ne, ast.Lt: op.lt, ast.LtE: op.le, ast.Gt: op.gt, ast.GtE: op.ge,
    ast.In: lambda x, y: x in y, ast.NotIn: lambda x, y: x not in y,
    ast.Is: lambda x, y: x is y, ast.IsNot: lambda x, y: x is not y,
}  # fmt: skip


class Evaluator(EvalWithCompoundTypes):
    """simpleeval with our node handlers, operators and a step budget (see the module doc)."""

    def __init__(self, names: dict[str, Any], functions: dict[str, Any]):
        operators = {kind: self._counted(function) for kind, function in OPERATORS.items()}
        super().__init__(operators=operators, functions=functions, names=names)
        self.nodes.update({
            ast.Name: self._name, ast.Attribute: self._attribute, ast.Call: self._call,
            ast.Constant: self._constant,
        })  # fmt: skip
        for unwanted in (ast.Expr, ast.Assign, ast.AugAssign, ast.Import, ast.JoinedStr, ast.FormattedValue,
                         ast.DictComp):  # fmt: skip
            self.nodes.pop(unwanted, None)
        self.steps = self.built = 0

    def run(self, expression: Expression) -> Any:
        self.expr, self.steps, self.built, self._max_count = expression.text, 0, 0, 0
        return self._eval(expression.tree)

    def _counted(self, operator: Any) -> Any:
        """``operator``, counting the length of each text or list it builds against MAX_BUILT."""

        def counted(*args: Any) -> Any:
            result = operator(*args)
            if isinstance(result, (str, list, tuple)) and len(result) > 1:
                self.built += len(result)
                if self.built > MAX_BUILT:
                    raise IterableTooLong(f"the expression builds more than {MAX_BUILT} characters or items")
            return result

        return counted

    def _eval(self, node: ast.AST) -> Any:
        # simpleeval's check of every result for modules is not needed: names hold data only,
        # attributes read data only, and only helper functions can be called.
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise TooComplex(f"the expression needs more than {MAX_STEPS} steps")
        try:
            handler = self.nodes[type(node)]
        except KeyError:
            raise FeatureNotAvailable(f"{_describe(node)} is not allowed in rule expressions") from None
        return handler(node)

    def _name(self, node: ast.Name) -> Any:
        try:
            return self.names[node.id]
        except KeyError:
            raise NameNotDefined(node.id, self.expr) from None

    def _attribute(self, node: ast.Attribute) -> Any:
        if node.attr.startswith("_"):
            raise FeatureNotAvailable(f"attributes starting with '_' are not allowed: .{node.attr}")
        base = self._eval(node.value)
        if not isinstance(base, (Record, Rows, date, timedelta)) and base is not None:
            raise FeatureNotAvailable(f"'.{node.attr}' cannot be read from a {type(base).__name__}")
        try:
            return attribute(base, node.attr)
        except AttributeDoesNotExist:
            raise AttributeDoesNotExist(node.attr, self.expr) from None

    def _call(self, node: ast.Call) -> Any:
        if not isinstance(node.func, ast.Name):
            raise FeatureNotAvailable("only helper functions can be called (no methods)")
        try:
            function = self.functions[node.func.id]
        except KeyError:
            raise FunctionNotDefined(node.func.id, self.expr) from None
        args = [self._eval(a) for a in node.args]
        kwargs = {}
        for keyword in node.keywords:
            if keyword.arg is None:
                raise FeatureNotAvailable("'**' arguments are not allowed")
            kwargs[keyword.arg] = self._eval(keyword.value)
        return function(*args, **kwargs)

    @staticmethod
    def _constant(node: ast.Constant) -> Any:
        value = node.value
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, float):
            return Decimal(repr(value))
        if isinstance(value, int):
            return _int(value)
        if isinstance(value, str):
            if len(value) > MAX_SEQUENCE:
                raise IterableTooLong(f"a string longer than {MAX_SEQUENCE} is not allowed")
            return value
        raise FeatureNotAvailable(f"{type(value).__name__} literals are not allowed")
