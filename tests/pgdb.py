"""A throwaway PostgreSQL database per test session (loopback, trust auth as postgres), so
parallel test runs never collide; dropped (with its connections) at the end."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def available() -> bool:
    try:
        with psycopg.connect(ADMIN_URL, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


@contextmanager
def scratch_database(prefix: str = "backoffice_test") -> Iterator[str]:
    """Create ``<prefix>_<random>``, yield its URL, drop it."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
