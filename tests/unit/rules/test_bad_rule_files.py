"""Bad rule files: every problem is reported as ``file:line:column: field: message``, all at once."""

from __future__ import annotations

import pytest

from backoffice.errors import ConfigError
from backoffice.rules import load_rules

VENDORS = "vendor_id,name,iban\nV-1,Acme GmbH,DE61190748337887623286\n"

CASES = [
    # -- YAML and structure ------------------------------------------------------------------------
    ("rules: [\n", "rules.yaml:2:1: YAML syntax error: expected the node content, but found '<stream end>'"),
    ("- a\n- b\n", "rules.yaml:1:1: (top): a rule file is a mapping with kind, rules, ..."),
    ("constants:\n  limit: 1\n  limit: 2\n", "rules.yaml:3:3: duplicate key 'limit' (first at line 2)"),
    ("constants:\n  a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
     "  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
     "  e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n  f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
     "rules.yaml:6:6: with its aliases expanded this holds more than 100,000 values (an alias bomb?); refused"),
    ("rulez: []\n", "rules.yaml:1:1: rulez: unknown field"),
    ("kind: payslip\n", "rules.yaml:1:1: kind: unknown document kind 'payslip'; rule files read invoice, credit_note, "
                            "timesheet, order"),
    ("rules:\n  - {id: a, message: m}\n", "rules.yaml:2:5: rules[0]: a rule has exactly one action of check, set, "
                                          "lookup, route (found: none)"),
    ("rules:\n  - {id: a, check: 'True', set: {x: '1'}, message: m}\n",
     "rules.yaml:2:5: rules[0]: a rule has exactly one action of check, set, lookup, route (found: check, set)"),
    ("rules:\n  - {id: a, check: grand_total > 0}\n", "rules.yaml:2:5: rules[0]: a check rule needs a message"),
    ("rules:\n  - {id: a, check: 'True', message: m, severity: fatal}\n",
     "rules.yaml:2:40: rules[0].severity: Input should be 'error' or 'warning'"),
    ("rules:\n  - {check: 'True', message: m}\n", "rules.yaml:2:5: rules[0]: required field 'id' is missing"),
    ("rules:\n  - {id: 'a b', check: 'True', message: m}\n",
     "rules.yaml:2:6: rules[0].id: String should match pattern '^[A-Za-z0-9][A-Za-z0-9_.-]*$'"),
    ("rules:\n  - {id: a, route: {to: approval}, message: m}\n",
     "rules.yaml:2:13: rules[0].route: to: approval needs a role"),
    ("data: {v: {csv: data/vendors.csv}}\nrules:\n  - {id: a, lookup: {from: v, fuzzy: {name: seller_name}, as: x, all: true}}\n",
     "rules.yaml:3:13: rules[0].lookup: fuzzy finds one row; it cannot be used with all: true"),
    ("data:\n  v: {csv: a.csv, sql: 'sqlite:///x.db'}\n", "rules.yaml:2:3: data.v: give either csv or sql"),
    # -- expressions -------------------------------------------------------------------------------
    ("rules:\n  - {id: a, check: \"len('%0999999999d' % 1) > 0\", message: m}\n",
     "rules.yaml:2:25: rules[0].check: a result longer than 100000 is not allowed"),
    ("rules:\n  - {id: a, check: \"len('ab' * 10 ** 9) > 0\", message: m}\n",
     "rules.yaml:2:25: rules[0].check: a result longer than 100000 is not allowed"),
    ("rules:\n  - {id: a, check: 'net_total +', message: m}\n",
     "rules.yaml:2:32: rules[0].check: syntax error: invalid syntax"),
    ("rules:\n  - id: a\n    when: totl == 1\n    check: 'True'\n    message: m\n",
     "rules.yaml:3:11: rules[0].when: unknown field 'totl' (did you mean 'tax_total'?)"),
    ("kind: invoice\nrules:\n  - id: a\n    check: net_total > 0 and grand_totl > 0\n    message: m\n",
     "rules.yaml:4:30: rules[0].check: unknown field 'grand_totl' (did you mean 'grand_total'?)"),
    ("rules:\n  - {id: a, check: 'sqrt(grand_total) > 1', message: m}\n",
     "rules.yaml:2:21: rules[0].check: unknown function 'sqrt'"),
    ("rules:\n  - {id: a, check: 'approx(grand_total)', message: m}\n",
     "rules.yaml:2:21: rules[0].check: approx(): missing a required argument: 'b'"),
    ("rules:\n  - {id: a, check: 'seller_name.upper() == 1', message: m}\n",
     "rules.yaml:2:21: rules[0].check: only helper functions can be called (no methods)"),
    ("rules:\n  - {id: a, check: 'grand_total.__class__', message: m}\n",
     "rules.yaml:2:21: rules[0].check: attributes starting with '_' are not allowed: .__class__"),
    ("rules:\n  - {id: a, check: 'grand_total.cents > 1', message: m}\n",
     "rules.yaml:2:21: rules[0].check: grand_total is a money field: it has no .cents"),
    ("rules:\n  - {id: a, check: 'sum(lines.amout) > 1', message: m}\n",
     "rules.yaml:2:25: rules[0].check: unknown column 'amout' of line (did you mean 'amount'?)"),
    ("rules:\n  - {id: a, check: 'issue_date.week > 1', message: m}\n",
     "rules.yaml:2:21: rules[0].check: a date has only .year, .month and .day, not .week"),
    ("rules:\n  - id: a\n    check: matches(invoice_number, '(a)\\\\1')\n    message: m\n",
     "rules.yaml:3:36: rules[0].check: bad pattern '(a)\\\\1': invalid escape sequence: \\1"),
    ("rules:\n  - {id: a, check: approx, message: m}\n",
     "rules.yaml:2:20: rules[0].check: approx is a function: call it as approx(...)"),
    ("rules:\n  - id: a\n    check: |\n      (grand_total > 0 and\n        foo)\n    message: m\n",
     "rules.yaml:5:9: rules[0].check: unknown field 'foo'"),
    ("rules:\n  - {id: a, check: 'grand_total > 0', message: 'total {totl}'}\n",
     "rules.yaml:2:56: rules[0].message: in {totl}: unknown field 'totl' (did you mean 'tax_total'?)"),
    ("rules:\n  - {id: a, set: {approx: '1'}}\n", "rules.yaml:2:19: rules[0].set.approx: 'approx' is the name of a function"),
    ("rules:\n  - {id: a, check: vendor != None, message: m}\n  - {id: b, set: {vendor: \"'x'\"}}\n",
     "rules.yaml:2:20: rules[0].check: unknown field 'vendor'"),
    # -- lookups and master data -------------------------------------------------------------------
    ("data: {vendors: {csv: data/vendors.csv}}\nrules:\n  - {id: a, lookup: {from: vendorz, where: {name: seller_name}, as: v}}\n",
     "rules.yaml:3:22: rules[0].lookup.from: unknown lookup 'vendorz' (known: vendors)"),
    ("data: {vendors: {csv: data/vendors.csv}}\nrules:\n  - {id: a, lookup: {from: vendors, where: {nam: seller_name}, as: v}}\n",
     "rules.yaml:3:45: rules[0].lookup.where.nam: unknown column 'nam' of vendors (columns: iban, name, vendor_id)"),
    ("data: {vendors: {csv: data/vendors.csv}}\nrules:\n  - {id: a, lookup: {from: vendors, where: {name: seller_name}, as: v}}\n"
     "  - {id: b, check: v.ibn == iban, message: m}\n",
     "rules.yaml:4:20: rules[1].check: unknown column 'ibn' of vendors (did you mean 'iban'?)"),
    ("data: {vendors: {csv: data/vendors.csv}}\nrules:\n  - {id: a, lookup: {from: vendors, where: {name: seller_name}, as: currency}}\n",
     "rules.yaml:3:65: rules[0].lookup.as: 'currency' is already a field or name; choose another"),
    ("data: {vendors: {csv: data/none.csv}}\n",
     "rules.yaml:1:18: data.vendors.csv: master data vendors: cannot read {dir}/data/none.csv: [Errno 2] No such file or directory"),
    ("data: {vendors: {csv: data/vendors.csv, types: {limit: money}}}\n",
     "rules.yaml:1:49: data.vendors.types.limit: no column 'limit' in vendors"),
    ("data: {erp: {sql: 'mysql://x', table: t}}\n", "rules.yaml:1:14: data.erp.sql: use sqlite:///PATH or postgresql://..."),
    ("data: {erp: {sql: 'postgresql://${NO_SUCH_VARIABLE_X}/db', table: t}}\n",
     "rules.yaml:1:14: data.erp.sql: environment variable NO_SUCH_VARIABLE_X is not set"),
    # -- other sections ----------------------------------------------------------------------------
    ("required: [invoice_number, totl]\n", "rules.yaml:1:28: required[1]: unknown field 'totl'"),
    ("duplicates:\n  - {id: d, key: [seller_name, number]}\n", "rules.yaml:2:32: duplicates[0].key[1]: unknown field 'number'"),
    ("rules:\n  - {id: a, check: 'True', message: m}\n  - {id: a, check: 'True', message: m}\n",
     "rules.yaml:3:6: rules[1].id: rule id 'a' is used twice (also in rules.yaml)"),
    ("kind: timesheet\nrules:\n  - {id: a, route: {to: approval, role: boss, above: 5}, message: m}\n",
     "rules.yaml:3:13: rules[0].route: a timesheet has no total: give amount"),
    ("examples:\n  - name: e\n    document: {grand_totl: '1', lines: [{amout: '1'}]}\n    expect: {passed: true}\n",
     "rules.yaml:3:16: examples[0].document.grand_totl: unknown field 'grand_totl'"),
    ("examples:\n  - name: e\n    document: {lines: [{amout: '1'}]}\n    expect: {passed: true}\n",
     "rules.yaml:3:25: examples[0].document.lines[0].amout: unknown line field 'amout'"),
    ("include: [none.yaml]\n", "rules.yaml:1:11: include[0]: cannot read rule file {dir}/none.yaml: No such file or directory"),
    # -- conditions that can never be true ---------------------------------------------------------
    ("rules:\n  - {id: a, when: grand_total > 100 and grand_total < 50, check: 'True', message: m}\n",
     "rules.yaml:2:19: rules[0].when: can never be true: no grand_total is above 100 and below 50"),
    ("rules:\n  - {id: a, check: \"currency == 'EURO'\", message: m}\n",
     "rules.yaml:2:21: rules[0].check: can never be true: currency == 'EURO': currency codes are three capital letters (ISO 4217)"),
    ("rules:\n  - {id: a, check: \"due_date == '2026-01-01'\", message: m}\n",
     "rules.yaml:2:21: rules[0].check: can never be true: due_date == '2026-01-01': due_date is a date, never equal to "
     "or ordered with '2026-01-01'"),
    ("rules:\n  - {id: a, when: 1 > 2, check: 'True', message: m}\n",
     "rules.yaml:2:19: rules[0].when: can never be true: 1 > 2 is always false"),
    ("rules:\n  - {id: a, when: iban == None and iban != None, check: 'True', message: m}\n",
     "rules.yaml:2:19: rules[0].when: can never be true: iban cannot be missing and have a value at once"),
    ("rules:\n  - {id: a, when: \"currency == 'EUR' and currency == 'USD'\", check: 'True', message: m}\n",
     "rules.yaml:2:20: rules[0].when: can never be true: currency cannot equal 'EUR' and 'USD' at once"),
    ("rules:\n  - {id: a, when: \"currency in [] or 3 < 1\", check: 'True', message: m}\n",
     "rules.yaml:2:20: rules[0].when: can never be true: currency in an empty list is always false; 3 < 1 is always false"),
    ("rules:\n  - {id: a, when: \"grand_total == 5 and grand_total > 10\", check: 'True', message: m}\n",
     "rules.yaml:2:20: rules[0].when: can never be true: no grand_total is above 10 and at most 5"),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[str(i) for i in range(len(CASES))])
