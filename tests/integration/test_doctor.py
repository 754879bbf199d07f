"""`backoffice doctor` on this machine, and with parts taken off its PATH."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.integration
PARTS = ("tesseract", "dovecot", "chromium-headless-shell", "chromium")


def doctor(*args: str, path: str | None = None, cwd: Path | None = None, **env: str) -> tuple[int, dict]:
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    if path is not None:
        environ["PATH"] = path
    done = subprocess.run(
        [sys.executable, "-m", "backoffice", *args, "doctor", "--json"],
        cwd=cwd or ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, {c["name"]: c for c in json.loads(done.stdout)["checks"]}


def only(folder: Path, *names: str) -> str:
    """A PATH holding only the named programs of this machine."""
    folder.mkdir()
    for name in names:
        if found := shutil.which(name):
            (folder / name).symlink_to(found)
    return str(folder)


@pytest.fixture
def machine():
    missing = [name for name in ("tesseract", "dovecot") if shutil.which(name) is None]
    if missing or not (shutil.which("chromium-headless-shell") or shutil.which("chromium")):
        pytest.skip(f"this machine lacks {missing or 'a Chromium'} (scripts/system.sh installs them)")


def test_everything_is_there_on_this_machine(machine):
    code, checks = doctor(BACKOFFICE_OCR_LANGUAGES="deu+eng")
    assert code == 0
    assert all(c["ok"] for c in checks.values()), checks
    assert checks["tesseract languages"]["found"] == "deu+eng"


def test_tesseract_taken_off_the_path_is_named_with_its_install_commands(machine, tmp_path):
    code, checks = doctor(
        path=only(tmp_path / "bin", "dovecot", "chromium-headless-shell", "chromium"),
        BACKOFFICE_OCR_LANGUAGES="deu+eng",
    )
    assert code == 1
    assert not checks["tesseract"]["ok"] and "not on PATH" in checks["tesseract"]["found"]
    assert checks["tesseract"]["fix"] == {
        "debian": "sudo apt-get install tesseract-ocr tesseract-ocr-deu tesseract-ocr-eng",
        "fedora": "sudo dnf install tesseract tesseract-langpack-deu tesseract-langpack-eng",
        "macos": "brew install tesseract tesseract-lang",
    }
    assert checks["chromium"]["ok"] and checks["dovecot"]["ok"]
    text = subprocess.run(
        [sys.executable, "-m", "backoffice", "doctor"],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "PATH": str(tmp_path / "bin"),
            "COLUMNS": "200",
            "BACKOFFICE_OCR_LANGUAGES": "deu+eng",
        },
    )
    assert text.returncode == 1
    assert "missing tesseract: the tesseract program is not on PATH" in text.stdout
    assert "debian: sudo apt-get install tesseract-ocr tesseract-ocr-deu" in text.stdout
    assert text.stdout.rstrip().endswith("a needed part is missing")


def test_a_missing_language_pack_is_named(machine):
    code, checks = doctor(BACKOFFICE_OCR_LANGUAGES="deu+xyz")
    assert code == 1
    languages = checks["tesseract languages"]
    assert not languages["ok"] and languages["found"].startswith("missing xyz of BACKOFFICE_OCR_LANGUAGES=deu+xyz")
    assert languages["fix"]["debian"] == "sudo apt-get install tesseract-ocr tesseract-ocr-xyz"


def test_chromium_taken_away_fails_and_dovecot_only_warns(machine, tmp_path):
    code, checks = doctor(path=only(tmp_path / "bin", "tesseract"), BACKOFFICE_BROWSER=str(tmp_path / "none"))
    assert code == 1
    assert not checks["chromium"]["ok"] and "does not exist" in checks["chromium"]["found"]
    assert "apt-get install chromium-headless-shell" in checks["chromium"]["fix"]["debian"]
    assert checks["chromium"]["fix"]["macos"] == f"{sys.executable} -m playwright install chromium"
    assert not checks["dovecot"]["ok"] and checks["dovecot"]["needed"] is False
    code, checks = doctor(path=only(tmp_path / "bin2", "tesseract", "chromium-headless-shell", "chromium"))
    assert checks["dovecot"]["fix"]["fedora"] == "sudo dnf install dovecot"
    assert code == 0  # only the tests need Dovecot
    # BACKOFFICE_OCR_LANGUAGES unset means auto: every language the reader may pick, and orientation
    assert {"eng", "deu", "ces", "fin", "osd"} <= set(checks["tesseract languages"]["found"].split("+"))


def test_the_databases_bots_yaml_names_must_answer(machine, tmp_path):
    (tmp_path / "bots.yaml").write_text(
        "queue: postgresql://postgres@127.0.0.1:1/test?schema=queue\n"
        "connections:\n  ledger: {url: 'postgresql://postgres@127.0.0.1:5432/test'}\n"
        "bots:\n  - name: a\n    source: {kind: folder, path: inbox, create: true}\n"
    )
    code, checks = doctor("-c", str(tmp_path / "bots.yaml"))
    assert code == 1
    queue = checks["postgresql (queue)"]
    assert not queue["ok"] and "postgresql://127.0.0.1:1/test does not answer" in queue["found"]
    assert "apt-get install postgresql" in queue["fix"]["debian"]
    assert checks["postgresql (connection ledger)"]["ok"], checks["postgresql (connection ledger)"]


def test_a_named_deployment_file_must_exist(machine, tmp_path):
    code, checks = doctor("-c", str(tmp_path / "missing.yaml"))
    assert code == 1 and checks["bots.yaml"]["found"] == f"{tmp_path / 'missing.yaml'}: no such file"
    code, checks = doctor(cwd=tmp_path)  # no bots.yaml here, none named: nothing to check
    assert code == 0 and "bots.yaml" not in checks
