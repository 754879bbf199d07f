"""The engine on the sample invoice rules and on small rule files: outcomes, values, Verdicts."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date

import pytest

from backoffice.documents.models import Field
from backoffice.errors import BusinessError
from backoffice.rules import Verdict, load_rules
from tests.fakes import invoice
from tests.unit.rules.conftest import doc

TODAY = date(2026, 3, 1)


def test_a_good_invoice_passes_every_rule_and_each_rule_has_an_outcome(sample):
    verdict = sample.evaluate(doc(), today=TODAY)
    assert verdict.passed and verdict.errors == [] and verdict.warnings == []
    ids = [o.rule for o in verdict.outcomes]
    assert ids[:5] == [f"required:{n}" for n in ("invoice_number", "issue_date", "seller_name", "currency", "grand_total")]
    assert [r.id for r in sample.rules] == [i for i in ids if not i.startswith(("required:", "duplicate:"))]
    skipped = {o.rule for o in verdict.outcomes if o.skipped}
    assert {"po-known", "po-2way-match", "amount-due"} <= skipped
    assert verdict.sets == {"gl_account": "6815", "cost_centre": "CC-100"}


def test_the_verdict_names_the_rule_file_its_hash_and_git_commit(sample):
    verdict = sample.evaluate(doc(), today=TODAY)
    assert verdict.rules_file.endswith("rules/invoice.yaml")
    assert len(verdict.rules_hash) == 16 and int(verdict.rules_hash, 16) >= 0
    assert verdict.git_commit is None or len(verdict.git_commit) == 40


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_commit_and_a_modified_file_are_recorded(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("rules:\n  - {id: a, check: 'grand_total > 0', message: m}\n")

    def git(*args):
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    git("init", "-q")
    git("add", "rules.yaml")
    git("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "-m", "rules")
    head = subprocess.run(["git", "-C", str(tmp_path), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    clean = load_rules(path).evaluate(invoice())
    assert (clean.git_commit, clean.git_dirty) == (head, False)
    path.write_text(path.read_text() + "# changed\n")
    changed = load_rules(path).evaluate(invoice())
    assert (changed.git_commit, changed.git_dirty) == (head, True)
    assert changed.rules_hash != clean.rules_hash


def test_outside_git_there_is_no_commit(rules_of):
    verdict = rules_of("rules: []\n").evaluate(invoice())
    assert verdict.git_commit is None and verdict.git_dirty is False


def test_totals_that_do_not_add_up(sample):
    verdict = sample.evaluate(doc(tax_total="18.00"), today=TODAY)
    assert [e.rule for e in verdict.errors] == ["totals-add-up", "tax-rate-allowed"]
    error = verdict.errors[0]
    assert error.message == "net 100.00 + tax 18.00 does not equal the total 119.00"
    assert error.values == {"net_total": "100.00", "tax_total": "18.00", "grand_total": "119.00"}


def test_one_cent_tolerance(sample):
    assert "totals-add-up" not in {e.rule for e in sample.evaluate(doc(grand_total="119.01"), today=TODAY).errors}
    assert "totals-add-up" in {e.rule for e in sample.evaluate(doc(grand_total="119.02"), today=TODAY).errors}


def test_when_false_records_a_skipped_outcome(sample):
    verdict = sample.evaluate(doc(net_total=None, tax_total=None), today=TODAY)
    [outcome] = [o for o in verdict.outcomes if o.rule == "totals-add-up"]
    assert outcome.ok and outcome.skipped
    assert outcome.message == "not applicable: net_total != None and tax_total != None is false"


def test_date_arithmetic_and_warnings(sample):
    early = sample.evaluate(doc(due_date="2026-01-01"), today=TODAY)
    assert [e.message for e in early.errors] == ["due date 2026-01-01 is before the issue date 2026-01-10"]
    late = sample.evaluate(doc(due_date="2026-06-30"), today=TODAY)
    assert late.passed and [w.rule for w in late.warnings] == ["payment-term"]
    future = sample.evaluate(doc(), today=date(2026, 1, 9))
    assert [e.message for e in future.errors] == ["the invoice is dated 2026-01-10, in the future"]


def test_required_fields(sample):
    verdict = sample.evaluate(doc(currency=None, seller_name=None), today=TODAY)
    assert [e.message for e in verdict.errors][:2] == ["seller_name is missing", "currency is missing"]
    assert verdict.errors[0].values == {"seller_name": "(missing)"}


def test_a_check_on_a_missing_value_says_what_it_needs(rules_of):
    rules = rules_of("rules:\n  - {id: r, check: 'amount_due > 0', message: 'no'}\n")
    [error] = rules.evaluate(invoice()).errors
    assert error.message == "r: needs amount_due" and error.values == {"amount_due": "(missing)"}


def test_a_check_that_cannot_be_evaluated_says_why(rules_of):
    rules = rules_of("rules:\n  - {id: r, check: 'grand_total / (net_total - net_total) > 1', message: 'no'}\n")
    [error] = rules.evaluate(invoice()).errors
    assert error.message.startswith("r: cannot be evaluated: ")


def test_verdict_round_trips_through_json(sample):
    verdict = sample.evaluate(doc(grand_total="-1.00"), today=TODAY)
    data = json.loads(json.dumps(verdict.to_dict()))
    again = Verdict.from_dict(data)
    assert again == verdict and again.decision() == "fail: totals-add-up, positive-total"
    assert data["passed"] is False and data["set"] == {"gl_account": "6815", "cost_centre": "CC-100"}


def test_a_rule_file_for_another_kind_refuses_the_document(rules_of):
    rules = rules_of("kind: timesheet\nrules: []\n")
    with pytest.raises(BusinessError, match="rules.yaml has rules for timesheet documents, not invoice"):
        rules.evaluate(invoice())
    assert rules_of("kind: credit_note\nrules: []\n", "credit.yaml").evaluate(invoice()).passed


def test_messages_insert_expressions_and_escape_braces(rules_of):
    rules = rules_of("""
        rules:
          - id: r
            check: grand_total > 1000
            message: "{{total}} {grand_total} is {1000 - grand_total} short of {currency}{{}}"
    """)
    assert rules.evaluate(invoice()).errors[0].message == "{total} 119.00 is 881.00 short of EUR{}"


def test_a_message_placeholder_that_fails_shows_missing(rules_of):
    rules = rules_of("rules:\n  - {id: r, check: 'grand_total < 0', message: 'due {due_date - amount_due}'}\n")
    assert rules.evaluate(invoice()).errors[0].message == "due (missing)"


def test_join_in_a_message_shows_lists_and_single_values(rules_of):
    rules = rules_of("""
        constants: {rates: [19, 7]}
        rules:
          - id: r
            check: grand_total < 0
            message: "rates {join(rates, ' / ')}; total {join(grand_total)}; lines {join(lines.description)}"
    """)
    document = invoice()
    document.lines = [{"description": Field("Widget")}, {"description": Field("Nut")}]
    assert rules.evaluate(document).errors[0].message == "rates 19 / 7; total 119.00; lines Widget, Nut"


def test_a_placeholder_that_fails_on_present_values_says_why_not_missing(rules_of):
    rules = rules_of("rules:\n  - {id: r, check: 'grand_total < 0', message: 'x {grand_total / 0}'}\n")
    message = rules.evaluate(invoice()).errors[0].message
    assert message.startswith("x (cannot show grand_total / 0: ") and "missing" not in message


def test_constants_are_names(rules_of):
    rules = rules_of("""
        constants: {limit: 100.5, codes: [EUR, CHF]}
        rules:
          - {id: a, check: grand_total > limit, message: "{grand_total} is not above {limit}"}
          - {id: b, check: currency in codes, message: m}
    """)
    assert rules.evaluate(invoice()).passed
    assert rules.evaluate(invoice(grand_total="100.50")).errors[0].message == "100.50 is not above 100.5"


def test_a_value_that_is_not_its_type_counts_as_missing(rules_of):
    rules = rules_of("rules:\n  - {id: r, check: due_date > issue_date, message: m}\n")
    [error] = rules.evaluate(invoice(due_date="2026-13-01")).errors
    assert error.message == "r: needs due_date"
