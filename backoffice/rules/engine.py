"""Evaluate a rule set against a Document and give its Verdict.

Rules run in order; each reads the document's typed fields (``Decimal`` money, ``date``
dates), ``lines``, the constants, and what earlier rules bound (a ``lookup``'s ``as`` name, a
``set`` field). A rule whose expression cannot be evaluated fails with the reason (``needs
due_date`` when a value it reads is missing). Master data that cannot be read raises
``MasterDataError`` (the item is retried later); nothing else escapes.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from simpleeval import InvalidExpression

from backoffice.documents.models import Document, typed
from backoffice.documents.registry import field_types, line_field_types
from backoffice.errors import BusinessError
from backoffice.rules import duplicates as dup
from backoffice.rules.compiler import TAX_LINE_FIELDS, CompiledRule, Template
from backoffice.rules.expressions import Evaluator, Expression, read
from backoffice.rules.helpers import HELPERS
from backoffice.rules.masterdata import Table
from backoffice.rules.schema import Duplicate, Example
from backoffice.rules.values import Record, Rows, as_text, show
from backoffice.rules.verdict import Outcome, Verdict

log = logging.getLogger(__name__)
INVOICE_KINDS = {"invoice", "credit_note"}


@dataclass
class RuleSet:
    """A loaded rule file (see :func:`backoffice.rules.load_rules`)."""

    path: Path
    kind: str
    required: tuple[str, ...]
    rules: tuple[CompiledRule, ...]
    duplicates: tuple[Duplicate, ...]
    constants: dict[str, Any]
    tables: dict[str, Table]
    examples: tuple[Example, ...]
    files: tuple[Path, ...]
    content_hash: str
    git_commit: str | None = None
    git_dirty: bool = False
    _warned: set = field(default_factory=set, repr=False)
    _bound: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        # Names rules bind exist from the start: a skipped lookup leaves its name empty.
        for rule in self.rules:
            if rule.lookup is not None:
                self._bound[rule.lookup.name] = Rows((), ()) if rule.lookup.all else None
            for name, _ in rule.sets:
                self._bound.setdefault(name, None)

    def local_files(self) -> list[Path]:
        """Every file this rule set reads: the rule files and local master data (CSV, SQLite)."""
        found = list(self.files)
        for table in self.tables.values():
            spec = table.spec
            if spec.csv is not None:
                found.append(spec.csv)
            elif (spec.sql or "").startswith("sqlite:///"):
                found.append(Path((spec.sql or "").removeprefix("sqlite:///")))
        return found

    def evaluate(
        self,
        document: Document,
        *,
        history: dup.History | None = None,
        released: Mapping[str, str] | None = None,
        today: date | None = None,
    ) -> Verdict:
        """The verdict of every rule on ``document``.

        ``history`` gives earlier items for the duplicate keys (without it they are recorded as
        not checked); ``released`` names holds a person has released (rule id -> by whom);
        ``today`` fixes what ``today()`` returns.
        """
        if document.kind != self.kind and not {document.kind, self.kind} <= INVOICE_KINDS:
            raise BusinessError(f"{self.path.name} has rules for {self.kind} documents, not {document.kind}",
                                code="rules-kind")  # fmt: skip
        released = dict(released or {})
        names = self._names(document)
        functions = {**HELPERS, "today": (lambda: today) if today else date.today}
        run = _Run(Evaluator(names, functions), names, self.tables, released, self.kind)
        outcomes = [
            Outcome(f"required:{name}", names.get(name) is not None, "error",
                    "" if names.get(name) is not None else f"{name} is missing", {name: show(names.get(name))},
                    "required")
            for name in self.required
        ]  # fmt: skip
        outcomes += [run.rule(rule) for rule in self.rules]
        outcomes += self._duplicates(names, history, run)
        return Verdict(
            tuple(outcomes), self.content_hash, str(self.path), self.git_commit, self.git_dirty,
            {k: v for k, v in run.sets.items() if v is not None}, tuple(run.routes),
            {k: v for k, v in released.items() if k in run.used_releases},
        )  # fmt: skip

    def _names(self, document: Document) -> dict[str, Any]:
        kind = self.kind
        names: dict[str, Any] = {**self.constants, **self._bound}
        types = field_types(kind)
        names.update({name: _typed(f.value, types.get(name, "text")) for name, f in document.fields.items()})
        names.update({name: None for name in types if name not in document.fields})
        line_fields = line_field_types(kind)
        names["lines"] = Rows((Record({k: _typed(f.value, line_fields.get(k, "text")) for k, f in line.items()},
                                      f"line {n}") for n, line in enumerate(document.lines, 1)), line_fields)  # fmt: skip
        if kind in INVOICE_KINDS:
            tax_lines = getattr(document, "tax_lines", [])
            names["tax_lines"] = Rows((Record({k: _typed(f.value, TAX_LINE_FIELDS.get(k, "text")) for k, f in t.items()})
                                       for t in tax_lines), TAX_LINE_FIELDS)  # fmt: skip
        return names

    def _duplicates(self, names: dict[str, Any], history: dup.History | None, run: _Run) -> list[Outcome]:
        if not self.duplicates:
            return []
        if history is None:
            if "history" not in self._warned:
                self._warned.add("history")
                log.warning("%s: duplicate keys not checked: no queue history was given", self.path.name)
            return [Outcome(f"duplicate:{d.id}", True, d.severity, "not checked: no queue history given",
                            action="duplicate", skipped=True) for d in self.duplicates]  # fmt: skip
        found = history.check(dup.business_keys(self.duplicates, names.get))
        outcomes = []
        for duplicate in self.duplicates:
            rule = f"duplicate:{duplicate.id}"
            values = {n: show(names.get(n)) for n in [*duplicate.key, *([duplicate.date] if duplicate.date else [])]}
            if duplicate.id not in found:
                outcomes.append(Outcome(rule, True, duplicate.severity, "", values, "duplicate"))
                continue
            message = dup.describe(duplicate, found[duplicate.id])
            values["duplicate_of"] = str(found[duplicate.id])
            if rule in run.released:
                run.used_releases.add(rule)
                outcomes.append(Outcome(rule, True, duplicate.severity, f"{message}: released by {run.released[rule]}",
                                        values, "duplicate"))  # fmt: skip
            else:
                outcomes.append(Outcome(rule, False, duplicate.severity, message, values, "duplicate"))
        return outcomes


def _typed(value: str | None, kind: str) -> Any:
    """A field's typed value; a value that is not what its type says (a corrected date of
    ``2024-13-01``) counts as missing, so the rules that read it say they need it."""
    try:
        return typed(value, kind)
    except ValueError:
        return None


class _Run:
    """One evaluation: the evaluator, the names rules bind, and what they set and route."""

    def __init__(self, evaluator: Evaluator, names: dict[str, Any], tables: dict[str, Table], released: dict,
                 kind: str):  # fmt: skip
        self.evaluator, self.names, self.tables, self.released, self.kind = evaluator, names, tables, released, kind
        self.sets: dict[str, str | None] = {}
        self.routes: list[dict[str, str]] = []
        self.used_releases: set[str] = set()

    def values(self, rule: CompiledRule) -> dict[str, str]:
        return {name: show(read(self.names, name)) for name in rule.reads}

    def rule(self, rule: CompiledRule) -> Outcome:
        try:
            if rule.when is not None and not self.evaluator.run(rule.when):
                return Outcome(rule.id, True, rule.severity, f"not applicable: {rule.when.text.strip()} is false",
                               self.values(rule), rule.action, skipped=True)  # fmt: skip
            return getattr(self, rule.action)(rule)
        except InvalidExpression as exc:
            return self._failed(rule, f"{rule.id}: expression not allowed: {exc}")
        except (TypeError, ArithmeticError, ValueError, LookupError, AttributeError) as exc:
            values = self.values(rule)
            missing = [n for n, v in values.items() if v == "(missing)"]
            reason = f"needs {', '.join(missing)}" if missing else f"cannot be evaluated: {exc}"
            return self._failed(rule, f"{rule.id}: {reason}", values)

    def _failed(self, rule: CompiledRule, message: str, values: dict | None = None) -> Outcome:
        if rule.action == "lookup" and rule.lookup:
            self.names[rule.lookup.name] = Rows((), ()) if rule.lookup.all else None
        return Outcome(rule.id, False, rule.severity, message, values or self.values(rule), rule.action)

    def render(self, template: Template | None, default: str = "") -> str:
        if template is None:
            return default
        parts = []
        for part in template.parts:
            if isinstance(part, Expression):
                try:
                    parts.append(show(self.evaluator.run(part)))
                except (InvalidExpression, TypeError, ArithmeticError, ValueError, LookupError, AttributeError) as exc:
                    missing = any(read(self.names, name) is None for name in part.reads)
                    parts.append("(missing)" if missing else f"(cannot show {part.text.strip()}: {_short(exc)})")
            else:
                parts.append(part)
        return "".join(parts)

    # -- the actions ---------------------------------------------------------------------------
    def check(self, rule: CompiledRule) -> Outcome:
        ok = bool(self.evaluator.run(rule.check))  # type: ignore[arg-type]
        return Outcome(rule.id, ok, rule.severity, "" if ok else self.render(rule.message), self.values(rule))

    def set(self, rule: CompiledRule) -> Outcome:
        done = []
        for name, expression in rule.sets:
            value = self.evaluator.run(expression)
            self.names[name] = value
            self.sets[name] = as_text(value)
            done.append(f"{name} = {show(value)}")
        return Outcome(rule.id, True, rule.severity, "set " + "; ".join(done), self.values(rule), "set")

    def lookup(self, rule: CompiledRule) -> Outcome:
        spec = rule.lookup
        assert spec is not None
        table = self.tables[spec.source]
        where = {column: self.evaluator.run(e) for column, e in spec.where}
        fuzzy_value = self.evaluator.run(spec.fuzzy[1]) if spec.fuzzy else None
        usable = bool(where) and all(v is not None and v != [] for v in where.values())
        found, how = (table.find(where), "where") if usable else ([], "")
        if not found and fuzzy_value is not None and spec.fuzzy:
            best = table.closest(spec.fuzzy[0], fuzzy_value, spec.score)
            if best:
                found, how = [best[0]], f"{spec.fuzzy[0]} ~ {best[1]:.0f}"
        self.names[spec.name] = Rows(found, table.columns()) if spec.all else (found[0] if found else None)
        values = self.values(rule)
        values[spec.name] = show(self.names[spec.name]) if found else "(none)"
        if how:
            values["matched_by"] = how if how != "where" else "=" + ",".join(where)
        if found or spec.optional:
            return Outcome(rule.id, True, rule.severity, "", values, "lookup")
        if not usable and fuzzy_value is None:
            inputs = [n for n, v in values.items() if v == "(missing)"]
            return Outcome(rule.id, False, rule.severity, f"{rule.id}: needs {', '.join(inputs) or 'a value'}",
                           values, "lookup")  # fmt: skip
        default = f"nothing in {spec.source} for " + ", ".join(f"{c} = {show(v)}" for c, v in where.items())
        return Outcome(rule.id, False, rule.severity, self.render(rule.message, default), values, "lookup")

    def route(self, rule: CompiledRule) -> Outcome:
        route = rule.route
        assert route is not None
        values = self.values(rule)
        amount = self.evaluator.run(route.amount) if route.amount is not None else None
        if route.above is not None:
            if amount is None:
                raise TypeError("the amount is missing")
            values["amount"], values["above"] = show(amount), show(route.above)
            if not amount > route.above:
                return Outcome(rule.id, True, rule.severity, f"{show(amount)} is not above {show(route.above)}",
                               values, "route")  # fmt: skip
        decision = {"rule": rule.id, "to": route.to, "severity": rule.severity}
        if route.role:
            decision["role"] = route.role
        if amount is not None:
            decision["amount"] = show(amount)
        message = self.render(rule.message)
        if rule.id in self.released:
            self.used_releases.add(rule.id)
            decision["released_by"] = self.released[rule.id]
            self.routes.append(decision)
            return Outcome(rule.id, True, rule.severity, f"{message}: released by {self.released[rule.id]}",
                           values, "route")  # fmt: skip
        self.routes.append(decision)
        return Outcome(rule.id, False, rule.severity, message, values, "route")


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."
