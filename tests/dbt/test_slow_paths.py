"""Slow checks (`pytest -m slow tests/dbt`): a larger world, and the real landing path
(sandbox fakes -> connectors -> DuckDB -> dbt) compared with truth.json, for both company
profiles (truth tests: `pytest -m slow -k truth tests/dbt`)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.dbt.dbt_runner import (
    DBT_PROJECT_DIR,
    REPO_ROOT,
    configured_project,
    run_dbt,
    vars_args,
)
from tests.dbt.truth_compare import KPI_QUERY, compare, report, truth_kpis
from tests.dbt.warehouses import BuiltWarehouse, build_duckdb

generate = pytest.importorskip("sandbox.world.generate").generate
CONFIGS = REPO_ROOT / "sandbox" / "world" / "configs"


@pytest.mark.slow
def test_larger_world_equals_truth(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    generate(data_dir, leads=3000, seed=42)
    warehouse = build_duckdb(data_dir, tmp_path)
    differences = compare(truth_kpis(data_dir), warehouse.query(KPI_QUERY))
    assert not differences, report(differences)


@pytest.mark.slow
@pytest.mark.parametrize("profile", ["default", "custom-jp"])
def test_connectors_landing_then_dbt_equals_truth(tmp_path: Path, profile: str) -> None:
    running = pytest.importorskip("sandbox.serve").running
    data_dir = tmp_path / "data"
    generate(data_dir, leads=300, seed=7, profile=profile)
    database = tmp_path / "warehouse.duckdb"
    with running(data_dir) as sandbox:
        env = {
            **os.environ,
            **sandbox.env,
            "WAREHOUSE_PATH": str(database),
            "WAREHOUSE_TARGET": "duckdb",
        }
        extraction = subprocess.run(
            [sys.executable, "-m", "connectors", "extract", "--source", "all"],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    assert extraction.returncode == 0, extraction.stdout[-3000:] + extraction.stderr[-3000:]
    project, dbt_vars = DBT_PROJECT_DIR, {}
    if profile != "default":  # the company's configuration, as docs/configure.md says
        project, dbt_vars = configured_project(CONFIGS / profile, tmp_path)
    build = run_dbt(
        ["build", *vars_args(dbt_vars)],
        env={"WAREHOUSE_PATH": str(database)},
        target_path=tmp_path / "dbt_target",
        project_dir=project,
    )
    assert build.returncode == 0, build.stdout[-6000:]
    warehouse = BuiltWarehouse("duckdb", str(database), build.stdout)
    differences = compare(truth_kpis(data_dir), warehouse.query(KPI_QUERY))
    assert not differences, report(differences)
