"""Every action: check, set, lookup (one row, all rows, fuzzy, optional), route; and duplicate keys."""

from __future__ import annotations

import pytest

from backoffice.rules.duplicates import DocumentsHistory
from tests.fakes import invoice
from tests.unit.rules.conftest import doc

VENDORS = """\
vendor_id,name,vat_id,iban,gl_account,limit
V-1,Acme GmbH,DE398259794,DE61190748337887623286,6300,500.00
V-2,Acme Analytics LLC,,,6820,
V-3,Nordwind Bürotechnik GmbH,,,6815,1000
"""


@pytest.fixture
def vendors(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "vendors.csv").write_text(VENDORS, encoding="utf-8")


def lookup_rules(rules_of, lookup: str, extra: str = "") -> object:
    return rules_of(f"""
        data:
          vendors: {{csv: data/vendors.csv, types: {{limit: money}}}}
        rules:
          - id: vendor
            lookup: {lookup}
            message: "no vendor {{seller_name}}"
        {extra}
    """)


# -- check -----------------------------------------------------------------------------------------
def test_check_passes_fails_and_records_values(rules_of):
    rules = rules_of("rules:\n  - {id: c, check: 'grand_total >= 100', message: 'only {grand_total}'}\n")
    [ok] = rules.evaluate(invoice()).outcomes
    assert (ok.ok, ok.action, ok.values, ok.message) == (True, "check", {"grand_total": "119.00"}, "")
    [failed] = rules.evaluate(invoice(grand_total="99.00")).outcomes
    assert (failed.ok, failed.message) == (False, "only 99.00")


# -- set -------------------------------------------------------------------------------------------
def test_set_enriches_the_document_and_later_rules_read_it(rules_of):
    rules = rules_of("""
        rules:
          - id: fill
            when: amount_due == None
            set: {amount_due: grand_total, channel: "'email'"}
          - {id: later, check: "amount_due == grand_total and channel == 'email'", message: m}
    """)
    document = invoice()
    verdict = rules.evaluate(document)
    assert verdict.passed and verdict.sets == {"amount_due": "119.00", "channel": "email"}
    assert verdict.outcomes[0].message == "set amount_due = 119.00; channel = email"
    verdict.apply_to(document)
    assert document.fields["amount_due"].value == "119.00" and document.fields["amount_due"].method == "rule"
    assert document.value("amount_due") == document.value("grand_total")


def test_a_set_that_fails_is_an_outcome_with_the_reason(rules_of):
    rules = rules_of("rules:\n  - id: s\n    set: {x: grand_total / 0}\n    severity: warning\n")
    [outcome] = rules.evaluate(invoice()).warnings
    assert outcome.action == "set" and outcome.message.startswith("s: cannot be evaluated")


# -- lookup ----------------------------------------------------------------------------------------
def test_lookup_by_exact_key_binds_the_row(rules_of, vendors):
    rules = lookup_rules(rules_of, "{from: vendors, where: {vat_id: seller_vat_id}, as: vendor}",
                         "  - {id: gl, check: \"vendor.gl_account == '6300' and vendor.limit > 100\", message: m}")
    verdict = rules.evaluate(invoice(seller_vat_id="de398259794"))  # case does not matter
    assert verdict.passed
    assert verdict.outcomes[0].values == {"seller_vat_id": "de398259794", "vendor": "V-1", "matched_by": "=vat_id"}
    spaced = lookup_rules(rules_of, "{from: vendors, where: {vat_id: compact(seller_vat_id)}, as: vendor}")
    assert spaced.evaluate(invoice(seller_vat_id="de 398.259-794")).passed


def test_lookup_that_finds_nothing_fails_with_its_message(rules_of, vendors):
    rules = lookup_rules(rules_of, "{from: vendors, where: {vat_id: seller_vat_id}, as: vendor}",
                         "  - {id: later, when: vendor != None, check: vendor.iban == None, message: m}")
    verdict = rules.evaluate(invoice(seller_vat_id="DE000000000"))
    assert [(e.rule, e.message) for e in verdict.errors] == [("vendor", "no vendor Acme GmbH")]
    assert verdict.outcomes[1].skipped  # the name exists, empty


