"""The production deployment of deploy/: Dagster's run, event-log and schedule storage in
PostgreSQL (deploy/dagster.yaml copied verbatim, its settings from the environment), the
warehouse in PostgreSQL too, `dagster-daemon` starting a `full_pipeline` run launched with
`dagster job launch`."""

import shutil
import uuid
from pathlib import Path

import dagster as dg
import psycopg
import pytest

from sandbox.serve import running
from tests.dbt.warehouses import scratch_postgres_database

from .processes import (
    REPO_ROOT,
    daemon,
    launch,
    log_messages,
    pipeline_env,
    run_status,
    wait_for,
)

DEPLOY_INSTANCE = REPO_ROOT / "deploy" / "dagster.yaml"
FINISHED = (dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE)


@pytest.mark.postgres
def test_operations_daemon_on_postgres_storage_runs_full_pipeline(
    ops_world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dbt_manifest: Path
) -> None:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(DEPLOY_INSTANCE, home / "dagster.yaml")
    run_id = str(uuid.uuid4())
    with (
        scratch_postgres_database() as dagster_db,
        scratch_postgres_database() as warehouse_db,
        running(ops_world) as sandbox,
    ):
        storage = {
            "DAGSTER_PG_HOST": "127.0.0.1",
            "DAGSTER_PG_PORT": "5432",
            "DAGSTER_PG_DB": dagster_db,
            "DAGSTER_PG_USER": "postgres",
            "DAGSTER_PG_PASSWORD": "",  # trust authentication on this machine
        }
        env = {
            **pipeline_env(home, tmp_path, sandbox.env),
            **storage,
            "WAREHOUSE_TARGET": "postgres",
            "WAREHOUSE_POSTGRES_DSN": f"postgresql://postgres@127.0.0.1:5432/{warehouse_db}",
        }
        for name, value in {**storage, "DAGSTER_HOME": str(home)}.items():
            monkeypatch.setenv(name, value)
        with daemon(env, tmp_path / "daemon.log"), dg.DagsterInstance.get() as instance:
            assert type(instance.run_storage).__name__ == "PostgresRunStorage"
            assert instance.run_monitoring_enabled
            launch("full_pipeline", env, run_id)
            status, _ = wait_for(
                "the run to finish",
                lambda: run_status(instance, run_id) in FINISHED and run_status(instance, run_id),
                timeout=600,
                every=1.0,
            )
            # Where the run's time went, for the test output.
            records = instance.all_logs(run_id)
            for record in records:
                kind = record.dagster_event_type
                if kind and kind.name.startswith(("RUN_", "STEP_START", "STEP_SUCCESS")):
                    offset = record.timestamp - records[0].timestamp
                    print(f"{offset:6.1f} s  {kind.name} {record.step_key or ''}")
            errors = [m for m in log_messages(instance, run_id, "extract_sources") if "rror" in m]
            failed = [r for r in records if r.is_dagster_event and r.get_dagster_event().is_failure]
        assert status == dg.DagsterRunStatus.SUCCESS, (errors + [r.message for r in failed])[-5:]
        dagster_dsn = f"postgresql://postgres@127.0.0.1:5432/{dagster_db}"
        with psycopg.connect(dagster_dsn) as con:
            # The run, its events and the daemons' heartbeats are in PostgreSQL, not in files.
            assert con.execute("select status from runs where run_id = %s", [run_id]).fetchone()
            events = con.execute("select count(*) from event_logs where run_id = %s", [run_id])
            assert events.fetchone()[0] > 100
            assert con.execute("select count(*) from daemon_heartbeats").fetchone()[0] >= 3
        warehouse_dsn = env["WAREHOUSE_POSTGRES_DSN"]
        with psycopg.connect(warehouse_dsn) as con:
            kpis = con.execute("select count(*) from marts.kpi_monthly_long").fetchone()[0]
        assert kpis > 100
    assert not list(home.glob("storage/**/*.db")), "the instance fell back to SQLite files"
