"""Materialise the whole graph in-process against the sandbox; read KPIs from the published copy."""

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb
import psycopg
import pytest

from sandbox.serve import running
from sandbox.world import generate


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("world"), leads=300, seed=7)


@pytest.fixture
def postgres_dsn() -> Iterator[str]:
    """A scratch UTF8 database on the machine's PostgreSQL server, dropped afterwards."""
    name = f"pipeline_{uuid.uuid4().hex[:10]}"
    admin = "postgresql://postgres@127.0.0.1:5432/postgres"
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f"create database {name} encoding 'UTF8' template template0")
    yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f"drop database if exists {name} with (force)")


def test_full_pipeline_publishes_kpis_equal_to_the_truth(
    world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dbt_manifest
) -> None:  # type: ignore[no-untyped-def]
    """Also: dbt vars set in the run config override dbt_project.yml for this run only (here
    weeks start on Sunday instead of Monday; the monthly KPIs do not depend on it)."""
    run_config = {
        "ops": {"warehouse_dbt_models": {"config": {"vars": {"week_start_day": "sunday"}}}}
    }
    published = _run_and_compare(world, tmp_path, monkeypatch, run_config)
    con = duckdb.connect(str(published), read_only=True)
    weekdays = con.execute(
        "select distinct isodow(period_start) from marts.kpi_long where period_grain = 'week'"
    ).fetchall()
    con.close()
    assert weekdays == [(7,)]


@pytest.mark.postgres
def test_full_pipeline_on_postgres_publishes_kpis_equal_to_the_truth(
    world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dbt_manifest, postgres_dsn: str
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("WAREHOUSE_TARGET", "postgres")
    monkeypatch.setenv("WAREHOUSE_POSTGRES_DSN", postgres_dsn)
    _run_and_compare(world, tmp_path, monkeypatch)


def _run_and_compare(
    world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_config: dict | None = None
) -> Path:
    published = tmp_path / "published.duckdb"
    monkeypatch.setenv("WAREHOUSE_PATH", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("WAREHOUSE_PUBLISHED_PATH", str(published))
    monkeypatch.setenv("DATA_DOCS_DIR", str(tmp_path / "docs"))
    with running(world, enforce_limits=False) as sandbox:
        for name, value in sandbox.env.items():
            monkeypatch.setenv(name, value)
        from orchestration.definitions import defs

        job = defs().resolve_job_def("full_pipeline")
        result = job.execute_in_process(
            instance=dg.DagsterInstance.ephemeral(), raise_on_error=False, run_config=run_config
        )
    failures = [e.message for e in result.all_events if e.is_failure]
    assert result.success, failures[:3]

    truth = json.loads((world / "truth.json").read_text())
    expected = {
        (r["kpi"], r["grain"], r["key"], r["period_start"][:7]): r["value"]
        for r in truth["kpis"]
        if r["period_grain"] == "month"
    }
    assert len(expected) > 500
    con = duckdb.connect(str(published), read_only=True)
    rows = con.execute("select kpi, grain, grain_key, month, value from marts.kpi_monthly_long")
    actual = {(kpi, grain, key, month): value for kpi, grain, key, month, value in rows.fetchall()}
    con.close()
    # Every KPI of the simulated company, per month and grain, read from the BI copy.
    assert actual == pytest.approx(expected, rel=1e-9)
    return published
