"""Extraction reports per-stream records, pages and rate to the Dagster event log while the
step runs, not only when it ends; the per-stream counts stay materialization metadata."""

import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

import orchestration.defs.ingestion.assets as ingestion_assets
from connectors.registry import STREAMS
from connectors.run import StreamResult
from orchestration.lib.progress import ExtractionProgress, reporting
from orchestration.lib.translator import ingestion_asset_key
from sandbox.fakes.faults import FaultConfig
from sandbox.serve import running

EXTRACT = "extract_sources"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _result(source: str, stream: str, records: int, pages: int, seconds: float) -> StreamResult:
    return StreamResult(source, stream, records_sent=records, pages=pages, seconds=seconds)


def test_operations_progress_lines_name_each_stream_its_counts_and_rate() -> None:
    clock = Clock()
    progress = ExtractionProgress(
        {"salesforce": ["account", "lead"], "gong": ["calls", "users"]}, clock=clock
    )
    assert progress.lines() == [
        "salesforce: waiting for its first page (0 s)",
        "gong: waiting for its first page (0 s)",
    ]
    progress.on_page(_result("salesforce", "account", 2000, 1, 2.0))
    progress.on_page(_result("salesforce", "account", 4000, 2, 4.0))
    clock.now += 5
    assert progress.lines() == [
        "salesforce.account: 4,000 records, 2 pages, 1,000 records/s, stream 1 of 2, "
        "last page 5 s ago",
        "gong: waiting for its first page (5 s)",
    ]
    progress.on_page(_result("salesforce", "lead", 300, 1, 0.5))
    progress.on_page(_result("gong", "calls", 100, 1, 0.25))
    assert progress.lines() == [
        "salesforce.account: 4,000 records, 2 pages, 1,000 records/s, stream 1 of 2 (done)",
        "salesforce.lead: 300 records, 1 page, 600 records/s, stream 2 of 2",
        "gong.calls: 100 records, 1 page, 400 records/s, stream 1 of 2",
    ]
    # A finished stream is announced once.
    assert not any("(done)" in line for line in progress.lines())


def test_operations_reporting_emits_while_the_block_runs_and_stops_after() -> None:
    progress = ExtractionProgress({"gong": ["calls"]})
    emitted: list[str] = []
    with reporting(progress, emitted.append, every=0.05):
        time.sleep(0.5)
        during = len(emitted)
    time.sleep(0.2)
    assert during >= 3  # every 50 ms while the block ran
    assert len(emitted) == during  # nothing after it ended


@pytest.fixture
def fast_reports(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(ingestion_assets, "PROGRESS_SECONDS", 1.0)
    yield


def test_operations_progress_reaches_the_event_log_before_the_step_ends(
    ops_world: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fast_reports: None,
    dbt_manifest: Path,
) -> None:
    """All three sources side by side, every vendor request slowed to 0.3 s."""
    monkeypatch.setenv("WAREHOUSE_PATH", str(tmp_path / "warehouse.duckdb"))
    slow = FaultConfig(timeout_rate=1.0, timeout_seconds=0.3, timeout_mode="sleep")
    with running(ops_world, faults=slow) as sandbox:
        for name, value in sandbox.env.items():
            monkeypatch.setenv(name, value)
        from orchestration.definitions import defs

        keys = [ingestion_asset_key(s, st.name) for s, streams in STREAMS.items() for st in streams]
        instance = dg.DagsterInstance.ephemeral()
        result = (
            defs()
            .resolve_implicit_global_asset_job_def()
            .execute_in_process(instance=instance, asset_selection=keys, raise_on_error=False)
        )
    assert result.success
    records = [r for r in instance.all_logs(result.run_id) if r.step_key == EXTRACT]
    ended = next(
        r.timestamp for r in records if r.dagster_event_type == dg.DagsterEventType.STEP_SUCCESS
    )
    first_materialization = next(
        r.timestamp
        for r in records
        if r.dagster_event_type == dg.DagsterEventType.ASSET_MATERIALIZATION
    )
    progress = [r for r in records if not r.is_dagster_event and "records/s" in r.user_message]
    print(
        *(f"{r.timestamp - progress[0].timestamp:5.1f} s  {r.user_message}" for r in progress),
        sep="\n",
    )
    # Several reports, spread over the extraction, all before its results were materialized.
    assert len({round(r.timestamp) for r in progress}) >= 3
    assert all(r.timestamp < first_materialization <= ended for r in progress)
    assert ended - progress[0].timestamp >= 2.0
    reported = {line.split(":")[0] for line in (r.user_message for r in progress)}
    assert {"salesforce", "marketo", "gong"} <= {name.split(".")[0] for name in reported}
    # The per-stream counts are still the materializations' metadata.
    materialized = result.asset_materializations_for_node(EXTRACT)
    assert len(materialized) == len(keys)
    assert all({"records_sent", "pages", "loaded"} <= set(m.metadata) for m in materialized)
