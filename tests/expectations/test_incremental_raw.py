"""Raw suites validate only the rows landed since their last run (dq.validation_marks), on
DuckDB and Postgres: an old bad row is not reported again, a new one is, the newest row keeps
the freshness rule measuring, and dropping the mark or rebuilding the table reads it all."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import psycopg
import pytest

from dwh.settings import WarehouseSettings
from expectations.runner import run_suites
from tests.expectations.test_postgres import postgres_dsn  # noqa: F401 (fixture)
from tests.expectations.test_runner import NOW, RAW_LEAD, raw_leads

TABLE = "raw.salesforce__lead"
PG_COLUMNS = (
    "id text, _cursor timestamptz, _raw text, _extracted_at timestamptz, _run_id text,"
    " _load_seq bigint"
)


class RawTable:
    """raw.salesforce__lead in a DuckDB file or a Postgres database."""

    def __init__(self, location: WarehouseSettings) -> None:
        self.location = location

    def execute(self, sql: str) -> list[tuple[Any, ...]]:
        if not self.location.is_postgres:
            with duckdb.connect(str(self.location.path)) as con:
                return con.execute(sql).fetchall()
        with psycopg.connect(str(self.location.postgres_dsn), autocommit=True) as con:
            cur = con.execute(sql)  # type: ignore[arg-type]
            return cur.fetchall() if cur.description else []

    def replace(self, frame: pd.DataFrame) -> None:
        if not self.location.is_postgres:
            with duckdb.connect(str(self.location.path)) as con:
                con.execute("create schema if not exists raw")
                con.register("frame_view", frame)
                con.execute(f"create or replace table {TABLE} as select * from frame_view")
            return
        self.execute(f"create schema if not exists raw; drop table if exists {TABLE}")
        self.execute(f"create table {TABLE} ({PG_COLUMNS})")
        self.append(frame)

    def append(self, frame: pd.DataFrame) -> None:
        if not self.location.is_postgres:
            with duckdb.connect(str(self.location.path)) as con:
                con.register("frame_view", frame)
                con.execute(f"insert into {TABLE} select * from frame_view")
            return
        rows = frame.astype(object).where(frame.notna(), None).itertuples(index=False)
        with psycopg.connect(str(self.location.postgres_dsn)) as con, con.cursor() as cur:
            cur.executemany(f"insert into {TABLE} values (%s, %s, %s, %s, %s, %s)", list(rows))

    def validate(self) -> Any:
        (run,) = run_suites(self.location, [RAW_LEAD], evaluated_at=NOW)
        return run


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def raw_table(request: pytest.FixtureRequest, tmp_path: Path) -> RawTable:
    if request.param == "duckdb":
        return RawTable(WarehouseSettings.for_duckdb(tmp_path / "warehouse.duckdb"))
    # test_postgres's fixture: a database of this test's own, dropped afterwards
    return RawTable(WarehouseSettings.for_postgres(request.getfixturevalue("postgres_dsn")))


def _new_versions(first_seq: int, n: int, missing_run_id: int) -> pd.DataFrame:
    frame = raw_leads(n + 10).tail(n).reset_index(drop=True)
    frame["_load_seq"] = range(first_seq, first_seq + n)
    frame["_extracted_at"] = frame["_cursor"] = NOW - timedelta(minutes=5)
    frame.loc[: missing_run_id - 1, "_run_id"] = None
    return frame


def test_each_run_validates_the_rows_landed_since_the_last(raw_table: RawTable) -> None:
    raw_table.replace(raw_leads(50))
    first = raw_table.validate()
    assert (first.row_count, first.failed(), first.validated_through) == (50, [], 50)

    # An old row goes bad (it was validated already) and 5 versions land, 2 without a run id.
    raw_table.execute(f"update {TABLE} set _run_id = null where _load_seq = 3")
    raw_table.append(_new_versions(51, 5, missing_run_id=2))
    second = raw_table.validate()
    assert second.row_count == 5
    assert second.failed() == ["run_id_not_null"]
    assert second.result("run_id_not_null").unexpected_count == 2
    assert raw_table.execute(
        "select validated_through, rows_validated from dq.validation_marks"
        " where suite = 'raw_salesforce__lead'"
    ) == [(55, 5)]

    # Nothing landed: the newest row alone, so freshness is still measured.
    idle = raw_table.validate()
    assert idle.row_count == 1
    assert idle.result("fresh").success and idle.result("fresh").observed_value is not None

    # Without its mark the suite reads the whole table: all three bad rows.
    raw_table.execute("delete from dq.validation_marks")
    whole = raw_table.validate()
    assert whole.row_count == 55
    assert whole.result("run_id_not_null").unexpected_count == 3


def test_a_rebuilt_table_below_the_mark_is_read_whole(raw_table: RawTable) -> None:
    raw_table.replace(raw_leads(50))
    raw_table.validate()
    rebuilt = raw_leads(20)
    rebuilt.loc[:1, "_run_id"] = None
    raw_table.replace(rebuilt)

    run = raw_table.validate()

    assert run.row_count == 20
    assert run.result("run_id_not_null").unexpected_count == 2
    assert run.validated_through == 20
