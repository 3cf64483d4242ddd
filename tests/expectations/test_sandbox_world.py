"""The suites on the real marts of a sandbox world: messy data warns, a broken batch blocks."""

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dwh.settings import DBT_PROJECT_DIR, WarehouseSettings
from expectations.results import SuiteRun
from expectations.runner import run_suites
from expectations.suite_files import load_suites


def build_world_warehouse(root: Path, leads: int, seed: int) -> Path:
    """Generate, serve, land every stream and dbt build into root/warehouse.duckdb."""
    from connectors.landing.duckdb import DuckDBDestination
    from connectors.registry import STREAMS
    from connectors.run import close_readers, extract_source
    from sandbox.serve import running
    from sandbox.world import generate

    data, warehouse = root / "world", root / "warehouse.duckdb"
    generate(data, leads=leads, seed=seed)
    with running(data) as sandbox:
        destination = DuckDBDestination(warehouse)
        try:
            for source in STREAMS:
                extract_source(source, destination=destination, run_id="gx-test", env=sandbox.env)
        finally:
            close_readers()
            close = getattr(destination, "close", None)
            if close is not None:
                close()
    settings = WarehouseSettings.for_duckdb(
        warehouse, WAREHOUSE_PUBLISHED_PATH=str(root / "pub.duckdb")
    )
    dbt = Path(sys.executable).with_name("dbt")
    completed = subprocess.run(
        [
            str(dbt),
            "build",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(root / "target"),
            "--log-path",
            str(root / "logs"),
            "--quiet",
        ],
        env={**os.environ, **settings.dbt_env(), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return warehouse


def _blocking(runs: list[SuiteRun]) -> dict[str, list[str]]:
    return {run.suite: [r.expectation for r in run.blocking_failures] for run in runs}


def _check_world(root: Path, leads: int, seed: int) -> list[SuiteRun]:
    warehouse = build_world_warehouse(root, leads, seed)
    runs = run_suites(WarehouseSettings.for_duckdb(warehouse), data_docs_dir=root / "docs")
    assert {run.suite for run in runs} == {s.name for s in load_suites()}
    assert all(not blocking for blocking in _blocking(runs).values()), _blocking(runs)
    handoffs = next(run for run in runs if run.suite == "fct_handoffs")
    assert handoffs.row_count > 0
    assert (root / "docs" / "index.html").exists()

    # The same world after a broken load: every e-mail lost on the way to the mart.
    with duckdb.connect(str(warehouse)) as con:
        con.execute("update marts.fct_handoffs set contact_email = null")
    (broken,) = run_suites(
        WarehouseSettings.for_duckdb(warehouse),
        [s for s in load_suites() if s.name == "fct_handoffs"],
    )
    assert [r.expectation for r in broken.blocking_failures] == ["contact_email_present_batch"]
    assert broken.result("contact_email_present_batch").unexpected_count == handoffs.row_count
    return runs


def test_small_sandbox_world_has_no_blocking_failures(tmp_path: Path) -> None:
    _check_world(tmp_path, leads=300, seed=11)


@pytest.mark.slow
def test_demo_scale_world_passes_every_rule(tmp_path: Path) -> None:
    """At demo scale the sampling noise is small: a clean world raises no warning either."""
    runs = _check_world(tmp_path, leads=2500, seed=7)
    assert {run.suite: run.failed() for run in runs if run.failed()} == {}
