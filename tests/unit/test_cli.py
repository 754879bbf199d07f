from __future__ import annotations

import json

import pytest
import typer.main
from typer.testing import CliRunner

from backoffice.cli import app
from backoffice.queue.base import NewItem
from backoffice.queue.sqlite import SQLiteStore
from tests.conftest import ROOT

runner = CliRunner()


def all_commands() -> list[tuple[str, object]]:
    found = []

    def walk(command, prefix: str) -> None:
        if getattr(command, "commands", None):  # a group (typer vendors its own click)
            for name, sub in command.commands.items():
                walk(sub, f"{prefix} {name}".strip())
        else:
            found.append((prefix, command))

    walk(typer.main.get_command(app), "")
    return found


def test_every_command_has_help_and_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    names = [name for name, _ in all_commands()]
    assert {"run", "check", "queue list", "queue show", "queue retry", "queue cancel", "extract", "schema", "demo"} <= set(names)
    for name, command in all_commands():
        assert command.help and len(command.help) > 20, name
        assert f"backoffice {name}" in readme, f"`backoffice {name}` is not in the README"
        result = runner.invoke(app, [*name.split(), "--help"])
        assert result.exit_code == 0 and "Usage" in result.output


@pytest.fixture
def deployed(deployment):
    path = deployment(
        """
        bots:
          - name: invoices
            source: {kind: folder, path: inbox, create: true}
        """
    )
    store = SQLiteStore(path.parent / "work" / "queue.db")
    first, _ = store.enqueue(NewItem("invoices", "a", payload={"file": "a.pdf"}))
    second, _ = store.enqueue(NewItem("invoices", "b", payload={"file": "b.pdf"}))
    [claimed] = store.claim("r")
    store.to_exception(claimed.id, "r", reason="net + tax != total", code="rule:totals")
    return path, store, first, second


def test_queue_list_json_and_status_filter(deployed):
    path, _, first, _ = deployed
    result = runner.invoke(app, ["-c", str(path), "queue", "list", "--status", "exception", "--json"])
    assert result.exit_code == 0, result.output
    [item] = json.loads(result.stdout)
    assert (item["id"], item["status"], item["reason"]) == (first.id, "exception", "net + tax != total")


def test_queue_show_has_the_journal(deployed):
    path, _, first, _ = deployed
    data = json.loads(runner.invoke(app, ["-c", str(path), "queue", "show", str(first.id), "--json"]).stdout)
    assert [e["action"] for e in data["journal"]] == ["enqueue", "claim", "exception"]
    table = runner.invoke(app, ["-c", str(path), "queue", "show", str(first.id)]).stdout
    assert "net + tax != total" in table and "journal" in table


def test_queue_retry_and_cancel_are_journaled_with_the_actor(deployed):
    path, store, first, second = deployed
    result = runner.invoke(app, ["-c", str(path), "queue", "retry", str(first.id), "--why", "fixed", "--as", "alice"])
    assert result.exit_code == 0 and "pending" in result.stdout
    assert store.get(first.id).status == "pending"
    assert store.journal(first.id)[-1].actor == "alice" and store.journal(first.id)[-1].why == "fixed"
    assert runner.invoke(app, ["-c", str(path), "queue", "cancel", str(second.id)]).exit_code == 0
    refused = runner.invoke(app, ["-c", str(path), "queue", "retry", str(second.id), "999"])
    assert refused.exit_code == 1 and "item 999 does not exist" in refused.stderr
    again = runner.invoke(app, ["-c", str(path), "queue", "cancel", str(second.id), "999", "--json"])
    assert again.exit_code == 1
    assert json.loads(again.stdout) == [
        {"id": second.id, "status": "cancelled"}, {"id": 999, "error": "item 999 does not exist"},
    ]  # fmt: skip


def test_check_reports_problems_with_exit_1(deployment):
    path = deployment("bots:\n  - name: x\n    source: {kind: folder, path: nowhere}\n")
    result = runner.invoke(app, ["-c", str(path), "check", "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["problems"][0].startswith(f"{path}:3: bots[0].source.path: folder does not exist")


def test_check_of_the_sample_deployment():
    result = runner.invoke(app, ["-c", str(ROOT / "bots.yaml"), "check", "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["ok"] is True


def test_schema_is_json(tmp_path):
    result = runner.invoke(app, ["schema"])
    assert json.loads(result.stdout)["title"] == "backoffice bots.yaml"
    runner.invoke(app, ["schema", "-o", str(tmp_path / "s.json")])
    assert json.loads((tmp_path / "s.json").read_text())["title"] == "backoffice bots.yaml"


def test_queue_commands_refuse_a_workspace_without_a_queue(deployment, monkeypatch, capsys):
    from backoffice import cli

    path = deployment("workspace: typo\nbots:\n  - {name: a, source: {kind: folder, path: in, create: true}}\n")
    monkeypatch.setattr("sys.argv", ["backoffice", "-c", str(path), "queue", "list"])
    with pytest.raises(SystemExit) as caught:
        cli.main()
    assert caught.value.code == 1
    assert f"no queue at {path.parent / 'typo' / 'queue.db'}" in capsys.readouterr().err
    assert not (path.parent / "typo").exists()


def test_data_is_shown_as_text_not_markup(deployment):
    path = deployment("bots:\n  - {name: a, source: {kind: folder, path: in, create: true}}\n")
    store = SQLiteStore(path.parent / "work" / "queue.db")
    store.enqueue(NewItem("a", "k", payload={"file": "invoice [red]7[/red] [draft].pdf"}))
    listing = runner.invoke(app, ["-c", str(path), "queue", "list"], env={"COLUMNS": "200"}).stdout
    assert "invoice [red]7[/red] [draft].pdf" in listing


def test_unexpected_errors_are_one_line_without_secrets(monkeypatch, capsys):
    from backoffice import cli
    from backoffice.logs.redact import register_secret

    register_secret("hunter2-secret")

    def boom():
        raise ValueError("postgresql://app:hunter2-secret@db/ledger: unsupported")

    monkeypatch.setattr(cli, "app", boom)
    with pytest.raises(SystemExit) as caught:
        cli.main()
    assert caught.value.code == 1
    printed = capsys.readouterr().err
    assert "hunter2-secret" not in printed and "postgresql://app:***@db/ledger" in printed
    assert "Traceback" not in printed and "-vv" in printed
