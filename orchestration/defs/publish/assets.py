"""The last step: a consistent, read-only copy of the marts for BI tools."""

import dagster as dg
import duckdb

from dwh.publish import publish
from orchestration.defs.ingestion.assets import WAREHOUSE_WRITER_POOL
from orchestration.defs.ingestion.resources import WarehouseResource
from orchestration.defs.transform.assets import mart_asset_keys
from orchestration.lib.errors import is_warehouse_io_error, operator_errors

PUBLISHED_KEY = dg.AssetKey(["published", "marts"])


def build_publish_asset() -> dg.AssetsDefinition:
    @dg.asset(
        key=PUBLISHED_KEY,
        deps=mart_asset_keys(),
        group_name="publish",
        kinds={"duckdb"},
        owners=["team:data-engineering"],
        pool=WAREHOUSE_WRITER_POOL,
        description=(
            "Read-only DuckDB copy of every mart for BI tools, swapped in atomically so "
            "readers never see a half-built state. Blocked when a blocking check fails."
        ),
    )
    def published_marts(context: dg.AssetExecutionContext, warehouse: WarehouseResource):  # type: ignore[no-untyped-def]
        with operator_errors():
            settings = warehouse.settings()
        try:
            result = publish(settings, run_id=context.run.run_id)
        except (OSError, duckdb.Error) as exc:
            if not is_warehouse_io_error(exc):
                raise
            raise dg.Failure(
                description=(
                    f"cannot write the published copy at {settings.published_path}: {exc}. "
                    "Check WAREHOUSE_PUBLISHED_PATH (writable directory, free disk space); "
                    "the previous published copy is still in place."
                ),
                allow_retries=False,
            ) from exc
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(result.path)),
                "tables": len(result.tables),
                "rows": dg.MetadataValue.json(result.tables),
                "open_with": f"duckdb -readonly {result.path}",
                "storage_version": result.storage_version,
                "source_target": settings.target,
                # rows rewritten per table when the previous copy was carried forward (tables
                # not listed were copied whole); absent: a fresh copy
                **(
                    {"rows_changed_in_place": dg.MetadataValue.json(result.changed_rows)}
                    if result.changed_rows is not None
                    else {}
                ),
            }
        )

    return published_marts


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[build_publish_asset()])
