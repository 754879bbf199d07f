"""Turn validated rules into parsed, checked expressions, in order.

Each rule is checked against the names it can read at its place in the file: the document's
fields, ``lines``, constants, and the names earlier ``lookup`` (``as``) and ``set`` rules
bind. A problem is reported at its position: ``file:line:column: rules[3].check: message``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from backoffice.documents.registry import field_types, line_field_types
from backoffice.rules import analysis
from backoffice.rules.analysis import Shape
from backoffice.rules.expressions import Expression, ExpressionError, parse
from backoffice.rules.positions import Mark, Positions
from backoffice.rules.schema import NAME as NAME_PATTERN
from backoffice.rules.schema import Route, Rule

NAME = re.compile(NAME_PATTERN)
PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]+)\}")
TOTAL_FIELD = {"invoice": "grand_total", "credit_note": "grand_total", "order": "total"}
TAX_LINE_FIELDS = {"rate": "number", "base": "money", "amount": "money"}


@dataclass(frozen=True)
class Template:
    """A message: text with ``{expression}`` placeholders."""

    parts: tuple[str | Expression, ...]


@dataclass(frozen=True)
class CompiledLookup:
    source: str
    where: tuple[tuple[str, Expression], ...]
    fuzzy: tuple[str, Expression] | None
    score: float
    name: str
    all: bool
    optional: bool


@dataclass(frozen=True)
class CompiledRoute:
    to: str
    role: str | None
    above: Decimal | None
    amount: Expression | None


@dataclass(frozen=True)
class CompiledRule:
    id: str
    description: str
    severity: str
    action: str
    when: Expression | None
    check: Expression | None
    sets: tuple[tuple[str, Expression], ...]
    lookup: CompiledLookup | None
    route: CompiledRoute | None
    message: Template | None
    reads: tuple[str, ...]


# (positions of the file, path of the rule inside it) -> problem text
Report = Callable[[tuple, str, Mark | None], None]


def base_names(kind: str, constants: dict[str, object]) -> dict[str, Shape]:
    """What every expression of a rule file of ``kind`` can read."""
    names = {name: Shape(kind_) for name, kind_ in field_types(kind).items()}
    names["lines"] = Shape("rows", dict(line_field_types(kind)), "line")
    if kind in ("invoice", "credit_note"):
        names["tax_lines"] = Shape("rows", TAX_LINE_FIELDS, "tax line")
    for name, value in constants.items():
        names[name] = Shape("number" if isinstance(value, (int, Decimal)) else "value")
    return names


class Compiler:
    """Compiles the rules of one rule set in order, collecting every problem."""

    def __init__(self, kind: str, names: dict[str, Shape], tables: dict[str, dict[str, str] | None]):
        self.kind, self.names, self.tables = kind, names, tables
        self.problems: list[str] = []

    def expression(self, text: str, positions: Positions, at: tuple, *, condition: bool = False) -> Expression | None:
        try:
            expression = parse(text)
        except ExpressionError as exc:
            self.problems.append(positions.problem(at, exc.message, positions.in_expression(at, exc.line, exc.column)))
            return None
        for finding in analysis.check(expression, self.names, condition=condition):
            mark = positions.in_expression(at, finding.line, finding.column)
            self.problems.append(positions.problem(at, finding.message, mark))
        return expression

    def template(self, text: str, positions: Positions, at: tuple) -> Template:
        parts: list[str | Expression] = []
        last = 0
        for match in PLACEHOLDER.finditer(text):
            parts.append(text[last : match.start()])
            last = match.end()
            if match.group(0) in ("{{", "}}"):
                parts.append(match.group(0)[0])
                continue
            inner = match.start(1)
            try:
                expression = parse(match.group(1))
            except ExpressionError as exc:
                mark = positions.in_expression(at, 1, inner + exc.column)
                self.problems.append(positions.problem(at, f"in {{{match.group(1)}}}: {exc.message}", mark))
                continue
            for finding in analysis.check(expression, self.names):
                mark = positions.in_expression(at, 1, inner + finding.column)
                self.problems.append(positions.problem(at, f"in {{{match.group(1)}}}: {finding.message}", mark))
            parts.append(expression)
        parts.append(text[last:])
        return Template(tuple(p for p in parts if p != ""))

    def rule(self, rule: Rule, positions: Positions, at: tuple) -> CompiledRule:
        when = self.expression(rule.when, positions, (*at, "when"), condition=True) if rule.when else None
        check = self.expression(rule.check, positions, (*at, "check"), condition=True) if rule.check else None
        sets: list[tuple[str, Expression]] = []
        for name, text in (rule.set or {}).items():
            expression = self.expression(str(text), positions, (*at, "set", name))
            if expression is not None:
                sets.append((name, expression))
        lookup = self._lookup(rule, positions, (*at, "lookup")) if rule.lookup else None
        route = self._route(rule.route, positions, (*at, "route")) if rule.route else None
        message = self.template(rule.message, positions, (*at, "message")) if rule.message else None
        for name, _ in sets:
            self._bind(name, positions, (*at, "set", name))
        expressions = [when, check, *(e for _, e in sets), route.amount if route else None]
        if lookup:
            expressions += [e for _, e in lookup.where] + ([lookup.fuzzy[1]] if lookup.fuzzy else [])
        reads: list[str] = []
        for expression in expressions:
            for name in expression.reads if expression else ():
                if name not in reads and name.split(".")[0] in self.names:
                    reads.append(name)
        return CompiledRule(rule.id, rule.description, rule.severity, rule.action, when, check, tuple(sets),
                            lookup, route, message, tuple(reads))  # fmt: skip

    def _bind(self, name: str, positions: Positions, at: tuple, shape: Shape | None = None) -> None:
        if name in analysis.FUNCTIONS or not NAME.match(name):
            why = "is the name of a function" if name in analysis.FUNCTIONS else "is not a name (letters, digits, _)"
            self.problems.append(positions.problem(at, f"{name!r} {why}"))
            return
        existing = self.names.get(name)
        if shape is not None and existing is not None:  # a lookup's `as` must be a new name
            self.problems.append(positions.problem(at, f"{name!r} is already a field or name; choose another"))
            return
        if shape is None:
            shape = existing if existing and existing.type not in ("record", "rows") else Shape("value")
        self.names[name] = shape

    def _lookup(self, rule: Rule, positions: Positions, at: tuple) -> CompiledLookup | None:
        spec = rule.lookup
        assert spec is not None
        if spec.source not in self.tables:
            known = ", ".join(sorted(self.tables)) or "none declared under data:"
            self.problems.append(positions.problem((*at, "from"), f"unknown lookup {spec.source!r} (known: {known})"))
            columns = None
        else:
            columns = self.tables[spec.source]
        where = []
        for column, text in spec.where.items():
            self._column(column, columns, spec.source, positions, (*at, "where", column))
            expression = self.expression(str(text), positions, (*at, "where", column))
            if expression is not None:
                where.append((column, expression))
        fuzzy = None
        if spec.fuzzy:
            [(column, text)] = spec.fuzzy.items()
            self._column(column, columns, spec.source, positions, (*at, "fuzzy", column))
            expression = self.expression(str(text), positions, (*at, "fuzzy", column))
            fuzzy = (column, expression) if expression is not None else None
        shape = Shape("rows" if spec.all else "record", columns, spec.source)
        self._bind(spec.name, positions, (*at, "as"), shape)
        return CompiledLookup(spec.source, tuple(where), fuzzy, spec.score, spec.name, spec.all, spec.optional)

    def _column(self, column: str, columns: dict | None, source: str, positions: Positions, at: tuple) -> None:
        if columns is not None and column not in columns:
            self.problems.append(positions.problem(at, f"unknown column {column!r} of {source} "
                                                       f"(columns: {', '.join(sorted(columns))})"))  # fmt: skip

    def _route(self, route: Route, positions: Positions, at: tuple) -> CompiledRoute:
        amount = None
        if route.amount is not None:
            amount = self.expression(route.amount, positions, (*at, "amount"))
        elif route.above is not None:
            total = TOTAL_FIELD.get(self.kind)
            if total is None:
                self.problems.append(positions.problem(at, f"a {self.kind} has no total: give amount"))
            else:
                amount = parse(total)
        return CompiledRoute(route.to, route.role, route.above, amount)
