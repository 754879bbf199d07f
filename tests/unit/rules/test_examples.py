"""Examples carried in rule files, run like unit tests; the sample rule files' own examples pass."""

from __future__ import annotations

import pytest

from backoffice.rules import load_rules
from backoffice.rules.examples import run_examples
from tests.conftest import ROOT

SAMPLES = sorted((ROOT / "rules").glob("*.yaml"))


def test_there_are_sample_rule_files_for_the_three_kinds_and_the_sample_plugin_kind():
    assert {load_rules(p).kind for p in SAMPLES} == {"invoice", "timesheet", "order", "delivery_note"}
    assert len(load_rules(ROOT / "rules" / "invoice.yaml").rules) >= 20


@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_the_examples_of_each_sample_rule_file_pass(path):
    results = run_examples(load_rules(path))
    assert len(results) >= 3
    assert [(r.name, r.problems) for r in results if not r.ok] == []


WRONG = """
rules:
  - {id: total, check: grand_total < 100, message: "too much: {grand_total}"}
  - {id: fill, set: {channel: "'mail'"}}
  - {id: soft, check: currency == 'USD', message: not dollars, severity: warning}
examples:
  - name: every expectation wrong
    document: {grand_total: "119.00", currency: EUR}
    expect:
      passed: true
      errors: [other]
      warnings: []
      set: {channel: post}
      messages: {total: "too little", nothing: x}
  - name: every expectation right
    document: {grand_total: "119.00", currency: EUR}
    expect:
      passed: false
      errors: [total]
      warnings: [soft]
      set: {channel: mail}
      messages: {total: "too much: 119.00"}
"""


def test_each_way_an_example_can_fail_is_reported(rules_of):
    wrong, right = run_examples(rules_of(WRONG))
    assert right.ok and right.to_dict()["decision"] == "fail: total"
    assert wrong.problems == [
        "expected to pass, but failed: total: too much: 119.00",
        "errors: expected ['other'], got ['total']; unexpected: total (too much: 119.00); missing: other",
        "warnings: expected [], got ['soft']; unexpected: soft (not dollars)",
        "set channel: expected 'post', got 'mail'",
        "message of total: expected it to contain 'too little', got 'too much: 119.00'",
        "message of nothing: the rule gave no outcome",
    ]


def test_example_values_are_read_as_an_extractor_gives_them(rules_of):
    rules = rules_of("""
        rules:
          - {id: types, check: "grand_total == 119 and issue_date.year == 2026 and lines[0].quantity == 2.5", message: m}
        examples:
          - name: YAML numbers and dates become decimals and ISO dates
            document: {grand_total: 119.00, issue_date: 2026-01-10, lines: [{quantity: 2.5}]}
            expect: {passed: true}
    """)
    [result] = run_examples(rules)
    assert result.ok, result.problems
