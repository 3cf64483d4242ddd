"""Staging is incremental (only raw versions landed since the last build are parsed). After a
second extraction of changed sandbox data (records modified, deleted and created in every
source; Gong calls gone and flagged by a full scan; Marketo leads deleted), the incremental
build must equal a --full-refresh build of the same raw tables, every table row for row; the
incremental scan for unparseable values follows new versions."""

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import psycopg
import pytest

from connectors.landing.duckdb import DuckDBDestination
from connectors.run import close_readers, extract_sources
from sandbox.serve import running
from tests.connectors.sandbox_support import make_world
from tests.dbt.dbt_runner import build_models
from tests.dbt.mini_world import write_mini_world
from tests.dbt.raw_loader import land_duckdb, land_postgres
from tests.dbt.warehouses import scratch_postgres_database

# Every run of the Gong connector re-reads all calls, so a deleted call is flagged at once.
EXTRACT_ENV = {"CONNECTORS_RATE_SCALE": "1000", "GONG_CALLS_RECONCILE_HOURS": "0"}
COMPARED_SCHEMAS = ("staging", "intermediate", "marts", "dq")
# What the bad-value scan's test reads: the scan and the staged Leads (a whole build is ~9 s
# more per build on the mini world, for models it does not look at).
DQ_SCAN = ("--select", "+dq_unparseable_values", "+stg_salesforce__leads")


def _extract(env: dict[str, str], database: Path, run_id: str) -> None:
    try:
        outcomes = extract_sources(
            {"salesforce": None, "marketo": None, "gong": None},
            destination=DuckDBDestination(database),
            run_id=run_id,
            env={**env, **EXTRACT_ENV},
        )
    finally:
        close_readers()
    errors = [outcome.error for outcome in outcomes if outcome.error is not None]
    assert not errors, errors


def _differences(left: Path, right: Path) -> dict[str, tuple[int, int]]:
    """Per table: (rows only in left, rows only in right), for the tables that differ."""
    with duckdb.connect(str(left), read_only=True) as conn:
        conn.execute(f"attach '{right}' as other (read_only)")
        tables = conn.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_catalog = current_database() and table_schema in ?",
            [list(COMPARED_SCHEMAS)],
        ).fetchall()
        assert len(tables) > 30, tables
        out = {}
        for schema, table in tables:
            here, there = f'"{schema}"."{table}"', f'other."{schema}"."{table}"'
            (only_left,) = conn.execute(
                f"select count(*) from (from {here} except all from {there})"
            ).fetchone()
            (only_right,) = conn.execute(
                f"select count(*) from (from {there} except all from {here})"
            ).fetchone()
            if only_left or only_right:
                out[f"{schema}.{table}"] = (only_left, only_right)
        return out


def _count(database: Path, sql: str) -> int:
    with duckdb.connect(str(database), read_only=True) as conn:
        (value,) = conn.execute(sql).fetchone()
    return int(value)


def _deleted_salesforce_records(database: Path) -> int:
    tables = ["accounts", "contacts", "leads", "opportunities", "tasks", "events"]
    union = " union all ".join(
        f"select count(*) as n from staging.stg_salesforce__{t} where is_deleted" for t in tables
    )
    return _count(database, f"select sum(n) from ({union})")


def test_incremental_build_equals_full_refresh(tmp_path: Path) -> None:
    world = make_world(tmp_path / "world", leads=300, seed=11)
    incremental = tmp_path / "incremental.duckdb"
    with running(world) as sandbox:
        _extract(sandbox.env, incremental, "first")
        build_models(incremental, tmp_path)
        deleted_before = _deleted_salesforce_records(incremental)
        activities_before = _count(
            incremental, "select count(*) from staging.stg_marketo__activities"
        )
        for source in ("salesforce", "marketo", "gong"):
            sandbox.mutate(source, modify=6, delete=3, create=3, seed=5)
        _extract(sandbox.env, incremental, "second")
    build_models(incremental, tmp_path)

    full = tmp_path / "full.duckdb"
    shutil.copyfile(incremental, full)
    build_models(full, tmp_path, "--full-refresh")

    assert _differences(incremental, full) == {}
    # the second run did change what staging holds, through each incremental path
    assert _deleted_salesforce_records(incremental) > deleted_before
    activities = _count(incremental, "select count(*) from staging.stg_marketo__activities")
    assert activities > activities_before
    for flagged in ("stg_gong__calls", "stg_marketo__leads"):  # set from another stream
        assert _count(incremental, f"select count(*) from staging.{flagged} where is_deleted") > 0


