"""Re-sync one stream: full re-read or from a time, recorded, refused while another process
writes the warehouse; from the CLI and as a Dagster job with run config."""

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from connectors.landing.duckdb import DuckDBDestination
from connectors.resync import WarehouseBusyError, resync_stream
from connectors.run import close_readers, extract_stream
from dwh.settings import WarehouseSettings
from sandbox.serve import running

from .sandbox_support import make_world
from .test_duckdb_lock import _hold_lock

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_world(tmp_path_factory.mktemp("resync_world"), leads=150, seed=5)


def _extract(world: Path, path: Path, run_id: str):  # type: ignore[no-untyped-def]
    close_readers()
    with running(world) as sandbox:
        result = extract_stream(
            "salesforce", "lead", destination=DuckDBDestination(path), run_id=run_id,
            env=sandbox.env,
        )  # fmt: skip
    close_readers()
    return result


def _resets(path: Path) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(
            "select source, stream, mode, from_time, run_id from meta.stream_resets"
        ).fetchall()
    finally:
        con.close()


def test_operations_resync_full_then_from_a_time(world: Path, tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    first = _extract(world, path, "first")
    assert _extract(world, path, "idle").records_sent <= 1  # only the boundary record again
    warehouse = WarehouseSettings.for_duckdb(path)

    done = resync_stream(warehouse, "salesforce", "lead", since=None, run_id="reset-1")
    assert done.mode == "full" and done.cursor_after is None
    assert done.cursor_before == first.cursor_after
    assert _extract(world, path, "after-full").records_sent == first.records_sent

    since = datetime(2026, 3, 1, tzinfo=UTC)
    done = resync_stream(warehouse, "salesforce", "lead", since=since, run_id="reset-2")
    assert done.mode == "from" and done.cursor_after == "2026-03-01T00:00:00.000000Z"
    again = _extract(world, path, "after-from")
    assert 1 < again.records_sent < first.records_sent  # the records changed since March
    assert [r[2] for r in _resets(path)] == ["full", "from"]
    assert _resets(path)[1][3] == since


def test_operations_resync_refuses_to_move_a_cursor_forward(world: Path, tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    _extract(world, path, "first")
    with pytest.raises(Exception, match="later than the committed cursor"):
        resync_stream(
            WarehouseSettings.for_duckdb(path), "salesforce", "lead",
            since=datetime(2099, 1, 1, tzinfo=UTC), run_id="x",
        )  # fmt: skip


def test_operations_resync_refused_while_another_process_writes(
    world: Path, tmp_path: Path
) -> None:
    path = tmp_path / "w.duckdb"
    _extract(world, path, "first")
    holder = _hold_lock(path, 30)
    try:
        with pytest.raises(WarehouseBusyError, match="refused: another process writes"):
            resync_stream(
                WarehouseSettings.for_duckdb(path), "salesforce", "lead", since=None, run_id="x"
            )
        done = subprocess.run(
            [sys.executable, "-m", "connectors", "resync", "--source", "salesforce",
             "--stream", "lead"],
            cwd=ROOT, env={"WAREHOUSE_PATH": str(path), "PATH": "/usr/bin"},
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == 3, done.stderr
    finally:
        holder.kill()
        holder.wait()


def test_operations_resync_job_takes_run_config_and_tags_the_run(
    world: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    dbt_manifest,  # type: ignore[no-untyped-def]
) -> None:
    path = tmp_path / "w.duckdb"
    _extract(world, path, "first")
    monkeypatch.setenv("WAREHOUSE_PATH", str(path))
    from orchestration.definitions import defs

    instance = dg.DagsterInstance.ephemeral()
    job = defs().resolve_job_def("resync_stream")
    config = {"source": "salesforce", "stream": "lead", "from_time": "2026-04-01T00:00:00Z"}
    result = job.execute_in_process(
        run_config={"ops": {"resync_stream_op": {"config": config}}}, instance=instance
    )
    assert result.success
    tags = instance.get_run_by_id(result.run_id).tags  # type: ignore[union-attr]
    assert tags["resync/stream"] == "salesforce.lead" and tags["resync/mode"] == "from"
    assert tags["resync/cursor_after"] == "2026-04-01T00:00:00.000000Z"
    assert _resets(path)[0][4] == result.run_id

    bad = job.execute_in_process(
        run_config={"ops": {"resync_stream_op": {"config": {"source": "x", "stream": "y"}}}},
        instance=instance,
        raise_on_error=False,
    )
    assert not bad.success
