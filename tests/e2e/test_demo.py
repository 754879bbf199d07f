"""`backoffice demo` end to end: generated invoices through folder, extraction, rules, targets;
with the demo portal, its timesheets scraped and generated orders typed into its form."""

from __future__ import annotations

import csv
import json

import sqlite_utils

from tests.conftest import ROOT
from tests.e2e.conftest import backoffice, backoffice_json

MISTAKE_CODES = {
    "totals": "rule:totals-add-up",
    "missing-number": "rule:required:invoice_number",
    "due-before-issue": "rule:due-after-issue",
}


def test_demo_posts_good_invoices_and_stops_the_others_with_their_reason(tmp_path):
    from backoffice.demo.invoices import generate

    workspace = tmp_path / "demo"
    result = backoffice_json("-c", str(ROOT / "bots.yaml"), "demo", "--workspace", str(workspace), "--count", "24")
    expected = {g.path.name: g for g in generate(tmp_path / "expected", count=24, seed=7)}
    assert result["generated"] == 24

    exceptions = {row["file"]: row for row in result["exceptions"] if not row["file"].startswith("mailroom-")}
    mistaken = {name for name, g in expected.items() if g.mistake}
    assert mistaken, "the demo set must contain invoices with mistakes"
    assert set(exceptions) == mistaken
    for name, row in exceptions.items():
        assert row["code"] == MISTAKE_CODES[expected[name].mistake], (name, row)
    # the mailroom (the sample Python bot) handed its three invoices to the invoices bot
    assert result["queue"]["invoices"] == {"done": 24 - len(mistaken) + 3, "exception": len(mistaken)}
    # the portal bots: every timesheet of the portal's 45 scraped; each CSV and PDF order typed in once
    assert result["queue"]["portal-timesheets"] == {"done": 45} and result["orders"] == 4
    assert result["queue"]["portal-orders"] == {"done": 4} and result["portal"].startswith("http://127.0.0.1:")
    orders = backoffice_json("-c", str(workspace / "bots.yaml"), "queue", "list", "--bot", "portal-orders")
    assert sorted(i["refs"]["order-portal"] for i in orders) == [f"C-{100001 + n}" for n in range(4)]

    ledger = sqlite_utils.Database(workspace / "out" / "ledger.db")
    rows = {row["source"]: row for row in ledger["invoices"].rows if not row["source"].startswith("mailroom-")}
    assert set(rows) == set(expected) - mistaken
    for name, row in rows.items():
        for field, value in expected[name].expected.items():
            assert row[field] == value, (name, field)
    ours = {(row["seller_name"], row["invoice_number"]) for row in rows.values()}  # not the mailroom's
    lines = [line for line in ledger["invoice_lines"].rows if (line["seller_name"], line["invoice_number"]) in ours]
    assert len(lines) == sum(len(expected[n].lines) for n in rows)

    with open(workspace / "out" / "invoices.csv", newline="") as handle:
        assert sorted(r["source"] for r in csv.DictReader(handle) if not r["source"].startswith("mailroom-")) == sorted(
            rows
        )
    assert sorted(p.name for p in (workspace / "inbox" / "processed").iterdir()) == sorted(expected)

    [log] = (workspace / "logs").glob("run-*.jsonl")
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    posted = [line for line in lines if line.get("action") == "post"]
    assert posted and all({"bot", "run", "item"} <= set(line) for line in posted)


def test_demo_workspace_works_with_the_queue_commands_and_is_recreated(tmp_path):
    workspace = tmp_path / "demo"
    backoffice("-c", str(ROOT / "bots.yaml"), "demo", "--workspace", str(workspace), "--count", "6", "--seed", "3",
               "--no-portal")  # fmt: skip
    config = str(workspace / "bots.yaml")
    items = backoffice_json("-c", config, "queue", "list", "--bot", "invoices")
    assert len(items) == 6 + 3  # and the mailroom's three invoices
    shown = backoffice("-c", config, "queue", "show", str(items[0]["id"])).stdout
    assert "journal" in shown
    backoffice("-c", str(ROOT / "bots.yaml"), "demo", "--workspace", str(workspace), "--count", "2", "--no-portal")
    assert len(backoffice_json("-c", config, "queue", "list", "--bot", "invoices")) == 2 + 3


def test_demo_refuses_to_wipe_a_folder_it_did_not_make(tmp_path):
    (tmp_path / "precious.txt").write_text("keep me")
    result = backoffice("-c", str(ROOT / "bots.yaml"), "demo", "--workspace", str(tmp_path), check=False)
    assert result.returncode == 1 and "is not a demo workspace" in result.stderr
    assert (tmp_path / "precious.txt").read_text() == "keep me"


def test_demo_without_a_browser_skips_the_portal_bots_and_says_why(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKOFFICE_BROWSER", str(tmp_path / "no-chrome"))
    workspace = tmp_path / "demo"
    result = backoffice_json("-c", str(ROOT / "bots.yaml"), "demo", "--workspace", str(workspace), "--count", "3")
    assert result["skipped"] == [f"the portal bots: browser {tmp_path / 'no-chrome'} does not exist"]
    assert set(result["queue"]) == {"invoices", "mailroom"} and result["portal"] is None and result["orders"] == 0


def test_demo_runs_the_sample_python_bot_beside_the_declarative_ones(tmp_path):
    """The mailroom (backoffice/samples/mailroom.py) sorts a mixed pile: invoices handed to the
    invoices bot (as children, with the document read), a timesheet and a note to the exception
    queue naming their files, one line per hand-over in its log, posted through the ledger."""
    workspace = tmp_path / "demo"
    result = backoffice_json("-c", str(ROOT / "bots.yaml"), "demo", "--workspace", str(workspace), "--count", "2",
                             "--no-portal")  # fmt: skip
    assert result["pile"] == 5 and result["queue"]["mailroom"] == {"done": 3, "exception": 2}
    reasons = {row["file"]: row["reason"] for row in result["exceptions"] if row["file"].startswith("mailroom-")}
    assert set(reasons) == {"mailroom-lunch-menu.txt", "mailroom-timesheet-en-05days.pdf"}
    assert all(reason.startswith(name + ": ") for name, reason in reasons.items())
    config = str(workspace / "bots.yaml")
    sorted_ = backoffice_json("-c", config, "queue", "list", "--bot", "mailroom", "--status", "done")
    handed = [i for i in backoffice_json("-c", config, "queue", "list", "--bot", "invoices") if i["parent_id"]]
    assert sorted(i["parent_id"] for i in handed) == sorted(i["id"] for i in sorted_)
    assert all(i["status"] == "done" and i["payload"]["handed_by"]["bot"] == "mailroom" for i in handed)
    assert all(i["refs"] == {"mailroom-log": i["refs"]["mailroom-log"]} for i in sorted_)
    with open(workspace / "out" / "mailroom.csv", newline="") as handle:
        logged = list(csv.DictReader(handle))
    assert sorted(r["file"] for r in logged) == sorted(i["payload"]["file"] for i in sorted_)
    assert {r["handed_to"] for r in logged} == {"invoices"} and all(r["number"] for r in logged)
