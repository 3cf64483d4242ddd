"""The dbt project, loaded once, and the dbt CLI resource."""

import sys
from functools import cache
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject

from orchestration.env import DBT_PROJECT_DIR


@cache
def dbt_project() -> DbtProject:
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    # Under `dagster dev` the manifest is rebuilt; elsewhere `make manifest` (dbt parse) makes it.
    project.prepare_if_dev()
    return project


@dg.definitions
def defs() -> dg.Definitions:
    project = dbt_project()
    return dg.Definitions(
        resources={
            "dbt": DbtCliResource(
                project_dir=project,
                profiles_dir=str(DBT_PROJECT_DIR),
                # The dbt of this interpreter's environment, whether or not .venv/bin is on PATH.
                dbt_executable=str(Path(sys.executable).with_name("dbt")),
            )
        }
    )
