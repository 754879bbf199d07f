"""Bad input ends as a clear error or an exception item with its reason; nothing is lost."""

from __future__ import annotations

import os
import textwrap
import time

import pytest
from fpdf import FPDF

from tests.e2e.conftest import backoffice, backoffice_json


def encrypted_pdf(path, user_password: str) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Invoice INV-9 Total 10.00 EUR")
    pdf.set_encryption(owner_password="owner-secret", user_password=user_password)
    pdf.output(str(path))


@pytest.fixture
def deployment_with_inbox(tmp_path):
    (tmp_path / "bots.yaml").write_text(textwrap.dedent("""
        workspace: work
        bots:
          - name: invoices
            source: {kind: folder, path: inbox, create: true, settle_seconds: 0}
            targets: [{kind: files, path: out/invoices.jsonl}]
    """))  # fmt: skip
    inbox = tmp_path / "work" / "inbox"
    inbox.mkdir(parents=True)
    return tmp_path / "bots.yaml", inbox


def test_each_bad_file_ends_in_the_exception_queue_with_its_reason(deployment_with_inbox):
    config, inbox = deployment_with_inbox
    (inbox / "empty.pdf").write_bytes(b"")
    (inbox / "picture.pdf").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    (inbox / "truncated.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R")
    encrypted_pdf(inbox / "locked.pdf", user_password="letmein")
    past = time.time() - 10
    for path in inbox.iterdir():
        os.utime(path, (past, past))

    summary = backoffice_json("-c", str(config), "run", "--once")
    assert summary["collected"] == 4 and summary["outcomes"] == {"exception": 4}
    items = {i["payload"]["file"]: i for i in backoffice_json("-c", str(config), "queue", "list")}
    assert {name: i["error_code"] for name, i in items.items()} == {
        "empty.pdf": "empty-file",
        "picture.pdf": "not-a-pdf",
        "truncated.pdf": "pdf-corrupt",
        "locked.pdf": "pdf-encrypted",
    }
    for name, item in items.items():
        assert item["status"] == "exception" and item["reason"].startswith(f"{name}:"), item["reason"]
        assert item["attempts"] == 1  # business errors are not retried
    assert "PNG" in items["picture.pdf"]["reason"]
    assert sorted(p.name for p in (inbox / "processed").iterdir()) == sorted(items)  # nothing lost


def test_an_encrypted_pdf_with_an_empty_user_password_is_read(deployment_with_inbox):
    config, inbox = deployment_with_inbox
    encrypted_pdf(inbox / "owner-only.pdf", user_password="")
    os.utime(inbox / "owner-only.pdf", (time.time() - 10,) * 2)
    backoffice_json("-c", str(config), "run", "--once")
    [item] = backoffice_json("-c", str(config), "queue", "list")
    assert item["status"] == "done", item["reason"]
    assert item["payload"]["document"]["fields"]["invoice_number"]["value"] == "INV-9"


def test_a_bad_bots_yaml_is_a_clear_error_naming_file_and_line(tmp_path):
    config = tmp_path / "bots.yaml"
    config.write_text("bots:\n  - name: invoices\n    source:\n      kind: folder\n      path: nowhere\n")
    result = backoffice("-c", str(config), "run", "--once", check=False)
    assert result.returncode == 2
    assert f"{config}:5: bots[0].source.path: folder does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_extract_json_for_a_bad_file_names_it(tmp_path):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"hello, I am text")
    result = backoffice("extract", str(bad), "--json", check=False)
    assert result.returncode == 1
    assert '"code": "not-a-pdf"' in result.stdout and "broken.pdf" in result.stdout


def test_text_named_pdf_is_refused_by_its_content(deployment_with_inbox):
    config, inbox = deployment_with_inbox
    (inbox / "notes.pdf").write_bytes(b"just some text, no invoice")
    os.utime(inbox / "notes.pdf", (time.time() - 10,) * 2)
    backoffice_json("-c", str(config), "run", "--once")
    [item] = backoffice_json("-c", str(config), "queue", "list")
    assert (item["status"], item["error_code"]) == ("exception", "not-a-pdf")
    assert item["reason"].startswith("notes.pdf: not a PDF, it looks like ")