class MiniWarehouse:
    """The mini world landed on DuckDB or Postgres, built with `build_models`' selection."""

    def __init__(self, target: str, data_dir: Path, work_dir: Path, location: str) -> None:
        self.target, self.work_dir, self.location = target, work_dir, location
        if target == "duckdb":
            land_duckdb(data_dir, Path(location))
        else:
            land_postgres(data_dir, location)

    def build(self, *extra: str) -> None:
        database = self.location if self.target == "duckdb" else self.location.rsplit("/", 1)[1]
        build_models(database, self.work_dir, *extra, target=self.target)

    def query(self, sql: str, params: list[object] | None = None) -> list[tuple]:
        if self.target == "duckdb":
            with duckdb.connect(self.location) as conn:
                return conn.execute(sql.replace("%s", "?"), params or []).fetchall()
        with psycopg.connect(self.location, autocommit=True) as conn, conn.cursor() as cur:
            cur.execute(sql, params or [])  # type: ignore[arg-type]
            return cur.fetchall() if cur.description else []

    def land_lead_version(self, lead_id: str, record: dict[str, object]) -> None:
        json_type = "json" if self.target == "duckdb" else "jsonb"
        self.query(
            "insert into raw.salesforce__lead"
            f" select %s, now(), cast(%s as {json_type}), now(), 'test', max(_load_seq) + 1"
            " from raw.salesforce__lead",
            [lead_id, json.dumps(record)],
        )

    def listed_bad_values(self) -> list[tuple]:
        return self.query(
            "select record_id, vendor_field, bad_value from dq.dq_unparseable_values order by 1, 2"
        )


@contextmanager
def mini_warehouse(target: str, tmp_path: Path) -> Iterator[MiniWarehouse]:
    data_dir = tmp_path / "data"
    write_mini_world(data_dir)
    if target == "duckdb":
        yield MiniWarehouse(target, data_dir, tmp_path, str(tmp_path / "warehouse.duckdb"))
        return
    with scratch_postgres_database() as database:
        dsn = f"postgresql://postgres@127.0.0.1:5432/{database}"
        yield MiniWarehouse(target, data_dir, tmp_path, dsn)


@pytest.mark.parametrize("target", ["duckdb", "postgres"])
def test_dq_scan_follows_new_versions(target: str, tmp_path: Path) -> None:
    """A new version whose date does not parse is staged with NULL and listed by the
    incremental bad-value scan; a later corrected version restores the value and drops the
    row; one marker row per raw table remains, at the highest _load_seq landed."""
    with mini_warehouse(target, tmp_path) as warehouse:
        warehouse.build(*DQ_SCAN)
        assert warehouse.listed_bad_values() == []
        ((lead_id, raw),) = warehouse.query(
            "select id, cast(_raw as varchar) from raw.salesforce__lead order by id limit 1"
        )
        good = json.loads(raw)
        created_sql = "select created_at from staging.stg_salesforce__leads where lead_id = %s"

        warehouse.land_lead_version(lead_id, {**good, "CreatedDate": "not a date"})
        warehouse.build(*DQ_SCAN)
        assert warehouse.listed_bad_values() == [(lead_id, "CreatedDate", "not a date")]
        assert warehouse.query(created_sql, [lead_id]) == [(None,)]

        warehouse.land_lead_version(lead_id, good)
        warehouse.build(*DQ_SCAN)
        assert warehouse.listed_bad_values() == []
        ((created_at,),) = warehouse.query(created_sql, [lead_id])
        assert created_at is not None
        markers = warehouse.query(
            "select source, stream, count(*) from dq.int_unparseable_typed_values"
            " where record_id is null group by source, stream having count(*) > 1"
        )
        assert markers == []
        ((scanned_to,),) = warehouse.query(
            "select _load_seq from dq.int_unparseable_typed_values"
            " where record_id is null and stream = 'lead'"
        )
        ((landed_to,),) = warehouse.query("select max(_load_seq) from raw.salesforce__lead")
        assert scanned_to == landed_to
