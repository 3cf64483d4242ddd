"""Fixtures every test folder shares."""

import subprocess
import sys
from pathlib import Path

import pytest

from dwh.settings import DBT_PROJECT_DIR


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """Dagster reads the manifest at load time; `make test` builds it, direct pytest runs too."""
    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    if not manifest.exists():
        dbt = Path(sys.executable).with_name("dbt")
        subprocess.run(
            [
                str(dbt),
                "parse",
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--quiet",
            ],
            check=True,
        )
    return manifest


# The slowest test files, slowest first (`--durations`, 2026-12-08). `make test` hands files
# to its two xdist workers in collection order (`--no-loadscope-reorder`: xdist's own order
# puts files with few tests, the end-to-end ones, last, so one worker ran a long file alone at
# the end). Longest first lets the two finish together. `test_clear_errors` makes the
# reliability reference run the gauntlet reads (tests/shared_fixture.py), so it goes first
# and the gauntlet after a long file of the other worker's. Only an order: a file missing
# here runs after these, as collected.
SLOWEST_FIRST = (
    "tests/reliability/test_clear_errors.py",
    "tests/operations/test_operations_recovery.py",
    "tests/reliability/test_pipeline_gauntlet.py",
    "tests/operations/test_operations_postgres.py",
    "tests/dbt/test_incremental_handoffs.py",
    "tests/dbt/test_end_to_end.py",
    "tests/dbt/test_incremental_staging.py",
    "tests/orchestration/test_pipeline.py",
    "tests/dbt/test_incremental_activities.py",
    "tests/dbt/test_hubspot_end_to_end.py",
    "tests/semantic/test_semantic_layer.py",
    "tests/dbt/test_bad_values.py",
    "tests/operations/test_operations_concurrent_start.py",
    "tests/dbt/test_mini_world.py",
    "tests/reporting/test_report_browser.py",
    "tests/dbt/test_postgres_parallel.py",
    "tests/expectations/test_sandbox_world.py",
    "tests/bi_compat/test_mart_contract.py",
    "tests/reporting/test_report_custom_jp.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {path: n for n, path in enumerate(SLOWEST_FIRST)}
    root = Path(__file__).resolve().parents[1]
    if missing := [path for path in SLOWEST_FIRST if not (root / path).is_file()]:
        raise pytest.UsageError(f"tests/conftest.py SLOWEST_FIRST names no file: {missing}")

    def file_rank(item: pytest.Item) -> int:
        path = item.path.resolve()
        relative = path.relative_to(root).as_posix() if path.is_relative_to(root) else ""
        return rank.get(relative, len(rank))

    items.sort(key=file_rank)  # stable: a file's tests keep their order, and stay together
