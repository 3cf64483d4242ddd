"""Postgres with parallel plans forced: the marts build and equal the DuckDB build and the truth.

Small test tables never get a parallel plan on their own, which is how a `parallel safe`
function with an EXCEPTION block (a subtransaction) passed every test and then failed a demo-
scale build on PostgreSQL 15 ("cannot start subtransactions during a parallel operation").
`debug_parallel_query` (`force_parallel_mode` before 16) runs every parallel-safe query
through a parallel worker, so the tables can stay small. The test first shows that the setting
takes effect on this server (the old function definition fails under it), then builds.
"""

import math
import os
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest

from sandbox.world import generate
from tests.dbt.dbt_runner import build_models
from tests.dbt.raw_loader import land_duckdb, land_postgres
from tests.dbt.truth_compare import KPI_QUERY, compare, report, truth_kpis
from tests.dbt.warehouses import BuiltWarehouse, scratch_postgres_database

pytestmark = pytest.mark.postgres

LEADS, SEED = 300, 7  # the end-to-end world: its marts equal the truth on both targets
# When each warehouse landed the raw rows: differs by construction, nothing else may.
LANDING_TIME_COLUMNS = {"_extracted_at"}
SUBTRANSACTION_ERROR = "cannot start subtransactions during a parallel operation"


def parallel_setting(dsn: str) -> str:
    """The server's name for "run every query through a parallel worker"."""
    with psycopg.connect(dsn) as con:
        (version,) = con.execute("select current_setting('server_version_num')::int").fetchone()
    return "debug_parallel_query" if version >= 160000 else "force_parallel_mode"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("world") / "data", leads=LEADS, seed=SEED)


