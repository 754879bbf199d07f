"""Static checks of an expression against what it can read, done when a rule file is loaded.

Reported with the position inside the expression: unknown field names (with a suggestion),
unknown functions or wrong arguments, unknown columns of master data and line fields, reading
``.x`` from a value that has no columns, bad regular expressions, and conditions that can never
be true where that is decidable: a condition without fields that is false, and ``and`` chains of
comparisons of one field with literals that contradict each other (``x > 10 and x < 5``,
``x == None and x > 0``, ``currency == 'EURO'``, a money field equal to a text).
"""

from __future__ import annotations

import ast
import difflib
import inspect
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from backoffice.rules.expressions import DATE_ATTRIBUTES, Evaluator, Expression, dotted
from backoffice.rules.helpers import HELPERS, PATTERN_ARGUMENTS, compile_pattern
from backoffice.rules.values import HelperError

FUNCTIONS = {**HELPERS, "today": lambda: date.today()}


def _signature(function: Any) -> inspect.Signature | None:
    try:
        return inspect.signature(function)
    except (TypeError, ValueError):  # builtins without a signature
        return None


SIGNATURES = {name: _signature(function) for name, function in FUNCTIONS.items()}  # once, at import


@dataclass(frozen=True)
class Shape:
    """What a name holds: a field type, or a record/table with (maybe unknown) columns."""

    type: str  # text, currency, money, number, date, value, record, rows
    columns: dict[str, str] | None = None  # column -> type ("" unknown); None: not known
    what: str = ""  # for messages: "vendors", "line"

    def element(self) -> Shape:
        return Shape("record", self.columns, self.what) if self.type == "rows" else Shape("value")


@dataclass
class Finding:
    message: str
    line: int = 1
    column: int = 1


@dataclass
class Scope:
    names: dict[str, Shape]
    local: dict[str, Shape] = field(default_factory=dict)

    def get(self, name: str) -> Shape | None:
        return self.local.get(name) or self.names.get(name)


def check(expression: Expression, names: dict[str, Shape], *, condition: bool = False) -> list[Finding]:
    """Problems of one expression; ``condition``: also say when it can never be true."""
    findings: list[Finding] = []
    _visit(expression.tree, Scope(names), findings)
    if condition and not findings:
        reason = never_true(expression.tree, names)
        if reason:
            findings.append(Finding(f"can never be true: {reason}"))
    return findings


def _at(node: ast.AST, message: str) -> Finding:
    return Finding(message, getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1)


def _visit(node: ast.AST, scope: Scope, findings: list[Finding]) -> None:
    if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
        inner = Scope(scope.names, dict(scope.local))
        for generator in node.generators:
            _visit(generator.iter, inner, findings)
            element = _shape(generator.iter, inner)
            for target in ast.walk(generator.target):
                if isinstance(target, ast.Name):
                    inner.local[target.id] = element.element() if element else Shape("value")
            for condition in generator.ifs:
                _visit(condition, inner, findings)
        _visit(node.elt, inner, findings)
        return
    if isinstance(node, ast.Call):
        _call(node, scope, findings)
        for child in [*node.args, *(k.value for k in node.keywords)]:
            _visit(child, scope, findings)
        return
    if isinstance(node, ast.Name):
        if scope.get(node.id) is None:
            findings.append(_at(node, _unknown_name(node.id, scope)))
        return
    if isinstance(node, ast.Attribute):
        _visit(node.value, scope, findings)
        base = _shape(node.value, scope)
        if base is not None:
            problem = _attribute_problem(base, node.attr, dotted(node.value) or "the value")
            if problem:
                findings.append(_at(node, problem))
        return
    if isinstance(node, ast.BinOp) and _literal_only(node):
        problem = _out_of_bounds(node)
        if problem:
            findings.append(_at(node, problem))
            return
    for child in ast.iter_child_nodes(node):
        _visit(child, scope, findings)


def _literal_only(node: ast.AST) -> bool:
    """Whether ``node`` is built of literals only (its value is the same for every document)."""
    return all(isinstance(n, (ast.expr_context, ast.operator, ast.unaryop, ast.Constant, ast.BinOp, ast.UnaryOp,
                              ast.List, ast.Tuple, ast.Dict)) for n in ast.walk(node))


def _out_of_bounds(node: ast.BinOp) -> str | None:
    """The bound a literal-only computation (``'%0999999999d' % 1``, ``'a' * 10 ** 9``) hits, if
    any: evaluated once here, bounded as at run time, so ``check`` refuses what every document would."""
    from simpleeval import InvalidExpression

    try:
        Evaluator({}, {}).run(Expression("", node, ()))
    except InvalidExpression as exc:
        return str(exc)
    except (ArithmeticError, TypeError, ValueError):
        return None  # a division by zero and the like are reported when evaluated
    return None


