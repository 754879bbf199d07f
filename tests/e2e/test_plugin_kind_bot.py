"""A declarative bot whose ``extractor:`` is a plugin kind, run by the real CLI on a real SQLite
queue: the sample delivery_note kind (installed by entry point) read and judged by its rule file,
and a plugin reader that raises, which ends as an exception item naming the file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from backoffice.extractors import GROUP
from tests.conftest import ROOT
from tests.delivery_notes import DeliveryNote, write

pytestmark = pytest.mark.e2e

BROKEN = """
from backoffice.documents.registry import DocumentKind

def read(reading):
    number = int("CLM-12")  # a plugin's bug: the number is not all digits
    return number

KIND = DocumentKind("claim", read, {"claim_number": "text"})
"""


@pytest.fixture
def deployment(tmp_path: Path) -> tuple[Path, Path]:
    """bots.yaml with two folder bots; the plugins' folder holds a broken plugin module and the
    metadata of a distribution that registers the sample delivery_note kind by entry point."""
    plugins = tmp_path / "plugins"
    info = plugins / "acme_kinds-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme_kinds\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[{GROUP}]\ndelivery_note = backoffice.samples.kinds.delivery_note:KIND\n")
    (plugins / "claims_plugin.py").write_text(textwrap.dedent(BROKEN))
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "delivery_note.yaml").write_text(
        (ROOT / "rules" / "delivery_note.yaml")
        .read_text()
        .replace("backoffice.samples.kinds.delivery_note:KIND", "delivery_note")
    )
    (tmp_path / "rules" / "data").mkdir()
    (tmp_path / "rules" / "data" / "purchase_orders.csv").write_bytes(
        (ROOT / "rules" / "data" / "purchase_orders.csv").read_bytes()
    )
    (tmp_path / "bots.yaml").write_text(
        textwrap.dedent("""
        workspace: work
        bots:
          - name: goods-in
            source: {kind: folder, path: notes, create: true, settle_seconds: 0}
            extractor: delivery_note
            rules: rules/delivery_note.yaml
            targets: [{kind: files, path: out/notes.jsonl}]
          - name: claims
            source: {kind: folder, path: claims, create: true, settle_seconds: 0}
            extractor: claims_plugin:KIND
            targets: [{kind: files, path: out/claims.jsonl}]
    """).lstrip()
    )
    return tmp_path, plugins


def backoffice(folder: Path, plugins: Path, *args: str) -> object:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(plugins)]), "COLUMNS": "200"}
    result = subprocess.run(
        [sys.executable, "-m", "backoffice", "-c", str(folder / "bots.yaml"), *args, "--json"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_bot_reads_a_plugin_kind_and_a_broken_plugin_ends_in_the_exception_queue(deployment):
    folder, plugins = deployment
    work = folder / "work"
    ordered = [("TON-505", "Toner cartridge black", "10"), ("PAP-A4", "Copy paper A4", "40")]
    (work / "notes").mkdir(parents=True)
    (work / "claims").mkdir()
    write(work / "notes" / "good.pdf", DeliveryNote(order_number="PO-10001", lines=ordered))
    write(
        work / "notes" / "unordered.pdf",
        DeliveryNote(
            delivery_number="DN-2026-0816", order_number="PO-10001", lines=[*ordered, ("XYZ-999", "Mystery", "1")]
        ),
    )
    write(work / "claims" / "claim.pdf")
    past = time.time() - 10
    for path in [*(work / "notes").iterdir(), *(work / "claims").iterdir()]:
        os.utime(path, (past, past))

    assert backoffice(folder, plugins, "check")["ok"]
    backoffice(folder, plugins, "run", "--once")
    items = {item["payload"]["file"]: item for item in backoffice(folder, plugins, "queue", "list")}
    assert {name: item["status"] for name, item in items.items()} == {
        "good.pdf": "done",
        "unordered.pdf": "exception",
        "claim.pdf": "exception",
    }
    document = items["good.pdf"]["payload"]["document"]
    assert document["kind"] == "delivery_note" and document["fields"]["order_number"]["value"] == "PO-10001"
    assert [line["product_code"] for line in document["lines"]] == ["TON-505", "PAP-A4"]
    assert "XYZ-999" in items["unordered.pdf"]["reason"] and "items-ordered" in items["unordered.pdf"]["error_code"]
    claim = items["claim.pdf"]
    assert claim["error_code"] == "reader-failed" and claim["attempts"] == 1, claim
    assert claim["reason"] == (
        "claim.pdf: the claim reader failed: ValueError: invalid literal for int() with base 10: 'CLM-12'"
    )
    posted = [json.loads(line) for line in (work / "out" / "notes.jsonl").read_text().splitlines()]
    assert [p.get("delivery_number") for p in posted] == ["DN-2026-0815"]
