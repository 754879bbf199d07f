"""`backoffice init`: the sample deployment from the package; the repository's copy equals it."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from backoffice.cli import app
from backoffice.install import sample
from backoffice.install.systemd import UNITS
from tests.conftest import ROOT

runner = CliRunner()
SYNC = "bots.yaml and rules/ differ from backoffice/samples/: run python scripts/sync_sample.py [--from-repo]"


def test_the_repository_sample_is_the_packaged_one():
    assert (ROOT / "bots.yaml").read_text(encoding="utf-8") == sample.bots_yaml(list(sample.EXAMPLES)), SYNC
    repo = {str(p.relative_to(ROOT)): p.read_bytes() for p in (ROOT / "rules").rglob("*") if p.is_file()}
    packaged = {name: (sample.samples() / name).read_bytes() for name in sample.rule_files(list(sample.EXAMPLES))}
    assert sorted(repo) == sorted(packaged), SYNC
    for name, content in repo.items():
        assert content == packaged[name], f"{name} differs: {SYNC}"


def test_init_writes_the_whole_sample_and_a_gitignore(tmp_path):
    result = runner.invoke(app, ["init", str(tmp_path / "deploy"), "--json"])
    assert result.exit_code == 0, result.output
    files = json.loads(result.stdout)["files"]
    assert {"bots.yaml", ".gitignore", "rules/invoice.yaml", "rules/data/vendors.csv"} <= set(files)
    deploy = tmp_path / "deploy"
    assert (deploy / "bots.yaml").read_text() == (ROOT / "bots.yaml").read_text()
    assert "# The sample deployment" in (deploy / "bots.yaml").read_text()  # comments kept
    assert (deploy / ".gitignore").read_text().splitlines()[-1] == "/work/"
    checked = runner.invoke(app, ["-c", str(deploy / "bots.yaml"), "check", "--json"])
    assert json.loads(checked.stdout)["ok"] is True, checked.output


@pytest.mark.parametrize(
    ("example", "bots", "rules"),
    [
        ("invoices", ["invoices", "mailroom"], {"rules/invoice.yaml", "rules/shared/invoice-arithmetic.yaml"}),
        ("mailbox", ["mailbox-invoices"], {"rules/invoice.yaml", "rules/shared/invoice-arithmetic.yaml"}),
        ("portal", ["portal-timesheets", "portal-orders"], set()),
    ],
)
def test_each_example_has_its_bots_and_the_files_they_read(tmp_path, example, bots, rules):
    result = runner.invoke(app, ["init", str(tmp_path), "--example", example])
    assert result.exit_code == 0, result.output
    from backoffice.config import load_config

    config = load_config(tmp_path / "bots.yaml", check_paths=False)
    assert [b.name for b in config.bots] == bots
    written = {str(p.relative_to(tmp_path)) for p in (tmp_path / "rules").rglob("*.yaml")}
    assert written == rules
    for bot in config.bots:
        assert bot.rules is None or (tmp_path / bot.rules).is_file()
    checked = runner.invoke(app, ["-c", str(tmp_path / "bots.yaml"), "check"])
    assert checked.exit_code == 0, checked.output


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "invoice.yaml").write_text("mine")
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 1
    assert "would overwrite rules/invoice.yaml" in str(result.exception)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["invoice.yaml", "rules"]
    assert (tmp_path / "rules" / "invoice.yaml").read_text() == "mine"


def test_an_unknown_example_is_named(tmp_path):
    result = runner.invoke(app, ["init", str(tmp_path), "--example", "payroll"])
    assert result.exit_code == 1 and "unknown example 'payroll'" in str(result.exception)
    assert not any(tmp_path.iterdir())


def test_init_systemd_writes_units_for_this_deployment(tmp_path):
    result = runner.invoke(app, ["init", str(tmp_path), "--example", "invoices", "--systemd"])
    assert result.exit_code == 0, result.output
    units = tmp_path / "systemd"
    runner_unit = (units / "backoffice-runner@.service").read_text()
    assert f"--config {tmp_path}/bots.yaml run" in runner_unit and "{{" not in runner_unit
    assert f"WorkingDirectory={tmp_path}\n" in runner_unit
    assert "--port 8080" in (units / "backoffice-ui.service").read_text()
    assert stat.S_IMODE((units / "backoffice.env").stat().st_mode) == 0o600  # it holds secrets


def test_init_systemd_beside_an_existing_deployment_writes_only_the_units(tmp_path):
    (tmp_path / "bots.yaml").write_text("mine")
    result = runner.invoke(app, ["init", str(tmp_path), "--systemd", "--json"])
    assert result.exit_code == 0, result.output
    assert sorted(json.loads(result.stdout)["files"]) == [f"systemd/{name}" for name in sorted(UNITS)]
    assert (tmp_path / "bots.yaml").read_text() == "mine" and not (tmp_path / "rules").exists()
    again = runner.invoke(app, ["init", str(tmp_path), "--systemd"])
    assert again.exit_code == 1 and "would overwrite systemd/" in str(again.exception)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_the_unit_files_are_valid_for_systemd(tmp_path):
    runner.invoke(app, ["init", str(tmp_path), "--example", "invoices", "--systemd"])
    units = tmp_path / "systemd"
    instance = units / "backoffice-runner@1.service"  # a template unit is verified as an instance
    shutil.copy(units / "backoffice-runner@.service", instance)
    for unit in (instance, units / "backoffice-ui.service"):
        done = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True)
        assert (done.returncode, done.stderr) == (0, ""), unit.name


def test_sync_sample_writes_either_copy_from_the_other(tmp_path):
    for name in ("bots.yaml", "rules", "backoffice", "scripts/sync_sample.py"):
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        copy(ROOT / name, tmp_path / name)
    script = [sys.executable, str(tmp_path / "scripts" / "sync_sample.py")]
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    bots = tmp_path / "bots.yaml"
    bots.write_text(bots.read_text().replace("poll_seconds: 5", "poll_seconds: 6").replace("every 5m", "every 6m"))
    subprocess.run([*script, "--from-repo"], env=env, check=True, capture_output=True)
    packaged = tmp_path / "backoffice" / "samples" / "bots"
    assert "poll_seconds: 6" in (packaged / "header.yaml").read_text()
    assert "every 6m" in (packaged / "invoices.yaml").read_text()
    (packaged / "mailbox.yaml").write_text((packaged / "mailbox.yaml").read_text().replace("[INBOX]", "[AP]"))
    (tmp_path / "backoffice" / "samples" / "rules" / "order.yaml").write_text("kind: order\n")
    subprocess.run(script, env=env, check=True, capture_output=True)
    assert "folders: [AP]" in bots.read_text() and "every 6m" in bots.read_text()
    assert (tmp_path / "rules" / "order.yaml").read_text() == "kind: order\n"
    bots.write_text(bots.read_text() + "\n  - name: payroll\n    source: {kind: folder, path: p}\n")
    refused = subprocess.run([*script, "--from-repo"], env=env, capture_output=True, text=True)
    assert refused.returncode == 1 and "bot payroll is in no example" in refused.stderr
