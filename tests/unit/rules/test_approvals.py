"""Four eyes on the payload alone: what an item needs, what an approval covers, who may give it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from backoffice.config import load_config
from backoffice.errors import ConfigError
from backoffice.rules import approvals
from backoffice.rules.approvals import Need, Policy

LIMITS = Policy(limits={"approver": Decimal("10000"), "finance-manager": Decimal("100000"), "cfo": None})


def payload(**fields) -> dict:
    values = {"grand_total": "19385.13", "iban": "DE02120300000000202051", **fields}
    return {"document": {"fields": {k: {"value": v} for k, v in values.items()}, "lines": [{"amount": "1.00"}]},
            "verdict": {"routes": [{"rule": "big", "to": "approval", "role": "finance-manager", "severity": "error",
                                    "amount": "19385.13"}]}}  # fmt: skip


def approved(data: dict, who: str, roles: list[str]) -> dict:
    entry = approvals.entry(data, who, roles, roles, ["big"], "2026-03-01T10:00:00", "")
    return {**data, "approvals": [*data.get("approvals", []), entry]}


@pytest.mark.parametrize("roles, amount, ok", [
    (["finance-manager"], "19385.13", True), (["approver"], "19385.13", False), (["cfo"], "19385.13", True),
    (["finance-manager"], "150000", False), (["cfo"], "150000", True), ([], "1", False), (["sales"], "1", False),
])  # fmt: skip
def test_a_role_or_a_higher_one_approves_within_its_limit(roles, amount, ok):
    assert LIMITS.may_approve(roles, Need("big", "finance-manager", Decimal(amount), "")) is ok


def test_a_role_without_limits_is_only_approved_by_its_holders():
    need = Need("big", "sales-manager", Decimal("5"), "")
    assert Policy().may_approve(["sales-manager"], need) and not LIMITS.may_approve(["cfo"], need)
    assert Policy().may_approve([], Need("sensitive-fields", None, None, ""))


def test_any_change_to_fields_lines_or_corrections_changes_what_an_approval_covers():
    base = payload()
    assert approvals.covers(base) == approvals.covers(payload())
    assert approvals.covers(base) != approvals.covers(payload(iban="DE89370400440532013000"))
    assert approvals.covers(base) != approvals.covers({**base, "document": {**base["document"], "lines": []}})
    assert approvals.covers(base) != approvals.covers({**base, "corrections": [{"who": "a", "field": "x"}]})
    assert approvals.covers(base) == approvals.covers({**base, "assignee": "bob"})  # not data that is posted


def test_an_approval_that_no_longer_covers_the_data_says_what_changed():
    data = approved(payload(), "fran", ["finance-manager"])
    assert approvals.missing(data, LIMITS) == []
    changed = {**data, "document": payload(iban="DE89370400440532013000")["document"]}
    assert approvals.missing(changed, LIMITS) == [
        "approval by fran no longer covers the data (iban changed)",
        "needs an approval by a finance-manager (rule big, amount 19385.13)"]  # fmt: skip


def test_the_approver_may_not_have_changed_the_data():
    data = {**payload(), "corrections": [{"who": "fran", "field": "due_date", "new": "2026-04-01"}]}
    data = approved(data, "fran", ["finance-manager"])
    assert approvals.current(data) == []
    assert approvals.missing(data, LIMITS)[0] == "approval by fran does not count: fran changed the data"


def test_voiding_marks_each_live_approval_and_says_so():
    data = approved(payload(), "fran", ["finance-manager"])
    voided, notes = approvals.void(data, "alice", "iban")
    assert notes == ["approval by fran voided: alice changed iban"]
    assert voided["approvals"][0]["voided"] == "alice changed iban" and "voided" not in data["approvals"][0]
    assert approvals.void(voided, "bob", "bic")[1] == []  # already voided


def test_a_warning_route_needs_no_approval_a_sensitive_correction_does():
    data = payload()
    data["verdict"]["routes"][0]["severity"] = "warning"
    assert approvals.needs(data, Policy()) == []
    data["corrections"] = [{"who": "alice", "field": "bic", "new": "X"}, {"who": "bob", "field": "iban", "new": "Y"}]
    [need] = approvals.needs(data, Policy())
    assert need.role is None and need.why == "alice changed bic; bob changed iban"
    assert approvals.needs(data, Policy(sensitive_fields=frozenset({"grand_total"}))) == []


def test_bots_yaml_names_sensitive_fields_and_role_limits(deployment):
    path = deployment("""
        bots: [{name: b, source: {kind: folder, path: in, create: true}}]
        approvals:
          sensitive_fields: [iban]
          roles: {finance-manager: {approve_up_to: 100000}, cfo: {}}
        """)  # fmt: skip
    policy = Policy.of(load_config(path))
    assert policy.sensitive_fields == {"iban"} and policy.limits == {"finance-manager": Decimal("100000"), "cfo": None}
    assert Policy.of(load_config(deployment("bots: [{name: b, source: {kind: folder, path: in, create: true}}]\n"))
                     ).sensitive_fields == set(approvals.SENSITIVE_FIELDS)  # fmt: skip
    bad = deployment("""
        bots: [{name: b, source: {kind: folder, path: in, create: true}}]
        approvals:
          roles: {cfo: {approve_up_to: -5}}
        """, name="bad.yaml")  # fmt: skip
    with pytest.raises(ConfigError) as error:
        load_config(bad)
    assert "bad.yaml:3" in str(error.value.problems) and "approve_up_to" in str(error.value.problems)
