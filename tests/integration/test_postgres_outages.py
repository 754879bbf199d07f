"""A source outage recorded in the registry of a PostgreSQL queue (what ``backoffice status`` reads)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


def test_the_registry_keeps_a_source_outage_on_postgres_too():
    from tests.pgdb import available, scratch_database

    if not available():
        pytest.skip("PostgreSQL is not running")
    from backoffice.bots.registry import Registry
    from backoffice.queue.postgres import PostgresStore

    with scratch_database() as url:
        store = PostgresStore(url)
        registry = Registry.for_store(store)
        try:
            registry.source_down("mailbox", "imap://x: cannot connect [Errno 111]", 1000.0)
            registry.source_down("mailbox", "imap://x: timed out", 2000.0)  # still the same outage
            assert registry.sources_down() == {"mailbox": ("imap://x: timed out", 1000.0)}
            registry.source_up("mailbox")
            assert registry.sources_down() == {}
        finally:
            registry.close()
            store.close()
