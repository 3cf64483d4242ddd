"""Materialise the whole graph in-process against the sandbox; read KPIs from the published copy."""

import json
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from sandbox.serve import running
from sandbox.world import generate


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("world"), leads=300, seed=7)


def test_full_pipeline_publishes_kpis_equal_to_the_truth(
    world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dbt_manifest
) -> None:  # type: ignore[no-untyped-def]
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
            instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
        )
    failures = [e.message for e in result.all_events if e.is_failure]
    assert result.success, failures[:3]

    truth = json.loads((world / "truth.json").read_text())
    expected = {
        (r["kpi"], r["month"]): r["value"]
        for r in truth["kpis"]
        if r["grain"] == "company" and r["kpi"] in ("tossups", "won_deals", "total_revenue")
    }
    assert expected
    con = duckdb.connect(str(published), read_only=True)
    rows = con.execute(
        "select kpi, month, value from marts.kpi_monthly_long "
        "where grain = 'company' and kpi in ('tossups', 'won_deals', 'total_revenue')"
    ).fetchall()
    con.close()
    actual = {(kpi, month): value for kpi, month, value in rows}
    assert actual == pytest.approx(expected)
