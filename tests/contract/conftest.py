"""Every queue backend runs the same contract tests: memory, SQLite and the real PostgreSQL of
this machine (a scratch database per session, a fresh schema per test)."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from backoffice.queue.memory import MemoryStore
from backoffice.queue.postgres import PostgresStore
from backoffice.queue.sqlite import SQLiteStore
from tests import pgdb


class Clock:
    """A clock the tests move by hand."""

    def __init__(self, now: float = 1_700_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="session")
def postgres_url():
    if not pgdb.available():
        pytest.fail("PostgreSQL is not listening on 127.0.0.1:5432; run scripts/system.sh as root")
    with pgdb.scratch_database() as url:
        yield url


BACKENDS = [
    "memory",
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.integration),
]  # -m "not integration": no server


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path, clock):
    if request.param == "memory":
        backend = MemoryStore(clock=clock)
    elif request.param == "sqlite":
        backend = SQLiteStore(tmp_path / "queue.db", clock=clock)
    else:
        url = request.getfixturevalue("postgres_url")
        schema = f"t_{uuid.uuid4().hex[:12]}"
        backend = PostgresStore(url, schema=schema, clock=clock)
    yield backend
    backend.close()
    if request.param == "postgres":
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
