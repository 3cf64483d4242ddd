"""The same runner on the Postgres target: read through psycopg, results in dq.*."""

from collections.abc import Iterator
from uuid import uuid4

import pandas as pd
import psycopg
import pytest

from dwh.settings import WarehouseSettings
from expectations.runner import run_suites
from expectations.suite_files import SUITES_DIR, load_suite
from tests.expectations.handoffs import clean_handoffs

pytestmark = pytest.mark.postgres

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_TYPES = {"object": "text", "float64": "double precision", "int64": "bigint", "bool": "boolean"}


def _pg_type(column: str, dtype: object) -> str:
    if column == "completeness":
        return "numeric"  # what dbt-postgres produces for valid / 10.0
    text = str(dtype)
    if text.startswith("datetime64") and "UTC" in text:
        return "timestamptz"
    if text.startswith("datetime64"):
        return "date"
    return PG_TYPES.get(text, "text")


@pytest.fixture
def postgres_dsn() -> Iterator[str]:
    name = f"gx_expectations_{uuid4().hex[:8]}"
    try:
        with psycopg.connect(ADMIN_DSN, autocommit=True, connect_timeout=5) as con:
            con.execute(f"create database {name}")
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(ADMIN_DSN, autocommit=True) as con:
            con.execute(f"drop database if exists {name} with (force)")


def load_handoffs(dsn: str, frame: pd.DataFrame) -> None:
    columns = ", ".join(f'"{c}" {_pg_type(c, t)}' for c, t in frame.dtypes.items())
    values = frame.astype(object).where(frame.notna(), None)
    placeholders = ", ".join("%s" for _ in frame.columns)
    with psycopg.connect(dsn) as con, con.cursor() as cur:
        cur.execute("create schema marts")
        cur.execute(f"create table marts.fct_handoffs ({columns})")
        cur.executemany(
            f"insert into marts.fct_handoffs values ({placeholders})",
            [tuple(row) for row in values.itertuples(index=False)],
        )


def test_postgres_warehouse(postgres_dsn: str) -> None:
    suite = load_suite(SUITES_DIR / "fct_handoffs.yml")
    frame = clean_handoffs(80)
    frame.loc[frame.index[:10], "contact_email"] = "bad@@mail"
    load_handoffs(postgres_dsn, frame)

    (run,) = run_suites(WarehouseSettings.for_postgres(postgres_dsn), [suite], run_id="pg-1")

    assert run.failed() == ["contact_email_syntax"]
    assert run.result("contact_email_syntax").unexpected_count == 10
    assert run.result("completeness_mean").observed_value == "1"
    with psycopg.connect(postgres_dsn) as con:
        rows = con.execute(
            "select count(*), count(*) filter (where not success) from dq.expectation_results "
            "where run_id = 'pg-1'"
        ).fetchone()
    assert rows == (len(suite.rules), 1)
