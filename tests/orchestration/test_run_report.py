"""The run report names the warehouse used and never counts a failed build as passed."""

from pathlib import Path

import dagster as dg

from dwh.publish import publish_marts
from dwh.settings import WarehouseSettings
from orchestration.lib.run_report import report_in_process_run, warehouse_label
from orchestration.lib.summary import built_in


@dg.asset
def built_model() -> int:
    return 1


@dg.asset_check(asset=built_model)
def built_model_is_fine() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


@dg.asset(deps=[built_model])
def failing_model() -> None:
    raise RuntimeError("cannot start subtransactions during a parallel operation")


@dg.asset_check(asset=failing_model, blocking=True)
def failing_model_is_fine() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


@dg.asset(deps=[failing_model])
def published() -> None:
    return None


def test_run_report_of_a_failed_build_is_a_failure_with_unrun_checks() -> None:
    result = (
        dg.Definitions(
            assets=[built_model, failing_model, published],
            asset_checks=[built_model_is_fine, failing_model_is_fine],
        )
        .resolve_implicit_global_asset_job_def()
        .execute_in_process(raise_on_error=False, instance=dg.DagsterInstance.ephemeral())
    )
    assert not result.success
    settings = WarehouseSettings.from_env(
        {
            "WAREHOUSE_TARGET": "postgres",
            "WAREHOUSE_POSTGRES_DSN": "postgresql://etl:s3cret-pw@db.internal:5433/sales",
        }
    )
    report = report_in_process_run(result, warehouse_label(settings))
    text = "\n".join(report.lines())
    assert text.startswith("Run FAILED on Postgres (db.internal:5433/sales)")
    assert "s3cret-pw" not in text and "etl" not in text
    assert "failing_model" in " ".join(report.failed_steps)
    assert (report.passed, report.failed, report.not_run) == (1, 0, 1)
    assert "1 passed, 0 warnings, 0 errors, 1 not run" in text


def test_run_report_names_duckdb_and_a_success(tmp_path: Path) -> None:
    result = dg.materialize([built_model], instance=dg.DagsterInstance.ephemeral())
    settings = WarehouseSettings.from_env({"WAREHOUSE_PATH": str(tmp_path / "w.duckdb")})
    report = report_in_process_run(result, warehouse_label(settings))
    assert report.lines()[0] == f"Run succeeded on DuckDB ({tmp_path / 'w.duckdb'})"


def test_run_summary_says_which_warehouse_built_the_published_marts(tmp_path: Path) -> None:
    import duckdb

    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.kpi_monthly_long as select 1 as value")
    published = tmp_path / "p.duckdb"
    publish_marts(published_path=published, run_id="r", warehouse_path=warehouse)
    assert built_in(published) == "DuckDB"
