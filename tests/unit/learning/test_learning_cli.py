"""The learning commands end to end on a SQLite workspace: `queue correct` (the UI's journaled
correction), `layouts list|show|export|delete`, `extract --bot` with the learned layouts."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from backoffice.cli import app
from backoffice.demo.learning_flow import finish, hold, intake
from backoffice.demo.series import generate_series
from backoffice.documents import extract
from backoffice.documents.templates import load_templates
from backoffice.queue.sqlite import SQLiteStore

runner = CliRunner()


@pytest.fixture
def workspace(deployment, tmp_path):
    path = deployment(
        """
        bots:
          - name: invoices
            source: {kind: folder, path: inbox, create: true}
        """
    )
    # Seed 17's first sender: the reader misses its invoice number, due date and order reference.
    invoices = generate_series(tmp_path / "series", senders=1, per_sender=3, seed=17)[0]
    store = SQLiteStore(path.parent / "work" / "queue.db")
    yield path, store, invoices
    store.close()


def cli(path, *args):
    return runner.invoke(app, ["-c", str(path), *args])


def test_correct_learn_list_show_export_extract_delete(workspace):
    path, store, invoices = workspace
    first = invoices[0]
    item, document = intake(store, "invoices", first.path)
    hold(store, item)
    wrong = {
        k: v for k, v in first.expected.items() if (document.fields[k].value if k in document.fields else None) != v
    }
    assert wrong, "the reader reads this sender's invoice right: nothing to teach"
    pairs = [f"{k}={v}" for k, v in wrong.items()]
    result = cli(path, "queue", "correct", str(item.id), *pairs, "--why", "misread", "--as", "anna", "--json")
    assert result.exit_code == 0, result.output
    corrections = json.loads(result.stdout)["corrections"]
    assert {(c["who"], c["field"], c["new"]) for c in corrections} == {("anna", k, v) for k, v in wrong.items()}
    assert [e.action for e in store.journal(item.id)].count("correct") == len(wrong)
    _, layout = finish(store, store.get(item.id), first.path, "anna")

    listed = json.loads(cli(path, "layouts", "list", "--json").stdout)
    assert [(row["id"], row["item"], row["taught_by"]) for row in listed] == [(layout.id, item.id, "anna")]
    shown = json.loads(cli(path, "layouts", "show", str(layout.id), "--json").stdout)
    assert shown["journal"][0]["action"] == "learn" and set(shown["journal"][0]["fields"]) == set(wrong)
    assert "after" in cli(path, "layouts", "show", str(layout.id)).stdout

    template = yaml.safe_load(cli(path, "layouts", "export", str(layout.id), "--format", "invoice2data").stdout)
    assert template["keywords"] == [first.expected["seller_vat_id"], first.expected["iban"]]
    assert "date" in template["fields"] or "date_due" in template["fields"]

    # The export is a working template: our template reader finds the sender's next invoice by it.
    folder = path.parent / "templates"
    folder.mkdir()
    written = cli(path, "layouts", "export", str(layout.id), "-o", str(folder / "learned.yml"))
    assert written.exit_code == 0, written.output
    by_template = extract(invoices[1].path, templates=load_templates(folder))
    assert by_template.method == "template:learned"
    assert by_template.fields["invoice_number"].value == invoices[1].expected["invoice_number"]

    bad = cli(path, "layouts", "export", str(layout.id), "--format", "csv")
    assert bad.exit_code == 1 and "--format csv: use one of ours, invoice2data" in bad.stderr

    read = json.loads(cli(path, "extract", "--bot", "invoices", str(invoices[1].path), "--json").stdout)
    assert read["learned"]["layout"] == layout.id
    for name in wrong:
        assert read["fields"][name]["method"] == "learned"
        assert read["fields"][name]["value"] == invoices[1].expected[name]

    assert cli(path, "layouts", "delete", str(layout.id), "--why", "test", "--as", "admin").exit_code == 0
    assert json.loads(cli(path, "layouts", "list", "--json").stdout) == []
    again = json.loads(cli(path, "extract", "--bot", "invoices", str(invoices[1].path), "--json").stdout)
    assert again["learned"] is None
    missing = cli(path, "layouts", "show", str(layout.id))
    assert missing.exit_code == 1 and f"no learned layout {layout.id}" in missing.stderr


def test_correct_refuses_bad_pairs_and_unknown_fields(workspace):
    path, store, invoices = workspace
    item, _ = intake(store, "invoices", invoices[0].path)
    hold(store, item)
    no_equals = cli(path, "queue", "correct", str(item.id), "grand_total", "--why", "x", "--as", "anna")
    assert no_equals.exit_code == 1 and "FIELD=VALUE" in no_equals.stderr
    unknown = cli(path, "queue", "correct", str(item.id), "colour=blue", "--why", "x", "--as", "anna")
    assert unknown.exit_code == 1 and "colour is not a field" in unknown.stderr
    no_why = cli(path, "queue", "correct", str(item.id), "grand_total=12.00", "--as", "anna")
    assert no_why.exit_code == 1 and "why is required" in no_why.stderr
    assert store.get(item.id).payload.get("corrections") is None


def test_extract_with_an_unknown_bot(workspace):
    path, _, invoices = workspace
    result = cli(path, "extract", "--bot", "nobody", str(invoices[0].path))
    assert result.exit_code == 1 and "bot nobody is not in bots.yaml" in result.stderr
