"""A bot that brings its invoice2data templates: the matching template reads the invoice."""

from __future__ import annotations

import os
import shutil
import textwrap
import time

import pytest

from tests.conftest import CORPUS
from tests.e2e.conftest import backoffice, backoffice_json


@pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus is not beside the project")
def test_a_bot_reads_with_its_templates_folder(tmp_path):
    inbox = tmp_path / "work" / "inbox"
    inbox.mkdir(parents=True)
    shutil.copy(CORPUS / "invoice2data" / "compare" / "QualityHosting.pdf", inbox)
    os.utime(inbox / "QualityHosting.pdf", (time.time() - 10,) * 2)
    config = tmp_path / "bots.yaml"
    config.write_text(textwrap.dedent(f"""
        bots:
          - name: invoices
            source: {{kind: folder, path: inbox, create: true}}
            templates: {CORPUS / "invoice2data" / "templates"}
    """))  # fmt: skip
    backoffice_json("-c", str(config), "run", "--once")
    [item] = backoffice_json("-c", str(config), "queue", "list")
    document = item["payload"]["document"]
    assert item["status"] == "done" and document["method"] == "template:de.qualityhosting"
    assert document["fields"]["invoice_number"]["value"] == "30064443"
    config.write_text(config.read_text().replace("templates: ", "templates: /no/such/"))
    failed = backoffice("-c", str(config), "check", check=False)
    assert failed.returncode == 1 and "bots[0].templates: templates folder does not exist" in failed.stderr
