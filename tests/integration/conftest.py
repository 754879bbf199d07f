"""Fixtures for the real services: PostgreSQL and MariaDB on loopback (scripts/system.sh starts
them when they are down) and the demo ERP, started on a free port and stopped after."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from backoffice.demo.erp import running_erp
from tests.conftest import ROOT

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
MARIADB_URL = "mariadb://root@127.0.0.1:3306/test"


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="session")
def services() -> None:
    """PostgreSQL and MariaDB are up (started by scripts/system.sh when they are not)."""
    if not (_listening(5432) and _listening(3306)):
        subprocess.run([str(ROOT / "scripts" / "system.sh")], check=False, timeout=120)
    down = [name for name, port in (("PostgreSQL", 5432), ("MariaDB", 3306)) if not _listening(port)]
    if down:
        pytest.fail(f"{' and '.join(down)} not listening on 127.0.0.1; run scripts/system.sh as root")


class Erp:
    """A running demo ERP: its URL and a client for its admin endpoints."""

    def __init__(self, url: str, db: Path):
        self.url, self.db = url, db

    def faults(self, rate: float = 0.0, kinds: tuple[str, ...] = (), **more) -> None:
        answer = httpx.put(f"{self.url}/_admin/faults", json={"rate": rate, "kinds": list(kinds), **more}, timeout=5)
        answer.raise_for_status()

    def stats(self) -> dict:
        return httpx.get(f"{self.url}/_admin/stats", timeout=5).json()

    def invoices(self, **query) -> list[dict]:
        return httpx.get(f"{self.url}/api/invoices", params={"limit": 1000, **query}, timeout=5).json()["items"]


@pytest.fixture(scope="module")
def erp(tmp_path_factory) -> Iterator[Erp]:
    folder = tmp_path_factory.mktemp("erp")
    with running_erp(folder / "erp.db", log_path=folder / "erp.log") as url:
        yield Erp(url, folder / "erp.db")
