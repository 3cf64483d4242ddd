"""The published copy: complete, atomic, and readable while the next one is being written."""

import multiprocessing as mp
import time
from pathlib import Path

import duckdb
import pytest

from dwh.publish import publish_marts
from dwh.settings import WarehouseSettings


def _make_warehouse(path: Path, rows: int) -> None:
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists marts")
    con.execute(
        "create or replace table marts.kpi_monthly_long as "
        "select 'calls' as kpi, range as value from range(?)",
        [rows],
    )
    con.execute("create or replace view marts.v_calls as select * from marts.kpi_monthly_long")
    con.execute("create schema if not exists staging")
    con.execute("create or replace table staging.not_published as select 1 as x")
    con.close()


def test_publish_copies_marts_tables_and_views_only(tmp_path: Path) -> None:
    warehouse, published = tmp_path / "w.duckdb", tmp_path / "pub" / "p.duckdb"
    _make_warehouse(warehouse, 5)
    result = publish_marts(published_path=published, run_id="r1", warehouse_path=warehouse)
    assert result.tables == {"kpi_monthly_long": 5, "v_calls": 5}
    con = duckdb.connect(str(published), read_only=True)
    tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    assert tables == {"kpi_monthly_long", "v_calls", "_publish_info"}
    assert con.execute("select run_id from marts._publish_info").fetchone() == ("r1",)
    con.close()
    assert not list(published.parent.glob(".*.tmp*")), "temporary files must not be left behind"


def test_publish_refuses_an_empty_schema_and_keeps_the_previous_copy(tmp_path: Path) -> None:
    warehouse, published = tmp_path / "w.duckdb", tmp_path / "p.duckdb"
    _make_warehouse(warehouse, 3)
    publish_marts(published_path=published, run_id="good", warehouse_path=warehouse)
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(RuntimeError, match="no tables to publish"):
        publish_marts(published_path=published, run_id="bad", warehouse_path=empty)
    con = duckdb.connect(str(published), read_only=True)
    assert con.execute("select run_id from marts._publish_info").fetchone() == ("good",)
    con.close()


def _reader(path: str, stop_at: float, out: "mp.Queue[tuple[int, int, list[str]]]") -> None:
    reads, errors, messages = 0, 0, []
    while time.monotonic() < stop_at:
        try:
            con = duckdb.connect(path, read_only=True)
            total, n = con.execute(
                "select sum(value), count(*) from marts.kpi_monthly_long"
            ).fetchone()
            con.close()
            # Each generation has rows 0..n-1: a half-written copy would break this identity.
            if total != n * (n - 1) // 2:
                errors += 1
                messages.append(f"inconsistent: n={n} sum={total}")
            reads += 1
        except Exception as exc:  # any error is a failure of the guarantee
            errors += 1
            messages.append(repr(exc))
    out.put((reads, errors, messages[:5]))


def test_concurrent_reader_never_sees_an_error_or_half_state(tmp_path: Path) -> None:
    warehouse, published = tmp_path / "w.duckdb", tmp_path / "p.duckdb"
    _make_warehouse(warehouse, 10)
    publish_marts(published_path=published, run_id="r0", warehouse_path=warehouse)
    ctx = mp.get_context("spawn")
    queue: mp.Queue = ctx.Queue()
    reader = ctx.Process(target=_reader, args=(str(published), time.monotonic() + 6, queue))
    reader.start()
    generations = 0
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        generations += 1
        _make_warehouse(warehouse, 1000 + generations * 97)
        publish_marts(published_path=published, run_id=f"r{generations}", warehouse_path=warehouse)
    reads, errors, messages = queue.get(timeout=30)
    reader.join(timeout=30)
    assert generations >= 3
    assert reads > 10
    assert errors == 0, messages


def test_bi_compat_published_copy_records_its_storage_version_and_source(tmp_path: Path) -> None:
    warehouse, published = tmp_path / "w.duckdb", tmp_path / "p.duckdb"
    _make_warehouse(warehouse, 3)
    publish_marts(
        published_path=published, run_id="r", warehouse_path=warehouse, storage_version="v1.1.0"
    )
    con = duckdb.connect(str(published), read_only=True)
    info = con.execute("select source_target, storage_version from marts._publish_info")
    assert info.fetchone() == ("duckdb", "v1.1.0")
    tags = con.execute("select tags from duckdb_databases() where database_name = 'p'").fetchone()
    con.close()
    assert tags[0]["storage_version"] == "v1.0.0+"  # DuckDB's name for the format 1.0-1.1 read


@pytest.mark.parametrize("value", ["1.1.0", "v9.9.9", "v1.1", "'; drop table x; --"])
def test_bi_compat_storage_version_setting_is_validated_naming_the_variable(value: str) -> None:
    with pytest.raises(ValueError, match="WAREHOUSE_PUBLISHED_STORAGE_VERSION"):
        WarehouseSettings.from_env({"WAREHOUSE_PUBLISHED_STORAGE_VERSION": value})


def test_bi_compat_warehouse_path_with_a_quote_is_bound_not_spliced(tmp_path: Path) -> None:
    folder = tmp_path / "it's here"
    folder.mkdir()
    warehouse, published = folder / "w.duckdb", folder / "p.duckdb"
    _make_warehouse(warehouse, 4)
    result = publish_marts(published_path=published, run_id="q", warehouse_path=warehouse)
    assert result.tables["kpi_monthly_long"] == 4


def test_publish_runs_within_its_duckdb_budget(tmp_path: Path) -> None:
    """WAREHOUSE_PUBLISH_MEMORY_LIMIT / _THREADS bound the copy (it spills above the limit);
    a value that is no size never reaches DuckDB's SET."""
    warehouse, published = tmp_path / "w.duckdb", tmp_path / "p.duckdb"
    _make_warehouse(warehouse, 200_000)
    settings = WarehouseSettings.for_duckdb(
        warehouse,
        WAREHOUSE_PUBLISHED_PATH=str(published),
        WAREHOUSE_PUBLISH_MEMORY_LIMIT="64MB",
        WAREHOUSE_PUBLISH_THREADS="1",
    )
    assert (settings.publish_memory_limit, settings.publish_threads) == ("64MB", 1)
    result = publish_marts(
        published_path=published,
        run_id="budget",
        warehouse_path=warehouse,
        memory_limit=settings.publish_memory_limit,
        threads=settings.publish_threads,
    )
    assert result.tables["kpi_monthly_long"] == 200_000
    with pytest.raises(ValueError, match="memory_limit"):
        publish_marts(
            published_path=published, run_id="x", warehouse_path=warehouse, memory_limit="1GB'"
        )
    assert not list(tmp_path.glob(".*.spill")), "the spill directory must not be left behind"
