"""Gong calls: lookback re-reads, the reconciling full scan, deleted calls, crash mid-scan."""

import json
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from connectors.core.timeutil import parse_datetime
from connectors.landing.duckdb import DuckDBDestination
from connectors.run import close_readers, extract_stream

from .sandbox_support import latest_versions, make_world

serve = pytest.importorskip("sandbox.serve")

FAST = {"CONNECTORS_BACKOFF_MAX": "0.2", "CONNECTORS_READ_TIMEOUT": "1.5"}
RECONCILE_NOW = {"GONG_CALLS_RECONCILE_HOURS": "0"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_world(tmp_path_factory.mktemp("gong-world") / "data", leads=400, seed=3)


@pytest.fixture(autouse=True)
def _fresh_readers():
    close_readers()
    yield
    close_readers()


def _calls(dest: DuckDBDestination, env: dict[str, str], run_id: str, **kwargs):
    close_readers()  # settings differ between runs: a fresh reader each time
    return extract_stream("gong", "calls", destination=dest, run_id=run_id, env=env, **kwargs)


def _state(path: Path) -> dict:
    con = duckdb.connect(str(path), read_only=True)
    try:
        row = con.execute(
            "select state from meta.stream_state where source = 'gong' and stream = 'calls'"
        ).fetchall()
    finally:
        con.close()
    return json.loads(row[0][0])


def _flagged_deleted(path: Path) -> set[str]:
    """staging's rule: last landing older than the last completed full scan."""
    state = _state(path)
    scan = parse_datetime(state["full_scan_started_at"])
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            "select id from raw.gong__calls group by id having max(_extracted_at) < ?", [scan]
        ).fetchall()
    finally:
        con.close()
    return {r[0] for r in rows}


def test_incremental_pass_rereads_only_the_lookback_window(world: Path, tmp_path: Path) -> None:
    with serve.running(world) as sb:
        dest = DuckDBDestination(tmp_path / "w.duckdb")
        env = {**sb.env, **FAST}
        first = _calls(dest, env, "run-1")
        assert first.records_sent == first.loaded > 100
        assert _state(tmp_path / "w.duckdb")["full_scan_started_at"]  # the first run is a scan
        starts = sorted(parse_datetime(c["metaData"]["started"]) for c in sb.fakes["gong"].calls)
        window = starts[-1] - timedelta(hours=72)
        in_window = sum(1 for s in starts if s >= window.replace(microsecond=0))
        second = _calls(dest, env, "run-2")
        assert second.records_sent == in_window < first.records_sent
        assert second.cursor_after == first.cursor_after  # the cursor never moves back
        no_lookback = _calls(dest, {**env, "GONG_CALLS_LOOKBACK_HOURS": "0"}, "run-3")
        assert no_lookback.records_sent <= 3  # only the calls sharing the cursor's second


def test_reconciling_scan_lands_old_edits_and_flags_deleted_calls(
    world: Path, tmp_path: Path
) -> None:
    path = tmp_path / "w.duckdb"
    with serve.running(world) as sb:
        dest = DuckDBDestination(path)
        env = {**sb.env, **FAST}
        _calls(dest, env, "run-1")
        touched = sb.mutate("gong", modify=6, delete=4, create=2, seed=5)["calls"]
        _calls(dest, env, "incremental")  # reconcile not due: old edits not seen yet
        stale = [i for i in touched["modified"] if "(updated)" not in latest(path)[i]]
        assert stale, "the mutation should have touched calls older than the lookback"
        assert _flagged_deleted(path) == set()
        result = _calls(dest, {**env, **RECONCILE_NOW}, "reconcile")
        assert result.records_sent == len(sb.fakes["gong"].calls)
    after = latest(path)
    for call_id in touched["modified"]:
        assert "(updated)" in after[call_id]
    assert set(touched["created"]) <= set(after)
    assert _flagged_deleted(path) == set(touched["deleted"])


def latest(path: Path) -> dict[str, str]:
    return latest_versions(path)["gong__calls"]


class _Crash(Exception):
    pass


def test_scan_killed_midway_resumes_and_only_then_counts_as_complete(
    world: Path, tmp_path: Path
) -> None:
    path = tmp_path / "w.duckdb"
    with serve.running(world) as sb:
        dest = DuckDBDestination(path)
        env = {**sb.env, **FAST}
        _calls(dest, env, "run-1")
        first_scan = _state(path)["full_scan_started_at"]
        deleted = sb.mutate("gong", delete=3, seed=9)["calls"]["deleted"]

        def crash_after_first_page(result) -> None:
            raise _Crash

        with pytest.raises(_Crash):
            _calls(dest, {**env, **RECONCILE_NOW}, "killed", on_page=crash_after_first_page)
        midway = _state(path)
        assert midway["scan_started_at"] and midway["full_scan_started_at"] == first_scan
        assert _flagged_deleted(path) == set()  # an unfinished scan proves nothing
        resumed = _calls(dest, env, "resumed")  # not due by the clock, but a scan is open
        assert 0 < resumed.records_sent < len(sb.fakes["gong"].calls)
        done = _state(path)
        assert "scan_started_at" not in done
        assert done["full_scan_started_at"] == midway["scan_started_at"]
    assert _flagged_deleted(path) == set(deleted)
    assert set(latest(path)) >= {c["metaData"]["id"] for c in sb.fakes["gong"].calls}