def test_each_problem_names_file_line_column_and_field(tmp_path, text, expected):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "vendors.csv").write_text(VENDORS)
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_rules(path)
    wanted = f"{tmp_path}/" + expected.replace("{dir}", str(tmp_path))
    assert any(p.startswith(wanted) for p in caught.value.problems), caught.value.problems


def test_every_problem_is_reported_at_once(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("required: [totl]\nrules:\n  - {id: a, check: foo > 1, message: m}\n  - {id: b, when: 'x', check: 'y', message: m}\n")
    with pytest.raises(ConfigError) as caught:
        load_rules(path)
    assert [p.removeprefix(f"{path}:") for p in caught.value.problems] == [
        "1:12: required[0]: unknown field 'totl'",
        "3:20: rules[0].check: unknown field 'foo'",
        "4:20: rules[1].when: unknown field 'x'",
        "4:32: rules[1].check: unknown field 'y'",
    ]


def test_includes_come_first_and_are_checked_with_their_own_file(tmp_path):
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "common.yaml").write_text("rules:\n  - {id: shared, check: 'grand_totl > 0', message: m}\n")
    (tmp_path / "main.yaml").write_text("include: [shared/common.yaml]\nrules:\n  - {id: own, check: 'True', message: m}\n")
    with pytest.raises(ConfigError) as caught:
        load_rules(tmp_path / "main.yaml")
    assert caught.value.problems == [f"{tmp_path}/shared/common.yaml:2:26: rules[0].check: unknown field 'grand_totl' "
                                     "(did you mean 'grand_total'?)"]  # fmt: skip


