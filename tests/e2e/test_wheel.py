"""The built wheel, installed into a fresh virtualenv outside the repository, works in an empty
folder: `backoffice init`, `backoffice check`, `backoffice demo --no-portal`.

To stay fast (about 3 s instead of 45-130 s here) the new virtualenv gets no copies of the
dependencies: a ``.pth`` line puts this environment's site-packages after its own (what
``--system-site-packages`` does for a system Python; the test environment is itself a
virtualenv). backoffice itself comes only from the wheel, which the test checks.
``BACKOFFICE_WHEEL_DEPENDENCIES=index`` installs the dependencies the wheel declares from the
package index instead (a release check: the declared ranges resolve and suffice).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.e2e


def run(*args: str | Path, cwd: Path, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(map(str, args))} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtualenv with the wheel built from this tree; returns its bin folder."""
    work = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--quiet",
        "--no-deps",
        "--no-build-isolation",
        "-w",
        work / "dist",
        ROOT,
        cwd=work,
        env=env,
    )
    [wheel] = (work / "dist").glob("backoffice-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "backoffice/samples/bots/header.yaml" in names and "backoffice/samples/rules/invoice.yaml" in names
    assert not [n for n in names if n.startswith(("tests/", "bench/")) or "__pycache__" in n]
    venv.create(work / "venv", with_pip=False)
    python = work / "venv" / "bin" / "python"
    if os.environ.get("BACKOFFICE_WHEEL_DEPENDENCIES") == "index":
        run(
            sys.executable, "-m", "pip", "--python", python, "install", "--quiet", wheel, cwd=work, env=env, timeout=900
        )
        return python.parent
    run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", wheel, cwd=work, env=env)
    site = run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=work, env=env).stdout
    (Path(site.strip()) / "test-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return python.parent


def test_the_wheel_installs_and_runs_in_an_empty_folder(installed, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "BACKOFFICE_CONFIG")}
    env.update(COLUMNS="200", OMP_THREAD_LIMIT="1")
    where = run(installed / "python", "-c", "import backoffice; print(backoffice.__file__)", cwd=tmp_path, env=env)
    assert where.stdout.startswith(str(installed.parent)), "backoffice must come from the wheel"

    folder = tmp_path / "deployment"
    folder.mkdir()
    backoffice = installed / "backoffice"
    run(backoffice, "init", cwd=folder, env=env)
    assert (folder / "bots.yaml").read_text() == (ROOT / "bots.yaml").read_text()
    assert "ok" in run(backoffice, "check", cwd=folder, env=env).stdout

    empty = tmp_path / "empty"
    empty.mkdir()
    demo = json.loads(run(backoffice, "demo", "--no-portal", "--json", cwd=empty, env=env).stdout)
    assert demo["generated"] == 24 and demo["workspace"] == str(empty / "backoffice-demo")
    from backoffice.demo.invoices import generate

    mistaken = sum(1 for g in generate(tmp_path / "expected", count=24, seed=7) if g.mistake)
    assert demo["queue"] == {
        "invoices": {"done": 24 - mistaken + 3, "exception": mistaken},  # 3 from the mailroom
        "mailroom": {"done": 3, "exception": 2},
    }  # the sample Python bot, from the wheel
    assert (empty / "backoffice-demo" / "out" / "ledger.db").is_file()
