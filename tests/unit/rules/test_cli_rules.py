"""`backoffice check`, `backoffice rules test` and `backoffice rules replay` on a deployment."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from backoffice.cli import app
from backoffice.queue.base import NewItem
from backoffice.queue.sqlite import SQLiteStore
from tests.fakes import invoice

runner = CliRunner()
BOTS = """
    bots:
      - name: invoices
        source: {kind: folder, path: inbox, create: true}
        rules: rules/invoice.yaml
"""


def test_check_passes_the_sample_rules(deployment):
    path = deployment(BOTS)
    result = runner.invoke(app, ["-c", str(path), "check", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["checked"] == [str(path), str(path.parent / "rules" / "invoice.yaml")]


def test_check_reports_rule_file_problems_with_line_and_column(deployment):
    path = deployment(BOTS)
    rule_file = path.parent / "rules" / "invoice.yaml"
    rule_file.write_text(rule_file.read_text().replace("check: currency in currencies", "check: currency in currencys"))
    result = runner.invoke(app, ["-c", str(path), "check", "--json"])
    assert result.exit_code == 1
    [problem] = json.loads(result.output)["problems"]
    line = next(n for n, text in enumerate(rule_file.read_text().splitlines(), 1) if "currencys" in text)
    assert problem == f"{rule_file}:{line}:24: rules[8].check: unknown field 'currencys' (did you mean 'currency'?)"


def test_check_refuses_rules_for_another_kind_of_document(deployment):
    path = deployment(BOTS.replace("rules/invoice.yaml", "rules/order.yaml").replace("rules:", "extractor: invoice\n        rules:"))
    result = runner.invoke(app, ["-c", str(path), "check", "--json"])
    assert result.exit_code == 1
    assert json.loads(result.output)["problems"] == [
        f"{path}: bots[0].rules: order.yaml has rules for order documents, the bot extracts invoice"]


def test_rules_test_runs_the_examples_of_the_deployment(deployment):
    path = deployment(BOTS)
    result = runner.invoke(app, ["-c", str(path), "rules", "test"])
    assert result.exit_code == 0, result.output
    assert "PASS invoice.yaml: totals that do not add up" in result.output
    assert "7 passed, 0 failed" in result.output


def test_rules_test_fails_on_a_wrong_expectation_and_on_a_broken_file(deployment, tmp_path):
    path = deployment(BOTS)
    rule_file = path.parent / "rules" / "timesheet.yaml"
    rule_file.write_text(rule_file.read_text().replace("errors: [hours-per-day]", "errors: [hours-per-week]"))
    broken = tmp_path / "broken.yaml"
    broken.write_text("rules:\n  - {id: a, check: nope, message: m}\n")
    result = runner.invoke(app, ["-c", str(path), "rules", "test", str(rule_file), str(broken), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    [failed] = [e for e in data["examples"] if not e["ok"]]
    assert failed["example"] == "25 hours in one day"
    assert failed["problems"][0].startswith("errors: expected ['hours-per-week'], got ['hours-per-day']")
    assert data["problems"] == [f"{broken}:2:20: rules[0].check: unknown field 'nope'"]


def test_rules_replay_reads_the_queue_and_lists_changes(deployment):
    path = deployment(BOTS)
    (path.parent / "work").mkdir()
    store = SQLiteStore(path.parent / "work" / "queue.db")
    verdict = {"passed": True, "outcomes": [], "rules_hash": "x"}  # decided by rules that let everything pass
    store.enqueue(NewItem("invoices", "a", payload={"file": "a.pdf", "document": invoice(tax_total="18.00").to_dict(),
                                                     "verdict": verdict}))  # fmt: skip
    store.enqueue(NewItem("invoices", "b", payload={"file": "b.pdf"}))
    store.close()
    result = runner.invoke(app, ["-c", str(path), "rules", "replay", "--since", "2020-01-01", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["checked"], data["skipped"]) == (1, 1)
    [change] = data["changes"]
    assert (change["file"], change["before"]) == ("a.pdf", "pass")
    assert change["after"] == "fail: totals-add-up, tax-rate-allowed"
    assert change["rules"] == ["totals-add-up", "tax-rate-allowed"]
    table = runner.invoke(app, ["-c", str(path), "rules", "replay"])
    assert "1 items replayed, 1 decisions would change, 1 without a verdict skipped" in table.output


def test_rules_schema_describes_the_rule_file_format(tmp_path):
    out = tmp_path / "rules.schema.json"
    result = runner.invoke(app, ["rules", "schema", "-o", str(out)])
    assert result.exit_code == 0
    schema = json.loads(out.read_text())
    assert {"kind", "include", "data", "required", "duplicates", "rules", "examples"} <= set(schema["properties"])
    assert {"from", "where", "fuzzy", "as", "all", "optional"} <= set(schema["$defs"]["Lookup"]["properties"])
    assert all(p.get("description") for d in schema["$defs"].values() for p in d["properties"].values())
