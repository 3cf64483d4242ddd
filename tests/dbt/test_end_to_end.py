"""Sandbox world -> raw tables -> dbt build -> every KPI row equals truth.json."""

from pathlib import Path

import pytest

from tests.dbt.truth_compare import compare, report, truth_kpis
from tests.dbt.warehouses import build_duckdb, build_postgres, scratch_postgres_database

generate = pytest.importorskip("sandbox.world.generate").generate

LEADS, SEED = 300, 7


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("world") / "data"
    generate(data_dir, leads=LEADS, seed=SEED)
    return data_dir


def _assert_matches_truth(data_dir: Path, rows: list[tuple]) -> None:
    truth = truth_kpis(data_dir)
    assert truth, "truth.json holds no KPI rows"
    differences = compare(truth, rows)
    print(report(differences))
    assert not differences, report(differences)


def test_duckdb_marts_equal_truth(world: Path, tmp_path: Path) -> None:
    warehouse = build_duckdb(world, tmp_path)
    rows = warehouse.query("select kpi, grain, grain_key, month, value from marts.kpi_monthly_long")
    _assert_matches_truth(world, rows)


def test_postgres_marts_equal_truth(world: Path, tmp_path: Path) -> None:
    with scratch_postgres_database() as database:
        warehouse = build_postgres(world, tmp_path, database)
        rows = warehouse.query(
            "select kpi, grain, grain_key, month, value from marts.kpi_monthly_long"
        )
    _assert_matches_truth(world, rows)
