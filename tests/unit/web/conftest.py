"""A small demo workspace (12 generated invoices, some in the exception queue), built once and
copied for each test, and a signed-in client of the supervisor UI."""

from __future__ import annotations

import re
import shutil
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from backoffice.config import load_config
from backoffice.demo.run import run_demo
from backoffice.queue import open_store
from backoffice.web.context import Workspace
from tests.conftest import ROOT

USERS = {"alice": ("supervisor", "alice-pass-1"), "bob": ("supervisor", "bob-pass-12"),
         "vera": ("viewer", "vera-pass-1"), "ada": ("admin", "ada-pass-123"),
         "fran": ("supervisor", "fran-pass-123")}  # fmt: skip
APPROVES = {"fran": ("finance-manager",)}  # approval roles


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch):
    """argon2id with small costs: the same code path, milliseconds instead of a second per test."""
    from argon2 import PasswordHasher

    monkeypatch.setattr("backoffice.queue.users._hasher", PasswordHasher(time_cost=1, memory_cost=512, parallelism=1))


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("web-demo") / "ws"
    run_demo(ROOT / "bots.yaml", folder, count=12, seed=7)
    return folder


@pytest.fixture
def ws(demo_template, tmp_path) -> Iterator[Workspace]:
    folder = tmp_path / "ws"
    shutil.copytree(demo_template, folder)
    config = load_config(folder / "bots.yaml")
    store = open_store(config.queue_url)
    workspace = Workspace.open(config, store)
    for name, (role, password) in USERS.items():
        workspace.users.add(name, password, role, APPROVES.get(name, ()))
    yield workspace
    workspace.close()
    store.close()


@dataclass
class Signed:
    client: object
    csrf: str


def sign_in(client, name: str) -> str:
    """Sign in through the form; returns the session's CSRF token."""
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    answer = client.post("/login", data={"name": name, "password": USERS[name][1], "csrf": token},
                         headers={"accept": "application/json"})  # fmt: skip
    assert answer.status_code == 200, answer.text
    return answer.json()["csrf"]


@pytest.fixture
def client(ws):
    from backoffice.web.app import create_app

    with warnings.catch_warnings():  # starlette would like httpx2; httpx is what the project has
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

        test_client = TestClient(create_app(ws), base_url="https://testserver", follow_redirects=False)
    with test_client:
        yield test_client
