"""Rule lookups in PostgreSQL master data (a real server on 127.0.0.1:5432, database test)."""

from __future__ import annotations

import textwrap
import uuid
from decimal import Decimal

import psycopg
import pytest

from backoffice.errors import ConfigError
from backoffice.rules import load_rules
from backoffice.rules.masterdata import MasterDataError, SourceSpec, Table
from tests.fakes import invoice
from tests.integration.conftest import POSTGRES_URL

pytestmark = pytest.mark.integration


@pytest.fixture
def vendors(services):
    """A vendor table of its own (dropped after the test)."""
    name = f"vendors_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {name} (vendor_id text, name text, credit_limit numeric(12,2), since date)")
        conn.execute(f"INSERT INTO {name} VALUES ('V-1', 'Acme GmbH', 5000.00, '2020-01-01'), "
                     f"('V-2', 'Zeta AG', NULL, NULL)")  # fmt: skip
    yield name
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {name}")


def write(tmp_path, text: str):
    path = tmp_path / "rules.yaml"
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def test_lookup_and_check_against_a_postgresql_table(tmp_path, vendors, monkeypatch):
    monkeypatch.setenv("MASTER_DB", POSTGRES_URL)
    rules = load_rules(write(tmp_path, f"""
        data:
          vendors: {{sql: "${{MASTER_DB}}", table: {vendors}}}
        rules:
          - {{id: vendor, lookup: {{from: vendors, where: {{name: seller_name}}, as: vendor}}, message: "unknown {{seller_name}}"}}
          - {{id: credit, check: grand_total <= vendor.credit_limit, message: over the limit}}
    """), probe=True)
    assert rules.evaluate(invoice()).passed
    assert rules.tables["vendors"].rows()[0]["credit_limit"] == Decimal("5000.00")
    verdict = rules.evaluate(invoice(seller_name="Nobody Ltd"))
    assert [e.message for e in verdict.errors] == ["unknown Nobody Ltd", "credit: needs vendor.credit_limit"]


def test_a_query_source_and_probing_its_columns(tmp_path, vendors):
    path = write(tmp_path, f"""
        data:
          limits: {{sql: "{POSTGRES_URL}", query: "SELECT vendor_id, credit_limit FROM {vendors} WHERE credit_limit > 0"}}
        rules:
          - {{id: v, lookup: {{from: limits, where: {{vendor_id: "'V-1'"}}, as: limit}}, message: m}}
          - {{id: c, check: limit.credit > 0, message: m}}
    """)
    load_rules(path)  # without probing, PostgreSQL is not contacted and its columns are not known
    with pytest.raises(ConfigError) as caught:
        load_rules(path, probe=True)
    assert caught.value.problems == [f"{path}:5:20: rules[1].check: unknown column 'credit' of limits "
                                     "(did you mean 'credit_limit'?)"]  # fmt: skip


def test_an_unreachable_or_wrong_source_is_an_application_error(vendors):
    with pytest.raises(MasterDataError, match="does_not_exist"):
        Table(SourceSpec("x", sql=POSTGRES_URL, table="does_not_exist")).rows()
    with pytest.raises(MasterDataError) as caught:
        Table(SourceSpec("x", sql="postgresql://postgres:secret@127.0.0.1:1/test", table=vendors)).rows()
    assert "secret" not in str(caught.value) and caught.value.code == "masterdata"
