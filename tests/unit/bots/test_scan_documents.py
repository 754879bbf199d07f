"""Scans and photos are documents on every way in (issue 18, item 4): a multi-page TIFF dropped in
a bot's folder, a phone photo attached to a mail, and a scan a portal serves under a name without
a suffix are each read by OCR, all their pages, into the same fields as the PDF they were made of."""

from __future__ import annotations

import os
import shutil
import time
from email.message import EmailMessage

import pytest

from backoffice.bots import stages
from backoffice.demo import invoices, scans
from backoffice.mail import MailLimits, parse_mail
from backoffice.queue.base import Status
from backoffice.queue.files import FileStore
from tests.unit.bots.test_runner import RECORDING, make_runner

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")

KEYS = ("invoice_number", "grand_total")


@pytest.fixture(scope="module")
def two_pages(tmp_path_factory):
    """A generated invoice of two pages (40 lines: the totals are on page 2)."""
    folder = tmp_path_factory.mktemp("invoice")
    return invoices.generate_golden(folder, seed=5, layouts=("classic-en",), line_counts=(40,))[0]


def test_a_multi_page_tiff_dropped_in_a_bots_folder_is_read_page_by_page(deployment, two_pages):
    runner, store = make_runner(deployment, RECORDING, rules=False)
    inbox = runner.config.workspace_path / "inbox"  # the folder source's path is inside the workspace
    inbox.mkdir(parents=True, exist_ok=True)
    dropped = scans.scan(two_pages.path, inbox / "scanner-0042.tif", seed=3, dpi=200)
    os.utime(dropped, (time.time() - 600, time.time() - 600))  # written a while ago: settled
    assert runner.run_once().collected == 1
    [item] = store.list(bot="invoices")
    assert item.status == Status.DONE, item.payload.get("error")
    fields = item.payload["document"]["fields"]
    assert {k: fields[k]["value"] for k in KEYS} == {k: two_pages.expected[k] for k in KEYS}
    assert fields["grand_total"]["page"] == 2  # the second frame of the TIFF was read too


def test_a_phone_photo_attached_to_a_mail_is_read(tmp_path, two_pages):
    single = invoices.generate_golden(tmp_path / "one", seed=6, layouts=("classic-en",), line_counts=(3,))[0]
    photo = scans.scan(single.path, tmp_path / "IMG_0042.jpg", seed=4, style="photo")
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"], mail["Message-ID"] = "a@example.com", "ap@example.com", "Bill", "<p@x>"
    mail.set_content("Photo of the bill attached.")
    mail.add_attachment(photo.read_bytes(), maintype="image", subtype="jpeg", filename="IMG_0042.jpg")
    files = FileStore(tmp_path / "files")
    [attached] = parse_mail(mail.as_bytes(), files, MailLimits()).documents
    document = stages.read_file(files.path(attached.stored), attached.name, "invoice")
    assert {k: document.fields[k].value for k in KEYS} == {k: single.expected[k] for k in KEYS}
    assert document.source == "IMG_0042.jpg"


def test_a_scan_a_portal_serves_without_a_suffix_is_told_by_its_bytes(tmp_path, two_pages):
    scanned = scans.scan(two_pages.path, tmp_path / "scan.tif", seed=7, dpi=300)
    files = FileStore(tmp_path / "files")
    stored = files.put_bytes(scanned.read_bytes(), "download")  # as the portal source keeps a download
    document = stages.read_file(files.path(stored), "download", "invoice")
    assert {k: document.fields[k].value for k in KEYS} == {k: two_pages.expected[k] for k in KEYS}
