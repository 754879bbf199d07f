"""``backoffice rules test``: run the examples a rule file carries, like unit tests.

An example is a document (field values as an extractor gives them, ``lines``), optionally the
documents of earlier items (``history``, for duplicate keys) and the date ``today()`` gives,
and what the verdict must be: ``passed``, exactly which rules fail as ``errors`` and
``warnings``, fields ``set``, and text the ``messages`` of named rules contain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from backoffice.documents.models import Document
from backoffice.documents.models import Field as DocField
from backoffice.rules.duplicates import DocumentsHistory
from backoffice.rules.engine import RuleSet
from backoffice.rules.schema import Example, Expect
from backoffice.rules.verdict import Verdict


@dataclass
class ExampleResult:
    file: str
    name: str
    problems: list[str] = field(default_factory=list)
    verdict: Verdict | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "example": self.name, "ok": self.ok, "problems": self.problems,
                "decision": self.verdict.decision() if self.verdict else None}  # fmt: skip


def as_text(value: Any) -> str:
    """An example value as an extractor would give it: ISO dates, decimals with a dot."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    return str(value)


def document_from(kind: str, data: dict[str, Any]) -> Document:
    def fields(values: dict[str, Any]) -> dict[str, DocField]:
        return {k: DocField(as_text(v), 1.0, method="example") for k, v in values.items() if v is not None}

    document = Document(kind, "example", fields({k: v for k, v in data.items() if k not in ("lines", "tax_lines")}),
                        [fields(line) for line in data.get("lines") or []], source="example")  # fmt: skip
    if hasattr(document, "tax_lines"):
        document.tax_lines = [fields(line) for line in data.get("tax_lines") or []]
    return document


def run_example(rules: RuleSet, example: Example) -> ExampleResult:
    history = DocumentsHistory([document_from(rules.kind, d) for d in example.history], rules.duplicates)
    verdict = rules.evaluate(document_from(rules.kind, example.document), history=history, today=example.today)
    return ExampleResult(rules.path.name, example.name, compare(example.expect, verdict), verdict)


def run_examples(rules: RuleSet) -> list[ExampleResult]:
    return [run_example(rules, example) for example in rules.examples]


def compare(expect: Expect, verdict: Verdict) -> list[str]:
    """What differs between the expected and the actual verdict (empty: it is as expected)."""
    problems = []
    if expect.passed is not None and verdict.passed != expect.passed:
        if expect.passed:
            got = "; ".join(f"{o.rule}: {o.message}" for o in verdict.errors)
            problems.append(f"expected to pass, but failed: {got}")
        else:
            problems.append("expected to fail, but passed")
    for label, wanted, got in (("errors", expect.errors, verdict.errors), ("warnings", expect.warnings, verdict.warnings)):
        if wanted is None:
            continue
        have = {o.rule: o.message for o in got}
        if sorted(set(wanted)) != sorted(have):
            extra = [f"{r} ({have[r]})" for r in sorted(set(have) - set(wanted))]
            lacking = sorted(set(wanted) - set(have))
            problems.append(f"{label}: expected {sorted(set(wanted))}, got {sorted(have)}"
                            + (f"; unexpected: {', '.join(extra)}" if extra else "")
                            + (f"; missing: {', '.join(lacking)}" if lacking else ""))  # fmt: skip
    for name, value in (expect.set or {}).items():
        if verdict.sets.get(name) != as_text(value):
            problems.append(f"set {name}: expected {as_text(value)!r}, got {verdict.sets.get(name)!r}")
    outcomes = {o.rule: o for o in verdict.outcomes}
    for rule, text in (expect.messages or {}).items():
        outcome = outcomes.get(rule)
        if outcome is None:
            problems.append(f"message of {rule}: the rule gave no outcome")
        elif text not in outcome.message:
            problems.append(f"message of {rule}: expected it to contain {text!r}, got {outcome.message!r}")
    return problems
