"""``backoffice check`` reads the approval roles its users hold from the queue's users, whatever
the backend: here a deployment whose queue is on the real PostgreSQL."""

from __future__ import annotations

import json
import shutil
import uuid

import psycopg
import pytest
from typer.testing import CliRunner

from backoffice.cli import app
from backoffice.queue import open_store
from tests.conftest import ROOT
from tests.integration.conftest import POSTGRES_URL

pytestmark = pytest.mark.integration


def test_check_warns_about_a_role_no_user_of_a_postgres_queue_holds(services, tmp_path):
    schema = f"t_{uuid.uuid4().hex[:12]}"
    url = f"{POSTGRES_URL}?schema={schema}"
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    (tmp_path / "bots.yaml").write_text(f"queue: {url}\n" + (ROOT / "bots.yaml").read_text(), encoding="utf-8")
    store = open_store(url)
    try:
        store.users().add("bob", "bob-pass-12", "supervisor")  # no approval role
        check = ["-c", str(tmp_path / "bots.yaml"), "check", "--json"]
        report = json.loads(CliRunner().invoke(app, check).stdout)
        assert report["ok"] and any(
            "rule approval-above-10000: routes approvals to finance-manager, and no user holds that role" in w
            for w in report["warnings"]
        ), report
        store.users().add("fran", "fran-pass-123", "supervisor", ["finance-manager"])
        report = json.loads(CliRunner().invoke(app, check).stdout)
        assert report["ok"] and not [w for w in report["warnings"] if "finance-manager" in w], report
    finally:
        store.close()
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
