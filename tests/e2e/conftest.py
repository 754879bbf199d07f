from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.e2e


def backoffice(*args: str, cwd: Path | None = None, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real CLI in a child process, as a user would."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    result = subprocess.run(
        [sys.executable, "-m", "backoffice", *args],
        cwd=cwd or ROOT, env=env, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    if check and result.returncode != 0:
        raise AssertionError(f"backoffice {' '.join(args)} exited {result.returncode}:\n{result.stderr}")
    return result


def backoffice_json(*args: str, **kwargs):
    return json.loads(backoffice(*args, "--json", **kwargs).stdout)