def test_include_cycles_and_kinds(tmp_path):
    (tmp_path / "a.yaml").write_text("include: [b.yaml]\n")
    (tmp_path / "b.yaml").write_text("include: [a.yaml]\n")
    with pytest.raises(ConfigError) as caught:
        load_rules(tmp_path / "a.yaml")
    assert caught.value.problems == [f"{tmp_path}/b.yaml:1:11: include[0]: include cycle: a.yaml -> b.yaml -> a.yaml"]
    (tmp_path / "t.yaml").write_text("kind: timesheet\n")
    (tmp_path / "o.yaml").write_text("kind: order\ninclude: [t.yaml]\n")
    with pytest.raises(ConfigError) as caught:
        load_rules(tmp_path / "o.yaml")
    assert caught.value.problems == [f"{tmp_path}/t.yaml:1:1: kind: is timesheet, but o.yaml is order"]


def test_an_include_is_merged_once_and_its_names_conflict(tmp_path):
    (tmp_path / "c.yaml").write_text("constants: {limit: 1}\nrules:\n  - {id: c, check: limit > 0, message: m}\n")
    (tmp_path / "b.yaml").write_text("include: [c.yaml]\n")
    (tmp_path / "a.yaml").write_text("include: [b.yaml, c.yaml]\nrules:\n  - {id: a, check: limit == 1, message: m}\n")
    rules = load_rules(tmp_path / "a.yaml")
    assert [r.id for r in rules.rules] == ["c", "a"] and len(rules.files) == 3
    (tmp_path / "a.yaml").write_text("include: [c.yaml]\nconstants: {limit: 2}\n")
    with pytest.raises(ConfigError) as caught:
        load_rules(tmp_path / "a.yaml")
    assert caught.value.problems == [f"{tmp_path}/a.yaml:2:13: constants.limit: 'limit' is also declared in c.yaml"]


def test_an_unreadable_file(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_rules(tmp_path / "missing.yaml")
    assert caught.value.problems == [f"{tmp_path}/missing.yaml: cannot read rule file {tmp_path}/missing.yaml: "
                                     "No such file or directory"]  # fmt: skip
