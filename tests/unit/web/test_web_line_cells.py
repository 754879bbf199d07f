"""A line item's cell has two spellings, ``line.N.FIELD`` (from 1, the command line's) and
``lines[N].FIELD`` (from 0, the review form's): one parser reads both wherever a correction is
taken, and both make the same correction."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from backoffice.cli import app
from backoffice.documents import cells
from backoffice.queue.base import Status
from backoffice.web import actions
from backoffice.web.users import User


def test_both_spellings_name_the_same_cell_and_other_names_are_refused():
    assert cells.parse("line.2.amount") == cells.parse(" lines[1].amount") == cells.LineCell(1, "amount")
    assert cells.parse("line.3") == cells.parse("lines[2]") == cells.LineCell(2, None)
    assert cells.parse("lines[1].amount").path == "lines[1].amount" and cells.parse("line.1.x").number == 1
    assert cells.parse("grand_total") is None
    for bad in ("line.0.amount", "lines.1.amount", "line[1].amount", "lines[1].Amount", "line.1.amount.x"):
        with pytest.raises(cells.BadCellName, match=r"line\.N\.FIELD .* or lines\[N\]\.FIELD"):
            cells.parse(bad)


def lined_item(ws):  # an invoice with two lines or more (the demo's mailroom also stops a timesheet)
    return next(i for i in ws.store.list(status=Status.EXCEPTION, limit=100)
                if (i.payload.get("document") or {}).get("kind") == "invoice"
                and len(i.payload["document"].get("line_fields") or []) >= 2)  # fmt: skip


def test_the_command_line_and_the_ui_make_the_same_correction_from_either_spelling(ws):
    item = lined_item(ws)
    config = str(ws.config.path)
    made = []
    for n, spelling in enumerate(("line.2.amount", "lines[1].amount")):  # the command line, both spellings
        answer = CliRunner().invoke(app, ["-c", config, "queue", "correct", str(item.id), f"{spelling}=1{n}.00",
                                          "--why", "paper", "--as", "anna", "--json"])  # fmt: skip
        assert answer.exit_code == 0, answer.output
        made.append(json.loads(answer.stdout)["corrections"][-1])
    for n, spelling in enumerate(("line.2.amount", "lines[1].amount"), start=2):  # the UI, both spellings
        after = actions.correct(ws, item.id, User("bea", "supervisor"), spelling, f"1{n}.00", "paper")
        made.append(after.payload["corrections"][-1])
    assert [(c["field"], c["new"]) for c in made] == [("lines[1].amount", f"1{n}.00") for n in range(4)]
    assert [c["old"] for c in made[1:]] == [c["new"] for c in made[:-1]]  # each changed the very same cell
    document = ws.store.get(item.id).payload["document"]
    assert document["line_fields"][1]["amount"]["value"] == "13.00" and document["lines"][1]["amount"] == "13.00"
    assert actions.current_value(document, "line.2.amount") == actions.current_value(document, "lines[1].amount")


def test_a_misspelt_cell_is_refused_naming_both_spellings(ws):
    item = lined_item(ws)
    with pytest.raises(actions.ActionRefused, match=r"write line\.N\.FIELD"):
        actions.correct(ws, item.id, User("bea", "supervisor"), "lines.1.amount", "1.00", "paper")
    with pytest.raises(actions.ActionRefused, match=r"has \d+ line\(s\): line\.1 to line\.\d+, or lines\[0\]"):
        actions.correct(ws, item.id, User("bea", "supervisor"), "line.999.amount", "1.00", "paper")
    assert "corrections" not in ws.store.get(item.id).payload
