"""The PostgreSQL queue's integration tests: a scratch database per module on the real server of
this machine, and a fresh schema per test inside it."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from tests import pgdb


@pytest.fixture(scope="module")
def url():
    if not pgdb.available():
        pytest.fail("PostgreSQL is not listening on 127.0.0.1:5432")
    with pgdb.scratch_database() as found:
        yield found


@pytest.fixture
def schema(url):
    name = f"t_{uuid.uuid4().hex[:10]}"
    yield name
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