def test_lookup_without_values_to_look_up_says_what_it_needs(rules_of, vendors):
    rules = lookup_rules(rules_of, "{from: vendors, where: {vat_id: seller_vat_id}, as: vendor}")
    [error] = rules.evaluate(invoice()).errors
    assert error.message == "vendor: needs seller_vat_id"


def test_lookup_falls_back_to_the_most_similar_name(rules_of, vendors):
    rules = lookup_rules(rules_of, "{from: vendors, where: {vat_id: seller_vat_id}, fuzzy: {name: seller_name}, score: 85, as: vendor}")
    verdict = rules.evaluate(invoice(seller_name="NORDWIND  Burotechnik GmbH"))
    assert verdict.passed and verdict.outcomes[0].values["vendor"] == "V-3"
    assert verdict.outcomes[0].values["matched_by"].startswith("name ~ ")
    assert not rules.evaluate(invoice(seller_name="Zeta Widgets Ltd")).passed


def test_lookup_of_all_rows_with_a_list_of_keys(rules_of, vendors):
    rules = rules_of("""
        data: {vendors: {csv: data/vendors.csv}}
        constants: {wanted: [V-1, V-3, V-9]}
        rules:
          - id: some
            lookup: {from: vendors, where: {vendor_id: wanted}, as: found, all: true}
          - {id: count, check: "found.gl_account == ['6300', '6815'] and missing(wanted, found.vendor_id) == ['V-9']", message: m}
    """)
    verdict = rules.evaluate(invoice())
    assert verdict.passed and verdict.outcomes[0].values["found"] == "V-1, V-3"


def test_an_optional_lookup_that_finds_nothing_passes(rules_of, vendors):
    rules = lookup_rules(rules_of, "{from: vendors, where: {vat_id: seller_vat_id}, as: vendor, optional: true}")
    [outcome] = rules.evaluate(invoice(seller_vat_id="DE000000000")).outcomes
    assert outcome.ok and outcome.values["vendor"] == "(none)"


def test_a_warning_lookup_lets_the_item_go_on(rules_of, vendors):
    rules = rules_of("""
        data: {vendors: {csv: data/vendors.csv}}
        rules:
          - {id: v, lookup: {from: vendors, where: {vat_id: seller_vat_id}, as: vendor}, severity: warning}
    """)
    verdict = rules.evaluate(invoice(seller_vat_id="DE1"))
    assert verdict.passed and verdict.warnings[0].message == "nothing in vendors for vat_id = DE1"


# -- route -----------------------------------------------------------------------------------------
ROUTES = """
    rules:
      - id: big
        route: {to: approval, role: finance-manager, above: 1000}
        message: "{grand_total} needs a finance manager"
      - id: manual
        when: currency == 'CHF'
        route: {to: exception}
        message: "Swiss invoices are booked by hand"
"""


def test_route_to_approval_above_the_threshold(rules_of):
    rules = rules_of(ROUTES)
    below = rules.evaluate(invoice())
    assert below.passed and below.routes == () and below.outcomes[0].message == "119.00 is not above 1000"
    above = rules.evaluate(invoice(net_total="1000.00", tax_total="190.00", grand_total="1190.00"))
    [hold] = above.errors
    assert (hold.rule, hold.action, hold.message) == ("big", "route", "1190.00 needs a finance manager")
    assert above.routes == ({"rule": "big", "to": "approval", "severity": "error", "role": "finance-manager",
                             "amount": "1190.00"},)  # fmt: skip
    assert above.holds == ["big"]


def test_route_to_the_exception_queue(rules_of):
    verdict = rules_of(ROUTES).evaluate(invoice(currency="CHF"))
    assert [(e.rule, e.message) for e in verdict.errors] == [("manual", "Swiss invoices are booked by hand")]
    assert verdict.routes[0]["to"] == "exception"


