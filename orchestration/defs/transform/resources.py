"""The dbt project, loaded once, and the dbt CLI resource."""

import importlib.metadata
import sys
from collections.abc import Sequence
from functools import cache, cached_property
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject
from dbt.adapters.base import BaseAdapter
from packaging import version

from dwh.settings import DBT_PROJECT_DIR


@cache
def dbt_project() -> DbtProject:
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    # Under `dagster dev` the manifest is rebuilt; elsewhere `make manifest` (dbt parse) makes it.
    project.prepare_if_dev()
    return project


class LocalDbtCliResource(DbtCliResource):
    """dagster-dbt's resource without two start-up costs of every dbt step (about 5 s a run).

    - `dbt --version` in a subprocess, to learn the version of the dbt it will run: the dbt
      it runs is this environment's (below), so the installed dbt-core's version is the answer.
    - A dbt adapter opened inside the Dagster process, used only to fetch row counts and column
      metadata, which this project does not fetch (stack-notes 8: it breaks the next DuckDB step).
    Both hooks are private dagster-dbt API, checked by tests/orchestration/test_dbt_resource.py
    against the pinned version.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> BaseAdapter:
        return None  # type: ignore[return-value]  # dagster-dbt treats None as "no adapter"


@dg.definitions
def defs() -> dg.Definitions:
    project = dbt_project()
    return dg.Definitions(
        resources={
            "dbt": LocalDbtCliResource(
                project_dir=project,
                profiles_dir=str(DBT_PROJECT_DIR),
                # The dbt of this interpreter's environment, whether or not .venv/bin is on PATH.
                dbt_executable=str(Path(sys.executable).with_name("dbt")),
            )
        }
    )
