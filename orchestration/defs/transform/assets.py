"""Every dbt model, seed and snapshot as an asset; dbt tests as asset checks.

dbt sources resolve to the ingestion assets (see lib/translator.py), so the graph is one
lineage from each API stream to the KPI marts.
"""

import os
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource, dbt_assets
from pydantic import Field

from dwh.duckdb_lock import connect as connect_duckdb
from dwh.settings import WarehouseSettings
from orchestration.defs.ingestion.assets import WAREHOUSE_WRITER_POOL
from orchestration.defs.ingestion.resources import WarehouseResource
from orchestration.defs.transform.resources import dbt_project
from orchestration.lib.dbt_args import dbt_build_args
from orchestration.lib.errors import (
    is_lock_conflict_message,
    is_warehouse_io_error,
    lock_holder,
    operator_errors,
    warehouse_failure,
    warehouse_locked_failure,
)
from orchestration.lib.partial_parse import keep_partial_parse
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
        with operator_errors():
            settings = warehouse.settings()
        # dbt runs as a child process and reads its profile from the environment.
        os.environ.update(settings.dbt_env())
        args = dbt_build_args(
            full_refresh=config.full_refresh, target=settings.target, dbt_vars=config.vars
        )
        yield from build_when_unlocked(context, dbt, args, settings)

    return warehouse_dbt_models


def build_when_unlocked(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    args: list[str],
    settings: WarehouseSettings,
) -> Iterator[Any]:
    """`dbt build`, started again while another process holds the DuckDB file, for at most
    WAREHOUSE_LOCK_TIMEOUT_SECONDS in all.

    dbt-duckdb fails at once on a locked file, so the step first waits (bounded) for the lock.
    Another writer can still take the file between that wait and dbt opening it: dbt then
    fails before building anything, and is started again after the next wait. A lock still
    held at the deadline fails the step naming the holder's PID and command.
    """
    started = time.monotonic()
    deadline = started + settings.lock_timeout
    while True:
        if not settings.is_postgres and settings.path.exists():
            try:
                remaining = max(0.0, deadline - time.monotonic())
                connect_duckdb(settings.path, timeout=remaining).close()
            except duckdb.IOException as exc:
                if is_lock_conflict_message(str(exc)):
                    waited = time.monotonic() - started
                    raise warehouse_locked_failure(str(exc), settings, waited) from exc
                raise
        invocation = dbt.cli(args, context=context, raise_on_error=False)
        built_nothing = True
        for event in invocation.stream():
            built_nothing = False
            yield event
        keep_partial_parse(invocation.target_path, Path(invocation.project_dir))
        error = invocation.get_error()
        if error is None:
            return
        if is_lock_conflict_message(str(error)):
            if built_nothing and time.monotonic() < deadline:
                context.log.warning(
                    f"dbt found {settings.path} locked by {lock_holder(str(error))} right "
                    "after the wait for it; waiting for the lock again"
                )
                continue
            waited = time.monotonic() - started
            raise warehouse_locked_failure(str(error), settings, waited) from error
        # A full disk or unwritable file is the operator's to fix, not a model bug.
        if is_warehouse_io_error(error):
            raise warehouse_failure(error, settings) from error
        raise error


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
