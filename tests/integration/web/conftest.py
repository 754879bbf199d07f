"""A demo workspace served by the supervisor UI on loopback (uvicorn in a thread), and one
headless Chromium per test module; both stopped after."""

from __future__ import annotations

import shutil
import socket
import threading
import time
import uuid
from datetime import UTC, datetime
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from backoffice.config import Config
from backoffice.demo.run import copy_deployment, run_demo
from backoffice.queue import NewItem, open_store
from backoffice.queue.base import Store
from backoffice.web.app import create_app
from backoffice.web.context import Workspace
from tests import pgdb
from tests.conftest import ROOT

ARTIFACTS = ROOT / "tests" / "artifacts"
PASSWORDS = {"alice": "alice-pass-1", "bob": "bob-pass-12", "vera": "vera-pass-1", "ada": "ada-pass-123",
             "fran": "fran-pass-123"}  # fmt: skip
ROLES = {"alice": "supervisor", "bob": "supervisor", "vera": "viewer", "ada": "admin", "fran": "supervisor"}
APPROVES = {"fran": ("finance-manager",)}  # approval roles
SCRIPT_NAME = '<script>alert("file")</script>.pdf'
SCRIPT_SUBJECT = '<script>alert("subject")</script> Invoice 4711'


@dataclass
class Served:
    url: str
    ws: Workspace
    config: Config
    store: Store
    script_item: int


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _script_item(ws: Workspace, store: Store) -> int:
    """An item whose file name and mail subject hold markup: it must show as text."""
    first = store.get(1).files[0]
    stored = ws.files.put_bytes(ws.files.path(first).read_bytes(), SCRIPT_NAME)
    mail = {"from": "Mallory <mallory@example.com>", "subject": SCRIPT_SUBJECT, "date": "2026-03-01T10:00:00+00:00",
            "message_id": "<m1@example.com>"}  # fmt: skip
    evidence = ws.files.put_bytes(b"<html><script>alert(1)</script></html>", "<script>trace</script>.html")
    item, _ = store.enqueue(NewItem("invoices", "test:script", {"file": SCRIPT_NAME, "mail": mail,
                                                                "evidence": [evidence.to_dict()]}, files=[stored],
                                    deadline=datetime(2026, 1, 5, tzinfo=UTC)))  # fmt: skip
    claimed = store.claim("test-runner", bots=["invoices"], limit=100)
    for other in claimed:
        if other.id == item.id:
            store.to_exception(item.id, "test-runner", reason=f"cannot read {SCRIPT_NAME}", code="intake")
        else:
            store.release(other.id, "test-runner")
    return item.id


@pytest.fixture(scope="session")
def ui_postgres() -> Iterator[str]:
    """A scratch PostgreSQL database for the UI's queues (a schema per module)."""
    if not pgdb.available():
        pytest.fail("PostgreSQL is not listening on 127.0.0.1:5432; run scripts/system.sh as root")
    with pgdb.scratch_database("backoffice_ui") as url:
        yield url


def demo_deployment(request, folder: Path) -> Path:
    """The repository's bots.yaml and rule files; on ``postgres``, with a queue of its own there."""
    if request.param == "sqlite":
        return ROOT / "bots.yaml"
    (folder / "deployment").mkdir()
    copied = copy_deployment(ROOT / "bots.yaml", folder / "deployment")
    url = f"{request.getfixturevalue('ui_postgres')}?schema=ui_{uuid.uuid4().hex[:10]}"
    copied.write_text(f"queue: {url}\n" + copied.read_text(encoding="utf-8"), encoding="utf-8")
    return copied


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def served(request, tmp_path_factory) -> Iterator[Served]:
    """The demo (run on a SQLite queue, or on PostgreSQL) served by the UI."""
    folder = tmp_path_factory.mktemp("ui")
    deployment = demo_deployment(request, folder)
    result = run_demo(deployment, folder / "ws", count=24, seed=7, portal=False)  # the UI needs no portal
    from backoffice.config import load_config

    config = load_config(result.config)
    store = open_store(config.queue_url)
    assert type(store).__module__ == f"backoffice.queue.{request.param}"  # the UI runs on the backend named
    ws = Workspace.open(config, store)
    for name, password in PASSWORDS.items():
        ws.users.add(name, password, ROLES[name], APPROVES.get(name, ()))
    script_item = _script_item(ws, store)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(ws), host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="on"))  # fmt: skip
    thread = threading.Thread(target=server.run, name="ui-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the UI server did not start")
        time.sleep(0.05)
    try:
        # "localhost": browsers keep Secure cookies there over plain HTTP (a secure context)
        yield Served(f"http://localhost:{port}", ws, config, store, script_item)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        store.close()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    from backoffice.browser import launch

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, served):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    dialogs: list[str] = []
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    tab.dialogs = dialogs  # type: ignore[attr-defined]
    yield tab
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
