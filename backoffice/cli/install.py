"""``backoffice init`` and ``backoffice doctor``: a deployment written, the system parts checked."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from backoffice.commandline import STATE, out

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of text.")]


def init(
    folder: Annotated[Path, typer.Argument(help="Where to write the deployment (created when missing).")] = Path("."),
    example: Annotated[
        str, typer.Option(help="Which sample bots: invoices, mailbox, portal, or all.", show_default=True)
    ] = "all",
    systemd: Annotated[
        bool, typer.Option("--systemd", help="Also write systemd unit files (runners, UI) into FOLDER/systemd/.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Write a deployment into FOLDER: bots.yaml (with comments), rule files, master data and a
    .gitignore for the workspace. Refuses, writing nothing, when one of those files exists.

    With --systemd in a folder that already holds a bots.yaml, only the unit files are written."""
    from backoffice.install import sample, systemd as units

    chosen = sample.examples(example)
    existing = systemd and (folder / "bots.yaml").is_file()
    files = {} if existing else sample.plan(chosen)
    if systemd:
        files.update(units.unit_files(folder.absolute()))
    written = sample.write(folder, files, modes=units.MODES)
    if as_json:
        sys.stdout.write(json.dumps({"folder": str(folder), "files": sorted(files)}, indent=2) + "\n")
        return
    out.print(f"wrote {len(written.files)} files into {folder}:", markup=False)
    for name in sorted(files):
        out.print(f"  {name}", markup=False, highlight=False)
    config = "" if folder == Path(".") else f" -c {folder / 'bots.yaml'}"
    out.print(f"next: backoffice{config} check, then backoffice{config} run --once", markup=False)
    if systemd:
        out.print("systemd: see the comments at the top of systemd/backoffice-runner@.service", markup=False)


def doctor(as_json: JsonOption = False) -> None:
    """Check the system parts: Chromium, tesseract and its languages, Dovecot (tests), the databases
    bots.yaml names; print what is missing with the command that installs it. Exit 1 when a needed
    part is missing."""
    from backoffice.install.doctor import diagnose, render

    report = diagnose(STATE["config"], config_given=STATE["config_given"])
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
    else:
        render(out, report)
    if not report.ok:
        raise typer.Exit(1)
