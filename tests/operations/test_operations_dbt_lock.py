"""The dbt step waits again when another process takes the DuckDB file between its wait for
the lock and dbt opening it, and names the holder when the lock outlasts the timeout.

The race is made certain instead of likely: the step's first wait is skipped (as if the file
had been free for that instant) while a real process holds DuckDB's lock, so dbt itself meets
the lock. The step builds one dbt seed, which needs no raw data.
"""

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import dagster as dg
import duckdb
import pytest

import orchestration.defs.transform.assets as transform_assets
from tests.connectors.test_duckdb_lock import _hold_lock  # a real process holding the lock

SEED = dg.AssetKey(["seeds", "rep_team_mapping"])


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(path)).close()
    monkeypatch.setenv("WAREHOUSE_PATH", str(path))
    monkeypatch.setenv("WAREHOUSE_TARGET", "duckdb")
    yield path


class SkippedFirstWait:
    """Stands in for the step's wait for the lock: the first returns at once, later ones are
    real. Records the timeout each was given; `waiting_again` is set by the second."""

    def __init__(self) -> None:
        self.timeouts: list[float] = []
        self.waiting_again = threading.Event()
        self._real = transform_assets.connect_duckdb

    def __call__(self, path: Path, *, timeout: float) -> object:
        self.timeouts.append(timeout)
        if len(self.timeouts) == 1:
            return duckdb.connect(":memory:")  # as if the file had been free for that instant
        self.waiting_again.set()
        return self._real(path, timeout=timeout)


@pytest.fixture
def first_wait_skipped(monkeypatch: pytest.MonkeyPatch) -> SkippedFirstWait:
    wait = SkippedFirstWait()
    monkeypatch.setattr(transform_assets, "connect_duckdb", wait)
    return wait


def _build_seed() -> tuple[dg.ExecuteInProcessResult, list[str]]:
    from orchestration.definitions import defs

    instance = dg.DagsterInstance.ephemeral()
    job = defs().resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(instance=instance, asset_selection=[SEED], raise_on_error=False)
    messages = [r.user_message for r in instance.all_logs(result.run_id)]
    return result, messages


def _failure(result: dg.ExecuteInProcessResult) -> str:
    failures = [e for e in result.all_events if e.is_step_failure]
    assert failures, "the step did not fail"
    return failures[0].step_failure_data.error.message  # type: ignore[union-attr]


def test_operations_dbt_losing_the_lock_race_waits_again_and_builds(
    warehouse: Path,
    first_wait_skipped: SkippedFirstWait,
    monkeypatch: pytest.MonkeyPatch,
    dbt_manifest: Path,
) -> None:
    monkeypatch.setenv("WAREHOUSE_LOCK_TIMEOUT_SECONDS", "300")
    holder = _hold_lock(warehouse, seconds=600)
    with ThreadPoolExecutor(max_workers=1) as pool:
        build = pool.submit(_build_seed)
        try:
            # dbt met the lock and the step waits for it again: now the holder lets go.
            assert first_wait_skipped.waiting_again.wait(timeout=240), "dbt never met the lock"
        finally:
            holder.kill()
            holder.wait()
        result, messages = build.result(timeout=300)
    assert result.success, [e.message for e in result.all_events if e.is_failure][:3]
    lost = [m for m in messages if "waiting for the lock again" in m]
    assert lost and f"PID {holder.pid}" in lost[0], messages[-10:]
    # The second wait got what was left of the one deadline, not a new full timeout.
    timeouts = first_wait_skipped.timeouts
    assert len(timeouts) == 2 and timeouts[1] < timeouts[0]
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("select count(*) from seeds.rep_team_mapping").fetchone()[0] > 0
    con.close()


def test_operations_dbt_lock_held_past_the_timeout_names_the_holder(
    warehouse: Path,
    first_wait_skipped: SkippedFirstWait,
    monkeypatch: pytest.MonkeyPatch,
    dbt_manifest: Path,
) -> None:
    monkeypatch.setenv("WAREHOUSE_LOCK_TIMEOUT_SECONDS", "6")
    holder = _hold_lock(warehouse, seconds=120)
    started = time.monotonic()
    try:
        result, _ = _build_seed()
    finally:
        holder.kill()
        holder.wait()
    message = _failure(result)
    assert f"PID {holder.pid}" in message and "python" in message, message
    assert "WAREHOUSE_LOCK_TIMEOUT_SECONDS" in message
    assert "Check WAREHOUSE_PATH" not in message  # not a bad path: someone else holds the file
    assert time.monotonic() - started < 120  # gave up at the deadline, not with the holder
