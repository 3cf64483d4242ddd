"""Faults in combination: the pipeline finishes and its marts equal the fault-free run's.

The same run carries a sentinel credential (sandbox and pipeline share it): it must appear in
no output, no Dagster storage, no dbt log or artifact, no data docs and no warehouse file.
"""

import time
from pathlib import Path

import pytest

from orchestration.env import DBT_PROJECT_DIR

from .fault_counter import FaultCounter
from .scoreboard import SCOREBOARD
from .secrets_scan import duckdb_tables_containing, files_containing
from .support import diff_snapshots, mart_snapshot, pipeline_env, quarantine_count, run_pipeline

SENTINEL = "SENTINEL-rel8-q7Zx-never-print"


def _combined_faults(seed: int, heavy: bool):  # type: ignore[no-untyped-def]
    from sandbox.fakes import FaultConfig

    scale = 2.0 if heavy else 1.0
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


def _use_sentinel_credentials(sandbox) -> None:  # type: ignore[no-untyped-def]
    """Make the fakes accept only sentinel secrets, so the pipeline must hold them."""
    sandbox.fakes["salesforce"].credentials["password"] = SENTINEL + "-sf-password"
    sandbox.fakes["salesforce"].credentials["client_secret"] = SENTINEL + "-sf-client"
    sandbox.fakes["marketo"].credentials["client_secret"] = SENTINEL + "-mkto"
    gong = sandbox.fakes["gong"]
    gong.credentials["access_key_secret"] = SENTINEL + "-gong"
    gong.valid_keys = {gong.credentials["access_key"]: SENTINEL + "-gong"}


def _faulty_run(world: Path, reference: Path, run_dir: Path, seed: int, heavy: bool) -> None:
    from sandbox.serve import running

    started = time.time()
    with running(world, faults=_combined_faults(seed, heavy)) as sandbox:
        _use_sentinel_credentials(sandbox)
        counter = FaultCounter(sandbox)
        env = pipeline_env(run_dir, sandbox.env)
        assert SENTINEL in env["SALESFORCE_PASSWORD"] and SENTINEL in env["GONG_ACCESS_KEY_SECRET"]
        outcome = run_pipeline(env)
        faults = counter.finish()
    SCOREBOARD.trials += 1
    SCOREBOARD.faults.update(faults)
    assert outcome.success, outcome.describe()
    assert sum(faults.values()) >= 5, f"too few faults were injected to mean anything: {faults}"

    # Marts: every KPI and every mart table equal the fault-free run's.
    differences = diff_snapshots(
        mart_snapshot(run_dir / "published.duckdb"), mart_snapshot(reference / "published.duckdb")
    )
    assert not differences, differences[:20]
    assert quarantine_count(run_dir / "warehouse.duckdb") == 0

    # Secrets: nowhere in what the run left behind.
    texts = {"stdout": outcome.stdout, "stderr": outcome.stderr}
    leaked = [name for name, text in texts.items() if SENTINEL in text]
    leaked += files_containing(SENTINEL, [run_dir])  # warehouse, published, Dagster home, docs
    leaked += files_containing(
        SENTINEL, [DBT_PROJECT_DIR / "target", DBT_PROJECT_DIR / "logs"], newer_than=started - 1
    )
    for database in ("warehouse.duckdb", "published.duckdb"):
        leaked += duckdb_tables_containing(SENTINEL, run_dir / database)
    assert not leaked, f"the sentinel secret leaked into: {leaked}"


def test_combined_faults_give_the_fault_free_marts_and_leak_no_secret(
    world: Path, reference: Path, tmp_path: Path
) -> None:
    _faulty_run(world, reference, tmp_path, seed=3, heavy=False)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [5, 8, 13])
def test_heavier_combined_faults_many_seeds(
    world: Path, reference: Path, tmp_path: Path, seed: int
) -> None:
    _faulty_run(world, reference, tmp_path, seed=seed, heavy=True)
