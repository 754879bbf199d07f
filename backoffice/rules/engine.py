"""Evaluate a rule file against a Document.

Expressions are evaluated by simpleeval (no Python ``eval``, no attribute access to dunders)
over the document's typed field values (``Decimal`` money, ``date`` dates) and a few helpers.
Unknown field names and syntax errors are found when the file is loaded, with file:line.
"""

from __future__ import annotations

import ast
import hashlib
import re
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from simpleeval import EvalWithCompoundTypes, InvalidExpression

from backoffice.documents.models import FIELDS_BY_KIND, Document
from backoffice.errors import ConfigError
from backoffice.rules.schema import Rule, RuleFile
from backoffice.yamlfile import describe_errors, parse_yaml

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def approx(a: Any, b: Any, tolerance: str | Decimal = "0.01") -> bool:
    """True when two amounts differ by at most ``tolerance`` (default one cent)."""
    if a is None or b is None:
        return False
    return abs(Decimal(a) - Decimal(b)) <= Decimal(tolerance)


def days(n: int) -> timedelta:
    return timedelta(days=n)


HELPERS: dict[str, Any] = {"approx": approx, "days": days, "len": len, "abs": abs, "round": round}


@dataclass(frozen=True)
class Outcome:
    rule: str
    ok: bool
    severity: str
    message: str = ""
    values: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "ok": self.ok, "severity": self.severity, "message": self.message, "values": self.values}


@dataclass(frozen=True)
class Verdict:
    outcomes: tuple[Outcome, ...]
    rules_hash: str

    @property
    def errors(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok and o.severity == "error"]

    @property
    def warnings(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok and o.severity == "warning"]

    @property
    def passed(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        return {"passed": self.passed, "rules_hash": self.rules_hash, "outcomes": [o.to_dict() for o in self.outcomes]}


@dataclass(frozen=True)
class RuleSet:
    path: Path
    spec: RuleFile
    content_hash: str

    def evaluate(self, document: Document) -> Verdict:
        names = {name: document.value(name) for name in FIELDS_BY_KIND[self.spec.kind]}
        names["lines"] = document.line_values()
        evaluator = EvalWithCompoundTypes(names=names, functions=HELPERS)
        outcomes = [
            Outcome(f"required:{name}", False, "error", f"{name} is missing")
            if names.get(name) is None
            else Outcome(f"required:{name}", True, "error")
            for name in self.spec.required
        ]
        for rule in self.spec.rules:
            outcome = _evaluate(rule, evaluator, names)
            if outcome is not None:
                outcomes.append(outcome)
        return Verdict(tuple(outcomes), self.content_hash)


def _evaluate(rule: Rule, evaluator: EvalWithCompoundTypes, names: dict[str, Any]) -> Outcome | None:
    read = {n: _show(names.get(n)) for n in _names_in(rule.check) | _names_in(rule.when or "") if n in names}
    try:
        if rule.when and not evaluator.eval(rule.when):
            return None
        ok = bool(evaluator.eval(rule.check))
    except InvalidExpression as exc:
        return Outcome(rule.id, False, rule.severity, f"{rule.id}: expression not allowed: {exc}", read)
    except (TypeError, ArithmeticError, ValueError) as exc:
        missing = sorted(n for n, v in read.items() if v == "(missing)")
        reason = f"needs {', '.join(missing)}" if missing else f"cannot be evaluated: {exc}"
        return Outcome(rule.id, False, rule.severity, f"{rule.id}: {reason}", read)
    if ok:
        return Outcome(rule.id, True, rule.severity, "", read)
    message = PLACEHOLDER.sub(lambda m: _show(names.get(m.group(1))), rule.message)
    return Outcome(rule.id, False, rule.severity, message, read)


def _show(value: Any) -> str:
    return "(missing)" if value is None else str(value)


def _names_in(expression: str) -> set[str]:
    if not expression:
        return set()
    return {node.id for node in ast.walk(ast.parse(expression, mode="eval")) if isinstance(node, ast.Name)}


def load_rules(path: Path | str) -> RuleSet:
    """Read and check a rule file; raise ConfigError naming file:line for every problem."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read rule file: {exc.strerror or exc}") from None
    data, positions = parse_yaml(raw.decode("utf-8", errors="replace"), path)
    try:
        spec = RuleFile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_errors(exc, path, positions)) from None
    known = set(FIELDS_BY_KIND[spec.kind]) | {"lines"} | set(HELPERS) | {"None", "True", "False"}
    problems = [
        f"{path}:{positions.get(('required', i), 1)}: required[{i}]: unknown field {name!r}"
        for i, name in enumerate(spec.required)
        if name not in known
    ]
    for index, rule in enumerate(spec.rules):
        for key in ("when", "check"):
            expression = getattr(rule, key)
            if not expression:
                continue
            line = positions.get(("rules", index, key), 1)
            try:
                unknown = sorted(_names_in(expression) - known)
            except SyntaxError as exc:
                problems.append(f"{path}:{line}: rules[{index}].{key}: syntax error in {expression!r}: {exc.msg}")
                continue
            if unknown:
                problems.append(f"{path}:{line}: rules[{index}].{key}: unknown field {', '.join(map(repr, unknown))}")
    if problems:
        raise ConfigError(problems)
    return RuleSet(path, spec, hashlib.sha256(raw).hexdigest()[:16])