@pytest.fixture(scope="module")
def duckdb_marts(world: Path, tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    work = tmp_path_factory.mktemp("duckdb")
    database = work / "warehouse.duckdb"
    land_duckdb(world, database)
    build_models(database, work)
    return BuiltWarehouse("duckdb", str(database), "")


@pytest.fixture(scope="module")
def parallel_postgres(
    world: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BuiltWarehouse]:
    work = tmp_path_factory.mktemp("postgres")
    with scratch_postgres_database() as database:
        dsn = f"postgresql://postgres@127.0.0.1:5432/{database}"
        land_postgres(world, dsn)
        forced = f"-c {parallel_setting(dsn)}=on"
        os.environ["PGOPTIONS"] = f"{os.environ.get('PGOPTIONS', '')} {forced}".strip()
        try:
            _assert_parallel_mode_is_forced(dsn)
            build_models(database, work, target="postgres")  # dbt (libpq) reads PGOPTIONS
        finally:
            os.environ["PGOPTIONS"] = os.environ["PGOPTIONS"].replace(forced, "").strip()
        yield BuiltWarehouse("postgres", dsn, "")


def _assert_parallel_mode_is_forced(dsn: str) -> None:
    """The function as it was (parallel safe, EXCEPTION block) fails here: parallel plans run."""
    with psycopg.connect(dsn) as con:
        con.execute(
            "create function pg_temp.old_try_cast_integer(value text) returns integer "
            "language plpgsql stable strict parallel safe as $$ begin "
            "return cast(value as integer); exception when data_exception then return null; "
            "end $$"
        )
        with pytest.raises(psycopg.Error, match=SUBTRANSACTION_ERROR):
            con.execute(
                "select count(pg_temp.old_try_cast_integer(id)) from raw.marketo__activity_types"
            ).fetchall()


def test_postgres_parallel_functions_need_no_subtransaction_in_parallel_plans(
    parallel_postgres: BuiltWarehouse,
) -> None:
    """Every helper is either subtransaction-free and parallel safe, or parallel unsafe."""
    rows = parallel_postgres.query(
        "select p.proname, l.lanname, p.proparallel, p.prosrc ilike '%exception%' "
        "from pg_proc p join pg_language l on l.oid = p.prolang "
        "where p.proname like 'try\\_cast\\_%' order by 1"
    )
    assert [r[0] for r in rows] == [
        "try_cast_date",
        "try_cast_double",
        "try_cast_integer",
        "try_cast_timestamptz",
    ]
    for name, _language, parallel, has_exception_block in rows:
        assert not (has_exception_block and parallel != "u"), name


def test_postgres_parallel_kpis_equal_truth(world: Path, parallel_postgres: BuiltWarehouse) -> None:
    rows = parallel_postgres.query(KPI_QUERY)
    differences = compare(truth_kpis(world), rows)
    assert not differences, report(differences)


def test_postgres_parallel_marts_equal_the_duckdb_build(
    parallel_postgres: BuiltWarehouse, duckdb_marts: BuiltWarehouse
) -> None:
    tables = [
        name
        for (name,) in duckdb_marts.query(
            "select table_name from information_schema.tables "
            "where table_schema = 'marts' order by 1"
        )
    ]
    assert len(tables) >= 15, tables
    differing = {}
    for table in tables:
        columns = [
            name
            for (name,) in duckdb_marts.query(
                "select column_name from information_schema.columns where table_schema = "
                f"'marts' and table_name = '{table}' order by ordinal_position"
            )
            if name not in LANDING_TIME_COLUMNS
        ]
        quoted = ", ".join(f'"{column}"' for column in columns)
        select = f'select {quoted} from marts."{table}"'
        duck = sorted(map(_normalised, duckdb_marts.query(select)), key=repr)
        pg = sorted(map(_normalised, parallel_postgres.query(select)), key=repr)
        assert duck, f"marts.{table} is empty on DuckDB"
        if duck != pg:
            differing[table] = _first_difference(columns, duck, pg)
    assert not differing, differing


def _first_difference(columns: list[str], duck: list[tuple], pg: list[tuple]) -> str:
    only_duck = [row for row in duck if row not in pg]
    only_pg = [row for row in pg if row not in duck]
    if len(duck) != len(pg) or not only_duck or not only_pg:
        return f"{len(duck)} rows on DuckDB, {len(pg)} on Postgres; {only_duck[:1]} {only_pg[:1]}"
    cells = [
        f"{name}: duckdb={left!r} postgres={right!r}"
        for name, left, right in zip(columns, only_duck[0], only_pg[0], strict=True)
        if left != right
    ]
    return f"{len(only_duck)} rows differ, e.g. {only_duck[0][0]!r}: " + "; ".join(cells)


def _normalised(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """One value representation for both drivers: numbers to 12 significant digits (DuckDB
    DOUBLE vs Postgres NUMERIC/float sums), timestamps in UTC."""
    out: list[Any] = []
    for value in row:
        if isinstance(value, bool) or value is None or isinstance(value, str):
            out.append(value)
        elif isinstance(value, int | float | Decimal):
            number = float(value)
            out.append(number if math.isnan(number) or number == 0 else float(f"{number:.12g}"))
        elif isinstance(value, datetime):
            out.append(value.timestamp() if value.tzinfo else value.isoformat())
        elif isinstance(value, date):
            out.append(value.isoformat())
        else:
            out.append(repr(value))
    return tuple(out)


# Inputs where PostgreSQL's input functions are subtle (signs, spaces, radix prefixes,
# underscores, overflow, special words, time zones, calendar errors, non-ASCII digits).
TRICKY_INPUTS = (
    *("1", " 1 ", "+1", "-0", "1.0", "1.5", "1e3", "0x1F", "1_000", "0o17", "0b101"),
    *("2147483647", "2147483648", "-2147483649", "00012", "\t7\n", "１２", "\u3000 12", ""),
    *(".5", "5.", "1E-3", "NaN", "-inf", "+Infinity", "1e400", "1e-400", "4.9e-324", "1,000"),
    *("2026-03-01", "2026/03/01", "20260301", "2026-02-29", "2024-02-29", "March 1 2026"),
    *("0000-01-01", "2026-03-01 BC", "epoch", " infinity", "now", "2026-13-01", "26-03-01"),
    *("2026-03-01T09:15:00.000+0000", "2026-03-01T09:15:00Z", "2026-03-01T09:15:00+09:00"),
    *("2026-03-01T24:00:00Z", "2026-03-01T09:15:60Z", "2026-03-01T09:15:00 Asia/Tokyo"),
    *("2026-03-01T09:15:00 Mars/Phobos", "2026-03-01T09:15:00+16:00", "not a date", "abc"),
)


def test_postgres_parallel_casts_equal_the_exception_block_reference(
    parallel_postgres: BuiltWarehouse,
) -> None:
    """The installed helpers (run in parallel mode) against the cast in an EXCEPTION block
    (run serially). On PostgreSQL 15 and older they are that block, declared parallel unsafe;
    from 16 on they check with pg_input_is_valid first (also checked there by hand on 18.6)."""
    setting = parallel_setting(parallel_postgres.location)
    types = {"integer": "integer", "double": "double precision", "date": "date"}
    types["timestamptz"] = "timestamptz"
    with psycopg.connect(parallel_postgres.location) as con:
        con.execute("set TimeZone = 'UTC'")
        for suffix, type_name in types.items():
            con.execute(
                f"create function pg_temp.reference_{suffix}(value text) returns {type_name} "
                "language plpgsql stable strict parallel unsafe as $$ begin "
                "if value ~* '^\\s*[-+]?(now|today|tomorrow|yesterday|epoch|infinity|allballs)"
                f"\\s*$' and '{type_name}' in ('date', 'timestamptz') then return null; end if; "
                f"return cast(value as {type_name}); "
                "exception when data_exception then return null; end $$"
            )
        differences = []
        for suffix in types:
            for value in TRICKY_INPUTS:
                con.execute(f"set {setting} = on")
                (installed,) = con.execute(
                    f"select public.try_cast_{suffix}(%s)::text", [value]
                ).fetchone()
                con.execute(f"set {setting} = off")
                (reference,) = con.execute(
                    f"select pg_temp.reference_{suffix}(%s)::text", [value]
                ).fetchone()
                if installed != reference:
                    differences.append((suffix, value, installed, reference))
    assert not differences, differences
