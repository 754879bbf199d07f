"""systemd unit files for a deployment: runners (a template unit, one instance per runner), the
supervisor UI and the environment file they read, filled in with this deployment's paths."""

from __future__ import annotations

import getpass
import shutil
import sys
from pathlib import Path

from backoffice.install.sample import samples

UNITS = ("backoffice-runner@.service", "backoffice-ui.service", "backoffice.env")
PRIVATE = 0o600  # the environment file holds secrets


def executable() -> str:
    """The ``backoffice`` command of this installation (beside the running Python, else on PATH)."""
    beside = Path(sys.executable).parent / "backoffice"
    if beside.is_file():
        return str(beside.absolute())
    found = shutil.which("backoffice")
    return str(Path(found).absolute()) if found else f"{Path(sys.executable).absolute()} -m backoffice"


def unit_files(deployment: Path, *, user: str | None = None, command: str | None = None) -> dict[str, bytes]:
    """``systemd/<unit>`` -> content, for the deployment in ``deployment`` (an absolute folder)."""
    values = {
        "{{deployment}}": str(Path(deployment).absolute()),
        "{{backoffice}}": command or executable(),
        "{{user}}": user or getpass.getuser(),
    }
    files = {}
    for name in UNITS:
        text = (samples() / "systemd" / name).read_text(encoding="utf-8")
        for placeholder, value in values.items():
            text = text.replace(placeholder, value)
        files[f"systemd/{name}"] = text.encode("utf-8")
    return files


MODES = {"systemd/backoffice.env": PRIVATE}
