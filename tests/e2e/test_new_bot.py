"""``backoffice new bot``: the module, test and bots.yaml entry it writes work as written (the
generated test passes when pytest runs it), bots.yaml keeps its comments, and refusals write
nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from backoffice.bots.scaffold import insert_bot
from backoffice.config import load_config
from backoffice.demo.invoices import generate
from backoffice.errors import ConfigError
from tests.conftest import ROOT
from tests.e2e.conftest import backoffice, backoffice_json


@pytest.fixture
def sample(tmp_path) -> Path:
    """The repository's sample deployment (bots.yaml with its comments, and rules/)."""
    shutil.copy(ROOT / "bots.yaml", tmp_path / "bots.yaml")
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    return tmp_path / "bots.yaml"


def test_new_bot_writes_a_module_a_test_and_an_entry_that_work(sample):
    before = sample.read_text()
    written = backoffice_json("-c", str(sample), "new", "bot", "ap-check")
    folder = sample.parent
    assert (
        Path(written["module"]) == folder / "ap_check.py"
        and Path(written["test"]) == folder / "tests" / "test_ap_check.py"
    )
    after = sample.read_text()
    assert after.startswith(before)  # every line kept, comments included; the bot comes after the last one
    config = load_config(sample)
    bot = config.bot("ap-check")
    assert (bot.kind, bot.handler, bot.enabled, bot.settings) == (
        "python",
        "ap_check:handle",
        False,
        {"max_total": 10000},
    )
    assert [b.name for b in config.bots][-1] == "ap-check"

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "2 passed" in tests.stdout


def test_dev_run_takes_a_file_through_the_new_python_bot(sample, tmp_path):
    backoffice("-c", str(sample), "new", "bot", "ap-check")
    [good] = [i for i in generate(tmp_path / "pdfs", count=2, seed=7) if i.mistake is None][:1]
    done = backoffice("-c", str(sample), "dev", "run", "ap-check", "--file", str(good.path))
    heads = [line.split()[0] for line in done.stdout.splitlines() if line and not line.startswith(" ")]
    assert heads == ["intake", "extract", "post", "handler", "result"]
    assert "ap_check:handle returned" in done.stdout
    assert f"saved checked_total = {good.expected['grand_total']}" in done.stdout


def test_an_existing_name_is_refused_and_nothing_is_written(sample):
    before = sample.read_text()
    refused = backoffice("-c", str(sample), "new", "bot", "invoices", check=False)
    assert refused.returncode == 1 and "a bot named invoices already exists" in refused.stderr
    assert sample.read_text() == before and not (sample.parent / "invoices.py").exists()
    assert not (sample.parent / "tests").exists()


def test_an_existing_file_or_a_module_name_is_refused(sample):
    before = sample.read_text()
    (sample.parent / "ap_check.py").write_text("# mine\n")
    refused = backoffice("-c", str(sample), "new", "bot", "ap-check", check=False)
    assert refused.returncode == 1 and "ap_check.py exists; it is never overwritten" in refused.stderr
    assert (sample.parent / "ap_check.py").read_text() == "# mine\n"
    shadowing = backoffice("-c", str(sample), "new", "bot", "json", check=False)
    assert shadowing.returncode == 1 and "json is a Python keyword or an installed module" in shadowing.stderr
    bad = backoffice("-c", str(sample), "new", "bot", "two words", check=False)
    assert bad.returncode == 1 and "letters, digits, - and _ only" in bad.stderr
    assert sample.read_text() == before


BLOCK = "- name: new\n  source: {kind: folder, path: new, create: true}\n"


def test_the_entry_goes_after_the_last_bot_when_other_keys_follow(tmp_path):
    text = textwrap.dedent("""\
        # the deployment
        bots:
        - name: a   # first
          source: {kind: folder, path: a, create: true}
          targets:
          - {kind: files, path: out/a.csv}
          # a comment that closes bot a

        # approvals below
        approvals:
          roles: {controller: {}}
    """)
    added = insert_bot(text, tmp_path / "bots.yaml", BLOCK)
    data = yaml.safe_load(added)
    assert [b["name"] for b in data["bots"]] == ["a", "new"] and data["approvals"] == {"roles": {"controller": {}}}
    assert added.index("- name: new") > added.index("out/a.csv") and added.index("- name: new") < added.index(
        "approvals:"
    )
    assert all(line in added.splitlines() for line in text.splitlines())


def test_the_entry_takes_the_indentation_of_the_list(tmp_path):
    text = "bots:\n    -   name: a\n        source: {kind: folder, path: a, create: true}"  # no newline at the end
    data = yaml.safe_load(insert_bot(text, tmp_path / "bots.yaml", BLOCK))
    assert [b["name"] for b in data["bots"]] == ["a", "new"] and data["bots"][1]["source"]["path"] == "new"


def test_a_flow_list_of_bots_is_refused_with_its_line(tmp_path):
    with pytest.raises(ConfigError, match=r"bots.yaml:2: bots: must be a list of bots written one"):
        insert_bot("workspace: w\nbots: [{name: a, source: {kind: folder, path: a}}]\n", tmp_path / "bots.yaml", BLOCK)


def test_help_says_what_is_written_and_refused():
    text = " ".join(backoffice("new", "bot", "--help").stdout.split())
    assert "tests/test_NAME.py" in text and "nothing is ever overwritten" in text and "enabled: false" in text
