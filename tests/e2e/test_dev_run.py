"""``backoffice dev run``: one generated invoice PDF through the sample invoices bot, with the
real SQLite queue in a scratch workspace and the deployment's own rule file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from backoffice.demo.invoices import GeneratedInvoice, generate
from tests.e2e.conftest import backoffice

BOTS = """
    bots:
      - name: invoices
        source: {kind: folder, path: inbox, create: true}
        extractor: invoice
        rules: rules/invoice.yaml
        targets:
          - {kind: sql, url: "sqlite:///out/ledger.db", table: invoices, key: [seller_name, invoice_number]}
          - {kind: files, name: csv, path: out/invoices.csv}
"""


@pytest.fixture(scope="module")
def invoices(tmp_path_factory) -> dict[str, list[GeneratedInvoice]]:
    """The generated invoices by their deliberate mistake ("none", "totals", ...)."""
    by_mistake: dict[str, list[GeneratedInvoice]] = {}
    for invoice in generate(tmp_path_factory.mktemp("invoices"), count=6, seed=7):
        by_mistake.setdefault(invoice.mistake or "none", []).append(invoice)
    assert len(by_mistake["none"]) >= 2 and by_mistake["totals"]
    return by_mistake


@pytest.fixture
def config(deployment) -> Path:
    return deployment(BOTS)


def dev_run(config: Path, *args: str) -> tuple[int, dict]:
    done = backoffice("-c", str(config), "dev", "run", *args, "--json", check=False)
    return done.returncode, json.loads(done.stdout)


def stages(result: dict, name: str) -> list[dict]:
    return [stage for stage in result["stages"] if stage["stage"] == name]


def test_a_good_invoice_is_done_and_nothing_is_posted(config, invoices, tmp_path):
    good = invoices["none"][0]
    scratch = tmp_path / "scratch"
    code, result = dev_run(config, "invoices", "--file", str(good.path), "--workspace", str(scratch))
    assert code == 0 and result["status"] == "done" and result["dry_run"] is True
    assert [s["stage"] for s in result["stages"]] == ["intake", "extract", "rules", "post", "post", "result"]
    [extract] = stages(result, "extract")
    number = extract["fields"]["invoice_number"]
    assert number["value"] == good.expected["invoice_number"] and 0 < number["confidence"] <= 1
    [rules] = stages(result, "rules")
    assert rules["passed"] is True and rules["rules_file"].endswith("invoice.yaml") and rules["checked"] > 0
    posts = stages(result, "post")
    assert [(p["target"], p["dry_run"], p["reference"]) for p in posts] == [
        ("sql", True, "dry-run:sql"),
        ("csv", True, "dry-run:csv"),
    ]
    assert posts[0]["values"]["grand_total"] == good.expected["grand_total"]
    assert not (scratch / "out").exists()  # the dry run wrote nothing where the targets write
    assert (scratch / "queue.db").is_file()  # the item went through a real SQLite queue
    assert not (config.parent / "work" / "queue.db").exists()  # the deployment's queue was never opened


def test_post_writes_to_the_real_targets(config, invoices, tmp_path):
    good = invoices["none"][1]
    scratch = tmp_path / "scratch"
    code, result = dev_run(config, "invoices", "--file", str(good.path), "--workspace", str(scratch), "--post")
    assert code == 0 and result["dry_run"] is False
    [sql, csv] = stages(result, "post")
    assert not sql["dry_run"] and sql["reference"] != "dry-run:sql"
    with sqlite3.connect(scratch / "out" / "ledger.db") as db:
        rows = db.execute("SELECT invoice_number FROM invoices").fetchall()
    assert rows == [(good.expected["invoice_number"],)]
    assert good.expected["invoice_number"] in (scratch / "out" / "invoices.csv").read_text()


def test_an_invoice_the_rules_reject_ends_in_the_exception_queue_with_exit_1(config, invoices):
    bad = invoices["totals"][0]
    code, result = dev_run(config, "invoices", "--file", str(bad.path))
    assert code == 1 and result["status"] == "exception" and result["code"] == "rule:totals-add-up"
    [rules] = stages(result, "rules")
    assert rules["passed"] is False and [e["rule"] for e in rules["errors"]] == ["totals-add-up"]
    assert stages(result, "post") == []
    assert result["stages"][-1] == {**result["stages"][-1], "stage": "result", "ok": False, "status": "exception"}


def test_a_file_that_is_not_a_pdf_names_the_file_and_exits_1(config, tmp_path):
    fake = tmp_path / "scan.pdf"
    fake.write_text("this is a text file, not a PDF\n")
    code, result = dev_run(config, "invoices", "--file", str(fake))
    assert code == 1 and result["status"] == "exception" and result["code"] == "not-a-pdf"
    [extract] = stages(result, "extract")
    assert extract["ok"] is False and "scan.pdf" in extract["error"] and extract["error_kind"] == "business"


def test_the_stages_are_printed_for_people(config, invoices):
    done = backoffice("-c", str(config), "dev", "run", "invoices", "--file", str(invoices["none"][0].path))
    lines = done.stdout.splitlines()
    heads = [line.split()[0] for line in lines if line and not line.startswith(" ")]
    assert heads == ["intake", "extract", "rules", "post", "post", "result"]
    [number] = [line.split() for line in lines if line.split()[:1] == ["invoice_number"]]
    assert number[2] == invoices["none"][0].expected["invoice_number"] and 0 < float(number[1]) <= 1
    assert "dry run" in done.stdout and "item 1 done" in done.stdout


def test_unknown_bot_and_missing_file_are_refused(config, tmp_path):
    unknown = backoffice("-c", str(config), "dev", "run", "nobody", "--file", str(config), check=False)
    assert unknown.returncode == 1 and "no bot named nobody (known: invoices)" in unknown.stderr
    missing = backoffice("-c", str(config), "dev", "run", "invoices", "--file", str(tmp_path / "x.pdf"), check=False)
    assert missing.returncode == 1 and "x.pdf: no such file" in missing.stderr
    used = tmp_path / "used"
    used.mkdir()
    (used / "queue.db").write_bytes(b"")
    args = ("-c", str(config), "dev", "run", "invoices", "--file", str(config), "--workspace", str(used))
    refused = backoffice(*args, check=False)
    assert refused.returncode == 1 and "not empty" in refused.stderr


def test_help_explains_the_dry_run():
    done = backoffice("dev", "run", "--help")
    text = " ".join(done.stdout.split())
    assert "NOT posted to unless --post" in text and "scratch workspace" in text


def test_a_target_that_cannot_be_reached_leaves_the_item_retrying_with_exit_1(deployment, invoices):
    """--post to a REST API on a port nobody listens on: an application error, retried later."""
    config = deployment(
        """
        bots:
          - name: invoices
            source: {kind: folder, path: inbox, create: true}
            targets:
              - kind: rest
                name: erp
                base_url: http://127.0.0.1:9
                idempotency_header: Idempotency-Key
                retry: {attempts: 1}
        """
    )
    code, result = dev_run(config, "invoices", "--file", str(invoices["none"][0].path), "--post")
    assert code == 1 and result["status"] == "retrying" and result["dry_run"] is False
    [post] = stages(result, "post")
    assert post["target"] == "erp" and post["ok"] is False and post["error_kind"] == "application"
    [rules] = stages(result, "rules")
    assert rules["rules_file"] is None  # this bot has no rule file
