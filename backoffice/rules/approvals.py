"""Four eyes: which approvals an item needs, and whether the approvals it has still cover its data.

An item needs an approval

- for each rule that routes it to approval with severity ``error`` (``route: {to: approval,
  role: finance-manager, above: 10000}``): by a holder of that role whose ``approve_up_to``
  reaches the amount, or of a role with a higher limit (bots.yaml ``approvals.roles``);
- when a person corrected one of the deployment's sensitive fields (bots.yaml
  ``approvals.sensitive_fields``; default iban, bic, bank_account, seller_vat_id, grand_total):
  by anyone else.

Nobody who changed the item's data approves it. An approval records :func:`covers`, a hash of
what it approved (the document's fields and lines and the corrections made to them), and the
field values it saw; any later change voids it. The item's payload keeps it all::

    "corrections": [{"who", "field", "old", "new", "why", "at"}, ...]
    "approvals":   [{"who", "roles", "as", "rules", "at", "why", "covers", "fields", "voided"?}, ...]

:func:`missing` says what still stops the item from being posted: the runner calls it before
posting (a refusal is a BusinessError with that reason), the UI and ``backoffice queue retry``
before a retry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from backoffice.errors import BusinessError
from backoffice.queue.base import RETRY_FROM, JournalEntry
from backoffice.rules import holds

SENSITIVE_FIELDS = ("iban", "bic", "bank_account", "seller_vat_id", "grand_total")
SENSITIVE_RULE = "sensitive-fields"


@dataclass(frozen=True)
class Need:
    """One approval an item needs: for ``rule``, by a holder of ``role`` (None: anyone else)."""

    rule: str
    role: str | None
    amount: Decimal | None
    why: str

    def describe(self) -> str:
        who = f"a {self.role}" if self.role else "a second person"
        return f"an approval by {who} ({self.why})"


@dataclass(frozen=True)
class Policy:
    """The deployment's four-eyes settings (bots.yaml ``approvals``)."""

    sensitive_fields: frozenset[str] = frozenset(SENSITIVE_FIELDS)
    limits: Mapping[str, Decimal | None] = field(default_factory=dict)  # role -> approve_up_to (None: no limit)

    @classmethod
    def of(cls, config: Any) -> Policy:
        """The policy of a loaded bots.yaml (:class:`backoffice.config.Config`)."""
        settings = config.approvals
        limits = {
            name: None if role.approve_up_to is None else Decimal(str(role.approve_up_to))
            for name, role in settings.roles.items()
        }
        return cls(frozenset(settings.sensitive_fields), limits)

    def _outranks(self, held: str, role: str) -> bool:
        if held not in self.limits or role not in self.limits:
            return False
        mine, theirs = self.limits[held], self.limits[role]
        return theirs is not None and (mine is None or mine > theirs)

    def refusal(self, roles: Iterable[str], need: Need) -> str:
        """Why a holder of ``roles`` may not give this approval ("" when they may)."""
        if need.role is None:
            return ""
        roles = list(roles)
        usable = [r for r in roles if r == need.role or self._outranks(r, need.role)]
        if not usable:
            return f"it needs a {need.role}; they hold {', '.join(roles) or 'no approval role'}"
        for role in usable:
            cap = self.limits.get(role)
            if need.amount is None or cap is None or need.amount <= cap:
                return ""
        caps = ", ".join(f"a {r} approves up to {self.limits[r]}" for r in usable)
        return f"{caps}; this is {need.amount}"

    def may_approve(self, roles: Iterable[str], need: Need) -> bool:
        return not self.refusal(roles, need)


def _amount(text: Any) -> Decimal | None:
    try:
        return Decimal(str(text).replace(",", "")) if text not in (None, "", "(missing)") else None
    except InvalidOperation:
        return None