def _unknown_name(name: str, scope: Scope) -> str:
    if name in FUNCTIONS:
        return f"{name} is a function: call it as {name}(...)"
    close = difflib.get_close_matches(name, [*scope.names, *scope.local], n=1)
    return f"unknown field {name!r}" + (f" (did you mean {close[0]!r}?)" if close else "")


def _call(node: ast.Call, scope: Scope, findings: list[Finding]) -> None:
    name = node.func.id if isinstance(node.func, ast.Name) else ""
    function = FUNCTIONS.get(name)
    if function is None:
        close = difflib.get_close_matches(name, FUNCTIONS, n=1)
        findings.append(_at(node, f"unknown function {name!r}" + (f" (did you mean {close[0]!r}?)" if close else "")))
        return
    signature = SIGNATURES.get(name)
    if signature is not None:
        try:
            signature.bind(*node.args, **{k.arg: k.value for k in node.keywords if k.arg})
        except TypeError as exc:
            findings.append(_at(node, f"{name}(): {exc}"))
            return
    index = PATTERN_ARGUMENTS.get(name)
    if index is not None and len(node.args) > index:
        pattern = node.args[index]
        if isinstance(pattern, ast.Constant) and isinstance(pattern.value, str):
            try:
                compile_pattern(pattern.value)
            except HelperError as exc:
                findings.append(_at(pattern, str(exc)))


def _shape(node: ast.AST, scope: Scope) -> Shape | None:
    if isinstance(node, ast.Name):
        return scope.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _shape(node.value, scope)
        if base is None or base.columns is None:
            return None
        kind = base.columns.get(node.attr)
        if kind is None:
            return None
        return Shape("list" if base.type == "rows" else (kind or "value"))
    return None


def _attribute_problem(base: Shape, attr: str, owner: str) -> str | None:
    if base.type in ("record", "rows"):
        if base.columns is not None and attr not in base.columns:
            close = difflib.get_close_matches(attr, base.columns, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (columns: {', '.join(sorted(base.columns))})"
            return f"unknown column {attr!r} of {base.what or owner}{hint}"
        return None
    if base.type == "date":
        return None if attr in DATE_ATTRIBUTES else f"a date has only .year, .month and .day, not .{attr}"
    if base.type in ("value", "list"):
        return None
    return f"{owner} is a {base.type} field: it has no .{attr}"


# -- conditions that can never be true ------------------------------------------------------------
def never_true(tree: ast.expr, names: dict[str, Shape]) -> str | None:
    """Why ``tree`` can never be true, when that can be decided; else None."""
    if isinstance(tree, ast.BoolOp) and isinstance(tree.op, ast.Or):
        reasons = [never_true(v, names) for v in tree.values]
        return "; ".join(r for r in reasons if r) if all(reasons) else None
    constant = _constant(tree)
    if constant is not _UNKNOWN:
        return f"{ast.unparse(tree)} is always false" if not constant else None
    atoms = list(_conjuncts(tree))
    by_subject: dict[str, list[tuple[str, Any, ast.AST]]] = {}
    for atom in atoms:
        constant = _constant(atom)
        if constant is not _UNKNOWN and not constant:
            return f"{ast.unparse(atom)} is always false"
        found = _comparison(atom)
        if found:
            subject, operator, value = found
            by_subject.setdefault(subject, []).append((operator, value, atom))
    for subject, constraints in by_subject.items():
        shape = _subject_shape(subject, names)
        reason = _contradiction(subject, shape, constraints)
        if reason:
            return reason
    return None


_UNKNOWN = object()
_FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "==", "!=": "!="}
_OPS = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.In: "in",
        ast.NotIn: "not in", ast.Is: "==", ast.IsNot: "!="}  # fmt: skip


def _conjuncts(node: ast.AST) -> Iterator[ast.AST]:
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
        for value in node.values:
            yield from _conjuncts(value)
    elif isinstance(node, ast.Compare) and len(node.ops) > 1:  # a < x < b
        left = node.left
        for operator, right in zip(node.ops, node.comparators, strict=True):
            yield ast.Compare(left=left, ops=[operator], comparators=[right])
            left = right
    else:
        yield node


