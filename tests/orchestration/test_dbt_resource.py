"""The dbt resource skips dagster-dbt's `dbt --version` subprocess and in-process adapter."""

import importlib.metadata
import inspect
import subprocess
from pathlib import Path

from dagster_dbt import DbtCliResource

from dwh.settings import DBT_PROJECT_DIR
from orchestration.defs.transform.resources import LocalDbtCliResource

DBT = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "dbt"


def test_the_private_hooks_it_overrides_still_exist_in_dagster_dbt() -> None:
    # If a dagster-dbt upgrade renames them, the override would silently stop saving time.
    assert "_cli_version" in vars(DbtCliResource)
    assert callable(getattr(DbtCliResource, "_initialize_dbt_core_adapter", None))
    source = inspect.getsource(DbtCliResource.cli)
    assert "self._cli_version" in source and "_initialize_dbt_core_adapter" in source


def test_version_is_the_installed_dbt_core_the_executable_reports() -> None:
    resource = LocalDbtCliResource(project_dir=str(DBT_PROJECT_DIR), dbt_executable=str(DBT))
    assert str(resource._cli_version) == importlib.metadata.version("dbt-core")
    done = subprocess.run([str(DBT), "--version"], capture_output=True, text=True)
    reported = done.stdout + done.stderr
    assert f"installed: {resource._cli_version}" in reported
    assert resource._initialize_dbt_core_adapter([]) is None
