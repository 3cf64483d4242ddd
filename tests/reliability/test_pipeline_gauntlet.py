"""The whole pipeline (a child process) against the sandbox under faults, crashes and a reader.

One scenario, several hazards at once (each can also run alone, with more trials, under -m slow):
- faults in combination from the fakes (5xx, dropped connections, truncated bodies, expiring
  tokens, 429/606/REQUEST_LIMIT storms, a new vendor field mid-stream);
- SIGKILL at a random moment inside chosen stages (extract+landing, dbt build, checks, publish),
  then a re-run;
- a BI reader in another process querying the published copy read-only all along (the previous
  publication is in place from the start): never an error, never a half-written copy;
- a sentinel credential that the fakes require: it must appear in no output, Dagster storage,
  dbt log or artifact, data docs or warehouse file.
At the end the warehouse equals the fault-free reference run's: every KPI of
marts.kpi_monthly_long and each mart table's checksum, raw without a lost or stale record,
staging without duplicates.
"""

import random
import shutil
import time
from pathlib import Path

import pytest

from dwh.settings import DBT_PROJECT_DIR

from .fault_counter import FaultCounter
from .scoreboard import SCOREBOARD
from .secrets_scan import duckdb_tables_containing, files_containing
from .support import (
    BIReader,
    PipelineOutcome,
    diff_snapshots,
    mart_snapshot,
    pipeline_env,
    published_state,
    quarantine_count,
    raw_latest,
    run_and_kill_in_stage,
    run_pipeline,
    staging_duplicates,
)

SENTINEL = "SENTINEL-rel8-q7Zx-never-print"
# How long after a stage's first step starts the kill may come (seconds): about the stage's
# length at 200 leads, so the kill lands anywhere in it.
MAX_DELAY = {"extract": 4.0, "dbt_build": 12.0, "checks": 3.0, "publish": 0.6}


def combined_faults(seed: int, scale: float = 1.0):  # type: ignore[no-untyped-def]
    from sandbox.fakes import FaultConfig

    return FaultConfig(
        seed=seed,
        server_error_rate=0.06 * scale,
        timeout_rate=0.04 * scale,
        timeout_mode="drop",
        truncate_rate=0.04 * scale,
        token_expiry_every=9,
        rate_limit_rate=0.06 * scale,
        retry_after_seconds=1,
        schema_drift_after=60,
    )


def use_sentinel_credentials(sandbox) -> None:  # type: ignore[no-untyped-def]
    """Make the fakes accept only sentinel secrets, so the pipeline must hold them."""
    sandbox.fakes["salesforce"].credentials["password"] = SENTINEL + "-sf-password"
    sandbox.fakes["salesforce"].credentials["client_secret"] = SENTINEL + "-sf-client"
    sandbox.fakes["marketo"].credentials["client_secret"] = SENTINEL + "-mkto"
    gong = sandbox.fakes["gong"]
    gong.credentials["access_key_secret"] = SENTINEL + "-gong"
    gong.valid_keys = {gong.credentials["access_key"]: SENTINEL + "-gong"}


def _assert_no_leak(run_dir: Path, outputs: list[str], started: float) -> None:
    leaked = [f"output #{n}" for n, text in enumerate(outputs) if SENTINEL in text]
    leaked += files_containing(SENTINEL, [run_dir])  # warehouse, published, Dagster home, docs
    leaked += files_containing(
        SENTINEL, [DBT_PROJECT_DIR / "target", DBT_PROJECT_DIR / "logs"], newer_than=started - 1
    )
    for database in ("warehouse.duckdb", "published.duckdb"):
        leaked += duckdb_tables_containing(SENTINEL, run_dir / database)
    assert not leaked, f"the sentinel secret leaked into: {leaked}"


def _assert_equals_reference(run_dir: Path, reference: Path, context: object) -> None:
    differences = diff_snapshots(
        mart_snapshot(run_dir / "published.duckdb"), mart_snapshot(reference / "published.duckdb")
    )
    assert not differences, (context, differences[:20])
    expected = raw_latest(reference / "warehouse.duckdb")
    actual = raw_latest(run_dir / "warehouse.duckdb")
    lost = sum(len(set(rows) - set(actual.get(t, {}))) for t, rows in expected.items())
    # Schema drift adds a field to later records: compare without it.
    stale = sum(
        1
        for t, rows in expected.items()
        for i, raw in rows.items()
        if i in actual.get(t, {}) and _without_drift(actual[t][i]) != _without_drift(raw)
    )
    duplicated = sum(staging_duplicates(run_dir / "warehouse.duckdb").values())
    SCOREBOARD.records_lost += lost
    SCOREBOARD.records_duplicated += duplicated
    assert (lost, stale, duplicated) == (0, 0, 0), context
    assert set(actual) == set(expected)
    assert quarantine_count(run_dir / "warehouse.duckdb") == 0