def corrections(payload: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list(payload.get("corrections") or [])


def changers(payload: Mapping[str, Any]) -> set[str]:
    """Everyone who changed the item's data."""
    return {str(c.get("who", "")) for c in corrections(payload)}


def snapshot(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The field values of the item's document: what an approval saw."""
    document = payload.get("document") or {}
    return {name: f.get("value") for name, f in sorted((document.get("fields") or {}).items())}


def covers(payload: Mapping[str, Any]) -> str:
    """The hash an approval records: the document's fields and lines and its corrections."""
    document = payload.get("document") or {}
    data = {"fields": snapshot(payload), "lines": document.get("lines") or [], "corrections": corrections(payload)}
    text = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def approval_routes(verdict: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The routes to approval that hold an item (severity error), released or not."""
    routes = (verdict or {}).get("routes") or []
    return [r for r in routes if r.get("to") == "approval" and r.get("severity", "error") == "error"]


def needs(payload: Mapping[str, Any], policy: Policy) -> list[Need]:
    """The approvals the item needs, from its Verdict and its corrections."""
    out = []
    for route in approval_routes(payload.get("verdict")):
        amount = _amount(route.get("amount"))
        why = f"rule {route['rule']}" + (f", amount {amount}" if amount is not None else "")
        out.append(Need(str(route["rule"]), route.get("role"), amount, why))
    touched: dict[str, set[str]] = {}
    for correction in corrections(payload):
        if correction.get("field") in policy.sensitive_fields:
            touched.setdefault(str(correction.get("who")), set()).add(str(correction["field"]))
    if touched:
        why = "; ".join(f"{who} changed {', '.join(sorted(names))}" for who, names in sorted(touched.items()))
        out.append(Need(SENSITIVE_RULE, None, None, why))
    return out


def approvals(payload: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list(payload.get("approvals") or [])


def current(payload: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The approvals that still cover the item's data, by people who did not change it."""
    now, changed = covers(payload), changers(payload)
    return [
        a for a in approvals(payload) if not a.get("voided") and a.get("covers") == now and a.get("who") not in changed
    ]


def stale(payload: Mapping[str, Any]) -> list[str]:
    """Why each earlier approval no longer counts ("approval by bob voided: alice changed iban")."""
    now, snap, changed, out = covers(payload), snapshot(payload), changers(payload), []
    for given in approvals(payload):
        who = given.get("who")
        if given.get("voided"):
            out.append(f"approval by {who} voided: {given['voided']}")
        elif given.get("covers") != now:
            seen = given.get("fields") or {}
            diff = sorted(n for n in {*seen, *snap} if seen.get(n) != snap.get(n))
            changed_fields = f" ({', '.join(diff)} changed)" if diff else ""
            out.append(f"approval by {who} no longer covers the data{changed_fields}")
        elif who in changed:
            out.append(f"approval by {who} does not count: {who} changed the data")
    return out


def satisfied(need: Need, payload: Mapping[str, Any], policy: Policy) -> dict[str, Any] | None:
    """The current approval that meets ``need``, if any."""
    return next((a for a in current(payload) if policy.may_approve(a.get("roles") or [], need)), None)


def missing(payload: Mapping[str, Any], policy: Policy) -> list[str]:
    """What still stops the item from being posted ([] when nothing does)."""
    wanted = [n for n in needs(payload, policy) if satisfied(n, payload, policy) is None]
    if not wanted:
        return []
    changed = sorted(changers(payload))
    other = f" from someone other than {', '.join(changed)}" if changed else ""
    return [*stale(payload), *(f"needs {n.describe()}{other}" for n in wanted)]


def void(payload: Mapping[str, Any], who: str, name: str) -> tuple[dict[str, Any], list[str]]:
    """Before ``who`` changes field ``name``: the payload with every live approval voided, and
    the journal notes saying so."""
    notes, kept = [], []
    for given in approvals(payload):
        if not given.get("voided"):
            given = {**given, "voided": f"{who} changed {name}"}
            notes.append(f"approval by {given.get('who')} voided: {who} changed {name}")
        kept.append(given)
    return ({**payload, "approvals": kept} if notes else dict(payload)), notes


def entry(
    payload: Mapping[str, Any],
    who: str,
    roles: Sequence[str],
    used: Sequence[str],
    rules: Sequence[str],
    at: str,
    why: str,
) -> dict[str, Any]:
    """A new approval by ``who`` (holding ``roles``, approving as ``used``) of ``rules``."""
    return {
        "who": who,
        "roles": list(roles),
        "as": list(used),
        "rules": list(rules),
        "at": at,
        "why": why,
        "covers": covers(payload),
        "fields": snapshot(payload),
    }


def released(payload: Mapping[str, Any], journal: Sequence[JournalEntry], policy: Policy) -> dict[str, str]:
    """The holds of the item's last Verdict that are released: a route to approval only by a
    current approval that meets it (never by a retry alone), other holds as :mod:`holds` says."""
    previous = payload.get("verdict")
    routes = approval_routes(previous)
    approval_rules = {str(r["rule"]) for r in (previous or {}).get("routes", []) if r.get("to") == "approval"}
    out = {k: v for k, v in holds.released(previous, journal).items() if k not in approval_rules}
    for route in routes:
        need = Need(str(route["rule"]), route.get("role"), _amount(route.get("amount")), "")
        found = satisfied(need, payload, policy)
        if found is not None:
            role = ", ".join(found.get("as") or []) or "supervisor"
            out[need.rule] = f"approved by {found['who']} ({role}) on {str(found.get('at', ''))[:16]}"
    return out


def posted_note(payload: Mapping[str, Any]) -> str:
    """What the journal says when a person's item is posted: the hash of the data posted and
    the approvals that covered it ("" for an item nobody touched)."""
    if not corrections(payload) and not approvals(payload):
        return ""
    used = [f"{a['who']} ({', '.join(a.get('as') or []) or 'second person'})" for a in current(payload)]
    return f"posted data {covers(payload)[:12]}" + (f", approved by {', '.join(used)}" if used else "")


def refuse_retry(item: Any, policy: Policy) -> None:
    """Raise BusinessError when a person's retry of ``item`` (a WorkItem) would only bring it
    back: it waits in the exception queue and lacks approvals the runner needs to post it."""
    lacking = missing(item.payload, policy) if item.status in RETRY_FROM else []
    if lacking:
        raise BusinessError(f"item {item.id} is not retried: " + "; ".join(lacking), code="needs-approval")
