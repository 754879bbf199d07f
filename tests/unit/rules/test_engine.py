from __future__ import annotations

import textwrap

import pytest

from backoffice.errors import ConfigError
from backoffice.rules import load_rules
from tests.conftest import ROOT
from tests.fakes import invoice


@pytest.fixture
def sample():
    return load_rules(ROOT / "rules" / "invoice.yaml")


def write(tmp_path, text: str):
    path = tmp_path / "rules.yaml"
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def test_a_good_invoice_passes_every_rule(sample):
    verdict = sample.evaluate(invoice())
    assert verdict.passed and verdict.errors == [] and verdict.warnings == []
    assert {o.rule for o in verdict.outcomes} >= {"totals-add-up", "due-after-issue", "positive-total"}
    assert len(verdict.rules_hash) == 16


def test_totals_that_do_not_add_up(sample):
    verdict = sample.evaluate(invoice(tax_total="18.00"))
    [error] = verdict.errors
    assert error.rule == "totals-add-up"
    assert error.message == "net 100.00 + tax 18.00 does not equal the total 119.00"
    assert error.values == {"net_total": "100.00", "tax_total": "18.00", "grand_total": "119.00"}


def test_one_cent_tolerance(sample):
    assert sample.evaluate(invoice(tax_total="19.01")).passed
    assert not sample.evaluate(invoice(tax_total="19.02")).passed


def test_when_skips_a_rule(sample):
    verdict = sample.evaluate(invoice(net_total=None, tax_total=None))
    assert verdict.passed and "totals-add-up" not in {o.rule for o in verdict.outcomes}


def test_date_arithmetic_and_warnings(sample):
    early = sample.evaluate(invoice(due_date="2026-01-01"))
    assert [e.message for e in early.errors] == ["due date 2026-01-01 is before the issue date 2026-01-10"]
    late = sample.evaluate(invoice(due_date="2026-06-30"))
    assert late.passed and [w.rule for w in late.warnings] == ["payment-term"]


def test_required_fields(sample):
    verdict = sample.evaluate(invoice(currency=None, seller_name=None))
    assert [e.message for e in verdict.errors] == ["seller_name is missing", "currency is missing"]


def test_a_check_on_a_missing_value_says_what_it_needs(tmp_path):
    rules = load_rules(write(tmp_path, """
        rules:
          - {id: r, check: "amount_due > 0", message: "no"}
    """))  # fmt: skip
    [error] = rules.evaluate(invoice()).errors
    assert error.message == "r: needs amount_due"


def test_verdict_to_dict_round_trips_through_json(sample):
    import json

    data = json.loads(json.dumps(sample.evaluate(invoice(grand_total="1.00")).to_dict()))
    assert data["passed"] is False and data["outcomes"][-1]["rule"] == "positive-total"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kind: invoice\nrules:\n  - {id: a, check: 'net_total +', message: m}\n",
         "rules.yaml:3: rules[0].check: syntax error in 'net_total +'"),
        ("kind: invoice\nrules:\n  - id: a\n    when: foo == 1\n    check: 'True'\n    message: m\n",
         "rules.yaml:4: rules[0].when: unknown field 'foo'"),
        ("required: [invoice_number, totl]\n", "rules.yaml:1: required[1]: unknown field 'totl'"),
        ("rules:\n  - {id: a, check: 'True', message: m, severity: fatal}\n",
         "rules.yaml:2: rules[0].severity: Input should be 'error' or 'warning'"),
        ("rules:\n  - {id: a, message: m}\n", "rules.yaml:2: rules[0]: required field 'check' is missing"),
        ("kind: timesheet\n", "rules.yaml:1: kind: Input should be 'invoice' or 'credit_note'"),
        ("rules: [\n", "rules.yaml:2:1: YAML syntax error"),
    ],
)
def test_bad_rule_files_name_file_line_and_field(tmp_path, text, expected):
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_rules(path)
    assert any(p.startswith(str(tmp_path / expected.split(":")[0]) + expected[len("rules.yaml"):]) for p in caught.value.problems), caught.value.problems


@pytest.mark.parametrize(
    "expression",
    [
        "grand_total.__class__.__mro__",
        "approx.__globals__",
        "lines.__class__",
        "9 ** 9 ** 9 ** 9",
        "'x' * 10 ** 9",
    ],
)
def test_hostile_expressions_do_not_escape(tmp_path, expression):
    rules = load_rules(write(tmp_path, f"""
        rules:
          - id: evil
            check: "{expression}"
            message: m
    """))  # fmt: skip
    [error] = rules.evaluate(invoice()).errors
    assert error.rule == "evil" and error.message.startswith("evil: expression not allowed: ")