def _without_drift(raw: str) -> object:
    import json

    record = json.loads(raw)
    if isinstance(record, dict):
        record.pop("Sandbox_Drift__c", None)
        record.pop("sandboxDrift", None)
        if isinstance(record.get("metaData"), dict):
            record["metaData"].pop("sandboxDrift", None)
    return record


def gauntlet(
    world: Path,
    reference: Path,
    run_dir: Path,
    *,
    kills: list[str],
    fault_seed: int | None,
    with_sentinel: bool,
    seed: int,
    require_every_kill: bool = False,
) -> None:
    from sandbox.serve import running

    rng = random.Random(seed)
    started = time.time()
    published = run_dir / "published.duckdb"
    # The previous run's publication: a BI tool is reading it when the trouble begins.
    shutil.copy2(reference / "published.duckdb", published)
    faults = combined_faults(fault_seed) if fault_seed is not None else None
    landed_kills: list[tuple[str, str]] = []
    outputs: list[str] = []
    with running(world, faults=faults) as sandbox, BIReader(published, run_dir) as reader:
        if with_sentinel:
            use_sentinel_credentials(sandbox)
        counter = FaultCounter(sandbox)
        env = pipeline_env(run_dir, sandbox.env)
        for stage in kills:
            killed, step = run_and_kill_in_stage(env, stage, rng, MAX_DELAY[stage], outputs)
            SCOREBOARD.trials += 1
            if killed:
                landed_kills.append((stage, step))
                SCOREBOARD.faults[f"sigkill_{stage}"] += 1
            published_state(published)  # the copy BI reads is whole after every kill
        final: PipelineOutcome = run_pipeline(env)
        SCOREBOARD.trials += 1
        injected = counter.finish()
    SCOREBOARD.faults.update(injected)
    SCOREBOARD.reader_queries += reader.report["queries"]
    SCOREBOARD.reader_errors += len(reader.report["errors"])
    context = {"kills": landed_kills, "faults": dict(injected)}

    assert final.success, (context, final.describe())
    final.count_records()
    if kills:
        assert landed_kills, "no kill landed: the test proved nothing"
    if require_every_kill:
        assert [stage for stage, _ in landed_kills] == kills, context
    if fault_seed is not None:
        assert sum(injected.values()) >= 5, f"too few faults to mean anything: {injected}"
    assert not reader.report["errors"], reader.report["errors"][:5]
    assert reader.report["queries"] > 0
    assert published_state(published)[0] == final.result["run_id"]  # type: ignore[index]
    _assert_equals_reference(run_dir, reference, context)
    if with_sentinel:
        _assert_no_leak(run_dir, [*outputs, final.stdout, final.stderr], started)


def test_faults_kills_reader_and_secret_together(
    world: Path, reference: Path, tmp_path: Path
) -> None:
    gauntlet(
        world,
        reference,
        tmp_path,
        kills=["extract", "dbt_build"],
        fault_seed=3,
        with_sentinel=True,
        seed=1,
        require_every_kill=True,
    )


@pytest.mark.slow
@pytest.mark.parametrize("fault_seed", [5, 8, 13])
def test_combined_faults_alone_many_seeds(
    world: Path, reference: Path, tmp_path: Path, fault_seed: int
) -> None:
    gauntlet(
        world, reference, tmp_path, kills=[], fault_seed=fault_seed, with_sentinel=True, seed=0
    )


@pytest.mark.slow
@pytest.mark.parametrize("trial", range(3))
def test_sigkill_in_every_stage_many_trials(
    world: Path, reference: Path, tmp_path: Path, trial: int
) -> None:
    plan = ["extract", "extract", "dbt_build", "checks", "publish"]
    random.Random(trial).shuffle(plan)
    gauntlet(
        world, reference, tmp_path, kills=plan, fault_seed=None, with_sentinel=False, seed=trial
    )
