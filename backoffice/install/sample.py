"""The sample deployment that ships in the package (``backoffice/samples/``), written by
``backoffice init`` and run by ``backoffice demo``.

bots.yaml is assembled from a header (workspace, runner) and one fragment per example, so that
``--example invoices`` gives a file with only the invoice bot, comments and all. The repository's
own ``bots.yaml`` and ``rules/`` are the ``all`` example, byte for byte (a test keeps them so).
Nothing is ever overwritten: when one file to write exists, nothing is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from backoffice.errors import BackofficeError

EXAMPLES = ("invoices", "mailbox", "portal")  # in the order their bots appear in bots.yaml
GITIGNORE = "# the workspace: queue, stored files, logs and outputs (back it up, do not commit it)\n/{workspace}/\n"
_RULES_LINE = re.compile(r"^\s+rules:\s*(\S+)\s*$", re.M)
_WORKSPACE_LINE = re.compile(r"(?m)^workspace:.*$")


def samples() -> Path:
    """The packaged sample folder (a wheel is installed unzipped, so this is a real folder)."""
    return Path(str(resources.files("backoffice") / "samples"))


def examples(chosen: str) -> list[str]:
    """``all`` or one example name -> the examples, in bots.yaml order."""
    if chosen == "all":
        return list(EXAMPLES)
    if chosen not in EXAMPLES:
        raise BackofficeError(f"unknown example {chosen!r}: choose one of {', '.join(EXAMPLES)} or all")
    return [chosen]


def bots_yaml(chosen: list[str], *, workspace: str | None = None) -> str:
    """The text of bots.yaml with the bots of ``chosen``; ``workspace`` replaces the sample's."""
    folder = samples() / "bots"
    header = (folder / "header.yaml").read_text(encoding="utf-8")
    if workspace is not None:
        header = _WORKSPACE_LINE.sub(f"workspace: {workspace}", header, count=1)
    fragments = [(folder / f"{name}.yaml").read_text(encoding="utf-8") for name in chosen]
    return header + "\nbots:\n" + "\n".join(fragments)


def workspace_of(text: str) -> str:
    found = _WORKSPACE_LINE.search(text)
    return found.group(0).split(":", 1)[1].split("#")[0].strip() if found else "work"


def rule_files(chosen: list[str]) -> list[str]:
    """The sample's rule files the chosen bots read (with includes and master data), relative
    to bots.yaml; every rule file when all examples are chosen."""
    from backoffice.rules import load_rules

    base = samples()
    if chosen == list(EXAMPLES):
        return sorted(str(p.relative_to(base)) for p in (base / "rules").rglob("*") if p.is_file())
    named = {m.group(1) for name in chosen for m in _RULES_LINE.finditer(bots_yaml([name]))}
    found: set[str] = set()
    for rules in sorted(named):
        for used in load_rules(base / rules).local_files():
            found.add(str(used.resolve().relative_to(base.resolve())))
    return sorted(found)


@dataclass
class Written:
    folder: Path
    files: list[Path]


def plan(chosen: list[str], *, workspace: str | None = None) -> dict[str, bytes]:
    """Every file of the deployment, relative path -> content."""
    text = bots_yaml(chosen, workspace=workspace)
    files = {"bots.yaml": text.encode("utf-8")}
    for relative in rule_files(chosen):
        files[relative] = (samples() / relative).read_bytes()
    ws = workspace_of(text)
    if ws not in (".", ""):
        files[".gitignore"] = GITIGNORE.format(workspace=ws.strip("/")).encode("utf-8")
    return files


def write(folder: Path, files: dict[str, bytes], *, modes: dict[str, int] | None = None) -> Written:
    """Write ``files`` under ``folder``; refuse, writing nothing, when any of them exists."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise BackofficeError(f"{folder}: exists and is not a folder")
    existing = [name for name in files if (folder / name).exists()]
    if existing:
        names = ", ".join(sorted(existing))
        raise BackofficeError(f"{folder}: would overwrite {names}; nothing written (choose an empty folder)")
    written = []
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        if modes and name in modes:
            path.chmod(modes[name])
        written.append(path)
    return Written(folder, written)