def _constant(node: ast.AST) -> Any:
    """The value of a part without fields (and without today()), else _UNKNOWN."""
    for child in ast.walk(node):
        if isinstance(child, ast.Name) or (isinstance(child, ast.Call) and getattr(child.func, "id", "") == "today"):
            return _UNKNOWN
        if isinstance(child, (ast.ListComp, ast.GeneratorExp)):
            return _UNKNOWN
    try:
        return Evaluator({}, dict(HELPERS)).run(Expression(ast.unparse(node), node, ()))  # type: ignore[arg-type]
    except Exception:  # noqa: BLE001 - undecidable here; the evaluation will say why
        return _UNKNOWN


def _comparison(node: ast.AST) -> tuple[str, str, Any] | None:
    if not isinstance(node, ast.Compare) or len(node.ops) != 1:
        return None
    operator = _OPS.get(type(node.ops[0]))
    left, right = node.left, node.comparators[0]
    subject, value = dotted(left), _constant(right)
    if subject is None or value is _UNKNOWN:
        if operator in ("in", "not in"):
            return None
        subject, value = dotted(right), _constant(left)
        if subject is None or value is _UNKNOWN:
            return None
        operator = _FLIP.get(operator or "")
    return (subject, operator, value) if operator else None


def _subject_shape(subject: str, names: dict[str, Shape]) -> Shape | None:
    root, *attrs = subject.split(".")
    shape = names.get(root)
    if shape is None or not attrs:
        return shape
    if len(attrs) == 1 and shape.type == "record" and shape.columns:
        kind = shape.columns.get(attrs[0])
        return Shape(kind) if kind else None
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def _contradiction(subject: str, shape: Shape | None, constraints: list[tuple[str, Any, ast.AST]]) -> str | None:
    kind = shape.type if shape else ""
    equal: set = set()
    for operator, value, atom in constraints:
        text = ast.unparse(atom)
        if value is None:
            continue
        if kind in ("money", "number") and operator in ("==", "<", "<=", ">", ">=") and not _is_number(value):
            return f"{text}: {subject} is a number, never equal to or ordered with {value!r}"
        if kind == "date" and operator in ("==", "<", "<=", ">", ">=") and not isinstance(value, date):
            return f"{text}: {subject} is a date, never equal to or ordered with {value!r}"
        if kind in ("text", "currency", "id") and operator in ("<", "<=", ">", ">=") and _is_number(value):
            return f"{text}: {subject} is text, it cannot be ordered with a number"
        if kind == "currency" and operator == "==" and not (
            isinstance(value, str) and len(value) == 3 and value.isalpha() and value.isupper()
        ):
            return f"{text}: currency codes are three capital letters (ISO 4217)"
    none_checks = [op for op, v, _ in constraints if v is None]
    valued = [(op, v) for op, v, _ in constraints if v is not None]
    if "==" in none_checks and ("!=" in none_checks or valued and any(op != "!=" for op, _ in valued)):
        return f"{subject} cannot be missing and have a value at once"
    for operator, value, _ in constraints:
        if operator == "==" and value is not None:
            equal.add(_hashable(value))
    if len(equal) > 1:
        return f"{subject} cannot equal {' and '.join(sorted(map(repr, equal)))} at once"
    for operator, value, _ in constraints:
        if operator == "!=" and _hashable(value) in equal:
            return f"{subject} cannot equal and differ from {value!r} at once"
        if operator == "in" and isinstance(value, (list, tuple, set)):
            if not value:
                return f"{subject} in an empty list is always false"
            if equal and not equal & {_hashable(v) for v in value}:
                return f"{subject} == {next(iter(equal))!r} is not among {list(value)!r}"
    return _empty_interval(subject, valued)


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _empty_interval(subject: str, constraints: list[tuple[str, Any]]) -> str | None:
    low: tuple[Any, bool] | None = None  # (bound, inclusive)
    high: tuple[Any, bool] | None = None
    for operator, value in constraints:
        if not (_is_number(value) or isinstance(value, date)):
            continue
        if operator in (">", ">=", "=="):
            inclusive = operator != ">"
            if low is None or value > low[0] or (value == low[0] and not inclusive):
                low = (value, inclusive)
        if operator in ("<", "<=", "=="):
            inclusive = operator != "<"
            if high is None or value < high[0] or (value == high[0] and not inclusive):
                high = (value, inclusive)
    if low is None or high is None or isinstance(low[0], date) != isinstance(high[0], date):
        return None
    try:
        empty = low[0] > high[0] or (low[0] == high[0] and not (low[1] and high[1]))
    except TypeError:
        return None
    if empty:
        return f"no {subject} is {'at least' if low[1] else 'above'} {low[0]} and {'at most' if high[1] else 'below'} {high[0]}"
    return None
