"""What the rules decided about one document, kept on its item so any decision can be explained.

A :class:`Verdict` holds one :class:`Outcome` per rule (``ok``, ``skipped`` when its ``when``
was false), the values each rule read, the fields ``set`` rules filled in, the routes that
fired (approvals needed), and which rules decided: the rule file, its content hash and its git
commit. ``passed`` is False when any ``error`` outcome failed; the item then goes to the
exception queue. A route or duplicate hold that a person released (by retrying the item) is
recorded as ``released``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from backoffice.documents.models import Document
from backoffice.documents.models import Field as DocField

HOLD_ACTIONS = ("route", "duplicate")


@dataclass(frozen=True)
class Outcome:
    rule: str
    ok: bool
    severity: str
    message: str = ""
    values: dict[str, str] = field(default_factory=dict)
    action: str = "check"  # required, check, set, lookup, route, duplicate
    skipped: bool = False

    def to_dict(self) -> dict[str, Any]:
        out = {"rule": self.rule, "ok": self.ok, "severity": self.severity, "message": self.message,
               "values": self.values, "action": self.action}  # fmt: skip
        if self.skipped:
            out["skipped"] = True
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Outcome:
        return cls(data["rule"], data["ok"], data["severity"], data.get("message", ""), dict(data.get("values", {})),
                   data.get("action", "check"), data.get("skipped", False))  # fmt: skip


@dataclass(frozen=True)
class Verdict:
    outcomes: tuple[Outcome, ...]
    rules_hash: str
    rules_file: str = ""
    git_commit: str | None = None
    git_dirty: bool = False
    sets: dict[str, str] = field(default_factory=dict)
    routes: tuple[dict[str, str], ...] = ()
    released: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok and o.severity == "error"]

    @property
    def warnings(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok and o.severity == "warning"]

    @property
    def passed(self) -> bool:
        return not self.errors

    @property
    def holds(self) -> list[str]:
        """Rules that hold the item for a person (a route or a possible duplicate)."""
        return [o.rule for o in self.errors if o.action in HOLD_ACTIONS]

    def decision(self) -> str:
        """``pass``, or ``fail: rule, rule`` (the failing error rules): what replay compares."""
        return "pass" if self.passed else "fail: " + ", ".join(o.rule for o in self.errors)

    def apply_to(self, document: Document) -> None:
        """Write the values ``set`` rules produced into the document (method ``rule``)."""
        for name, value in self.sets.items():
            document.fields[name] = DocField(value, 1.0, None, None, "set by the rules", "rule")

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed, "rules_file": self.rules_file, "rules_hash": self.rules_hash,
            "git_commit": self.git_commit, "git_dirty": self.git_dirty, "set": dict(self.sets),
            "routes": [dict(r) for r in self.routes], "holds": self.holds, "released": dict(self.released),
            "outcomes": [o.to_dict() for o in self.outcomes],
        }  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Verdict:
        return cls(
            outcomes=tuple(Outcome.from_dict(o) for o in data.get("outcomes", [])),
            rules_hash=data.get("rules_hash", ""), rules_file=data.get("rules_file", ""),
            git_commit=data.get("git_commit"), git_dirty=data.get("git_dirty", False),
            sets=dict(data.get("set", {})), routes=tuple(data.get("routes", [])),
            released=dict(data.get("released", {})),
        )  # fmt: skip
