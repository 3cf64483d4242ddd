"""After each publish: the funnel report a sales manager reads (reporting/), written from the
published copy only. It writes no warehouse, so it is not in the warehouse_writer pool."""

from typing import Any

import dagster as dg
import duckdb

from dwh.settings import WarehouseSettingError
from orchestration.defs.ingestion.resources import WarehouseResource
from orchestration.defs.publish.assets import PUBLISHED_KEY
from orchestration.defs.transform.assets import build_dbt_assets
from orchestration.lib.errors import operator_errors
from reporting.calendar import CalendarError, project_vars
from reporting.data import PublishedCopyError
from reporting.report import write_report
from reporting.settings import VARIABLE, ReportSettings

FUNNEL_REPORT_KEY = dg.AssetKey(["funnel_report"])


def run_dbt_vars(run_config: dict[str, Any]) -> dict[str, Any]:
    """The dbt vars this run's dbt step was given (run config), over dbt_project.yml's: the
    marts were cut with them, so the report's periods must be too."""
    op = build_dbt_assets().op.name
    overrides = run_config.get("ops", {}).get(op, {}).get("config", {}).get("vars") or {}
    return project_vars(overrides)


def build_report_asset() -> dg.AssetsDefinition:
    @dg.asset(
        key=FUNNEL_REPORT_KEY,
        deps=[PUBLISHED_KEY],
        group_name="report",
        kinds={"html"},
        owners=["team:data-engineering"],
        description=(
            "The funnel report (ファネルレポート): one self-contained HTML page from the published "
            "marts: funnel by stage with the bottleneck, IS / FS / linkage KPIs per team and "
            f"rep, handoff quality, division of labour vs full cycle, KGI. Path: {VARIABLE}."
        ),
    )
    def funnel_report(context: dg.AssetExecutionContext, warehouse: WarehouseResource):  # type: ignore[no-untyped-def]
        with operator_errors():
            settings = warehouse.settings()
            report = ReportSettings.from_env(settings)
        try:
            dbt_vars = run_dbt_vars(context.run.run_config)
            result = write_report(settings.published_path, report.path, dbt_vars)
        except (PublishedCopyError, CalendarError, WarehouseSettingError) as exc:
            raise dg.Failure(description=str(exc), allow_retries=False) from exc
        except duckdb.Error as exc:
            raise dg.Failure(
                description=f"cannot read the published copy {settings.published_path}: {exc}"
            ) from exc
        except OSError as exc:
            raise dg.Failure(
                description=(
                    f"cannot write the report at {report.path}: {exc}. Check {VARIABLE} "
                    "(a writable place with free disk space); the previous report is in place."
                ),
                allow_retries=False,
            ) from exc
        for note in result.notes:
            context.log.warning(note)
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(result.path)),
                "open": dg.MetadataValue.url(result.path.as_uri()),
                "data_as_of": result.as_of.isoformat(),
                "bottleneck_last_week": result.bottlenecks.get("week", "none"),
                "bottleneck_last_month": result.bottlenecks.get("month", "none"),
                "charts": result.charts,
                "size_bytes": result.size_bytes,
            }
        )

    return funnel_report


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[build_report_asset()])
