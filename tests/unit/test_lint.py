"""scripts/mypy_baseline.py: mypy's errors per file may only shrink."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT

SCRIPT = ROOT / "scripts" / "mypy_baseline.py"
OUTPUT = (
    "backoffice/a.py:3: error: Incompatible types  [assignment]\n"
    "backoffice/a.py:9:5: error: Missing return  [return]\n"
    "backoffice/a.py:9: note: a note is not an error\n"
    "backoffice/b.py:1: error: Name 'x' is not defined  [name-defined]\n"
)


def judge(tmp_path, baseline: str, *args: str) -> subprocess.CompletedProcess:
    (tmp_path / "baseline.txt").write_text(baseline)
    env = {**os.environ, "MYPY_BASELINE": str(tmp_path / "baseline.txt")}
    return subprocess.run([sys.executable, SCRIPT, *args], input=OUTPUT, env=env, capture_output=True, text=True)


def test_errors_within_the_baseline_pass(tmp_path):
    done = judge(tmp_path, "# counts\nbackoffice/a.py 2\nbackoffice/b.py 1\n")
    assert done.returncode == 0 and "3 errors, none new" in done.stdout


def test_a_new_error_fails_and_is_shown(tmp_path):
    done = judge(tmp_path, "backoffice/a.py 2\n")
    assert done.returncode == 1
    assert "backoffice/b.py has 1 errors, the baseline allows 0" in done.stderr
    assert "backoffice/b.py:1: error: Name 'x' is not defined" in done.stdout


def test_update_writes_lower_counts_and_refuses_growth(tmp_path):
    done = judge(tmp_path, "backoffice/a.py 5\nbackoffice/b.py 1\nbackoffice/c.py 2\n", "--update")
    assert done.returncode == 0
    lines = (tmp_path / "baseline.txt").read_text().splitlines()
    assert lines[1:] == ["backoffice/a.py 2", "backoffice/b.py 1"]
    assert judge(tmp_path, "backoffice/a.py 1\nbackoffice/b.py 1\n", "--update").returncode == 1
    assert (tmp_path / "baseline.txt").read_text() == "backoffice/a.py 1\nbackoffice/b.py 1\n"


def test_rebaseline_takes_the_counts_as_they_are(tmp_path):
    assert judge(tmp_path, "backoffice/a.py 1\n", "--rebaseline").returncode == 0
    assert (tmp_path / "baseline.txt").read_text().splitlines()[1:] == ["backoffice/a.py 2", "backoffice/b.py 1"]
