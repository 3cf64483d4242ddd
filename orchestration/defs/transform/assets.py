"""Every dbt model, seed and snapshot as an asset; dbt tests as asset checks.

dbt sources resolve to the ingestion assets (see lib/translator.py), so the graph is one
lineage from each API stream to the KPI marts.
"""

import os
from functools import cache
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets
from dagster_dbt.errors import DagsterDbtError
from pydantic import Field

from connectors.destinations.duckdb_lock import connect as connect_duckdb
from orchestration.defs.ingestion.assets import WAREHOUSE_WRITER_POOL
from orchestration.defs.ingestion.resources import WarehouseResource
from orchestration.defs.transform.resources import dbt_project
from orchestration.lib.dbt_args import dbt_build_args
from orchestration.lib.errors import is_warehouse_io_error, warehouse_failure
from orchestration.lib.translator import WarehouseDbtTranslator


class DbtBuildConfig(dg.Config):
    full_refresh: bool = False
    vars: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            "dbt vars for this run only, over dbt_project.yml's `vars:` (docs/configure.md), "
            "e.g. {reporting_tz: Asia/Tokyo, week_start_day: sunday}"
        ),
    )


@cache
def build_dbt_assets() -> dg.AssetsDefinition:
    project = dbt_project()

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=WarehouseDbtTranslator(),
        pool=WAREHOUSE_WRITER_POOL,
    )
    def warehouse_dbt_models(
        context: dg.AssetExecutionContext,
        dbt: DbtCliResource,
        warehouse: WarehouseResource,
        config: DbtBuildConfig,
    ):  # type: ignore[no-untyped-def]
        settings = warehouse.settings()
        # dbt runs as a child process and reads its profile from the environment.
        os.environ.update(settings.dbt_env())
        args = dbt_build_args(
            full_refresh=config.full_refresh, target=settings.target, dbt_vars=config.vars
        )
        if settings.target == "duckdb" and settings.path.exists():
            # dbt-duckdb fails at once on a locked file: wait (bounded) for the holder first.
            connect_duckdb(settings.path).close()
        try:
            yield from dbt.cli(args, context=context).stream()
        except DagsterDbtError as exc:
            # A full disk or unwritable file is the operator's to fix, not a model bug.
            if is_warehouse_io_error(exc):
                raise warehouse_failure(exc, settings.path) from exc
            raise

    return warehouse_dbt_models


def mart_asset_keys() -> list[dg.AssetKey]:
    """Keys of the dbt models in the marts layer: what the publish step copies."""
    assets = build_dbt_assets()
    return sorted(
        (key for key, group in assets.group_names_by_key.items() if group == "marts"),
        key=lambda k: k.to_user_string(),
    )


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[build_dbt_assets()])