def test_a_released_route_passes_and_says_who_released_it(rules_of):
    rules = rules_of(ROUTES)
    verdict = rules.evaluate(invoice(grand_total="5000.00", net_total=None, tax_total=None),
                             released={"big": "alice on 2026-03-01 10:00"})
    assert verdict.passed and verdict.released == {"big": "alice on 2026-03-01 10:00"}
    assert verdict.outcomes[0].message == "5000.00 needs a finance manager: released by alice on 2026-03-01 10:00"
    assert verdict.routes[0]["released_by"] == "alice on 2026-03-01 10:00"


def test_route_on_an_order_uses_its_total_and_needs_an_amount(rules_of):
    rules = rules_of("kind: order\nrules:\n  - {id: big, route: {to: approval, role: boss, above: 10}, message: m}\n")
    [hold] = rules.evaluate(doc("order", order_number="1", total="11")).errors
    assert hold.values == {"total": "11", "amount": "11", "above": "10"}
    [missing] = rules.evaluate(doc("order", order_number="1")).errors
    assert missing.message == "big: needs total"


# -- duplicates ------------------------------------------------------------------------------------
DUPLICATES = """
    duplicates:
      - {id: number, key: [seller_name, invoice_number]}
      - {id: amount, key: [seller_name, grand_total], date: issue_date, within_days: 3, severity: warning}
    rules: []
"""


def test_the_same_key_is_a_possible_duplicate_of_the_newest_earlier_item(rules_of):
    rules = rules_of(DUPLICATES)
    history = DocumentsHistory([invoice(), invoice(invoice_number="INV-9"), invoice(seller_name="ACME  gmbh")],
                               rules.duplicates)
    verdict = rules.evaluate(invoice(), history=history)
    assert [(o.rule, o.message) for o in verdict.errors] == [
        ("duplicate:number", "possible duplicate of item 3 (same seller_name, invoice_number)")]
    assert [(o.rule, o.values["duplicate_of"]) for o in verdict.warnings] == [("duplicate:amount", "3")]
    assert verdict.holds == ["duplicate:number"]


def test_a_date_key_allows_only_so_many_days(rules_of):
    rules = rules_of(DUPLICATES)
    history = DocumentsHistory([invoice(invoice_number="X-1", issue_date="2026-01-06")], rules.duplicates)
    assert rules.evaluate(invoice(), history=history).warnings == []
    near = DocumentsHistory([invoice(invoice_number="X-1", issue_date="2026-01-07")], rules.duplicates)
    [warning] = rules.evaluate(invoice(), history=near).warnings
    assert warning.message == "possible duplicate of item 1 (same seller_name, grand_total; issue_date within 3 days)"


def test_a_key_with_a_missing_part_is_not_compared(rules_of):
    rules = rules_of(DUPLICATES)
    history = DocumentsHistory([invoice(invoice_number=None)], rules.duplicates)
    verdict = rules.evaluate(invoice(invoice_number=None), history=history)
    assert verdict.errors == [] and len(verdict.warnings) == 1


def test_duplicates_without_history_are_recorded_as_not_checked(rules_of):
    verdict = rules_of(DUPLICATES).evaluate(invoice())
    assert [(o.rule, o.skipped, o.message) for o in verdict.outcomes] == [
        ("duplicate:number", True, "not checked: no queue history given"),
        ("duplicate:amount", True, "not checked: no queue history given"),
    ]


def test_a_released_duplicate_passes(rules_of):
    rules = rules_of(DUPLICATES)
    verdict = rules.evaluate(invoice(), history=DocumentsHistory([invoice()], rules.duplicates),
                             released={"duplicate:number": "bob"})  # fmt: skip
    assert verdict.passed and verdict.released == {"duplicate:number": "bob"}
    assert verdict.outcomes[0].message.endswith(": released by bob")
