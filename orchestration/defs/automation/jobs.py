"""Jobs, schedules and sensors: when the pipeline runs and who hears about failures."""

import json
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

import dagster as dg
import requests

from connectors.streams import STREAMS
from orchestration.lib.run_limits import max_runtime_tags

if TYPE_CHECKING:  # what define_asset_job returns; dagster does not export the class
    from dagster._core.definitions.unresolved_asset_job_definition import (
        UnresolvedAssetJobDefinition,
    )

FULL_PIPELINE = "full_pipeline"


def pipeline_jobs(run_tags: Mapping[str, str]) -> list["UnresolvedAssetJobDefinition"]:
    """`full_pipeline` and one `<source>_ingestion` job per source, each with `run_tags`
    (the `dagster/max_runtime` limit, read when the definitions load, never at import).

    In-process: on a 2-core machine a step process costs ~1.3 s, and steps that write DuckDB
    must run one at a time anyway (single writer).
    """
    full_pipeline = dg.define_asset_job(
        FULL_PIPELINE,
        # Checks too: dbt's tests of the connectors' state table (meta.stream_state, not an
        # asset of ours) would otherwise run unselected, with a warning per test.
        selection=dg.AssetSelection.all() | dg.AssetSelection.all_asset_checks(),
        executor_def=dg.in_process_executor,
        description="Extract every stream, build every dbt model and check, then publish.",
        tags=run_tags,
    )
    source_jobs = [
        dg.define_asset_job(
            f"{source}_ingestion",
            selection=dg.AssetSelection.groups(source),
            executor_def=dg.in_process_executor,
            description=f"Extract the {source} streams into the raw layer only.",
            tags=run_tags,
        )
        for source in STREAMS
    ]
    return [full_pipeline, *source_jobs]


FULL_REFRESH_CONFIG = {"ops": {"warehouse_dbt_models": {"config": {"full_refresh": True}}}}

hourly_incremental = dg.ScheduleDefinition(
    name="hourly_incremental",
    job_name=FULL_PIPELINE,
    cron_schedule="0 * * * *",
    execution_timezone="Asia/Tokyo",
    description="Incremental extraction from each cursor, incremental dbt build, checks, publish.",
)

nightly_full_refresh = dg.ScheduleDefinition(
    name="nightly_full_refresh",
    job_name=FULL_PIPELINE,
    cron_schedule="30 3 * * *",
    execution_timezone="Asia/Tokyo",
    run_config=FULL_REFRESH_CONFIG,
    description="Nightly rebuild of every dbt model from raw (dbt --full-refresh).",
)


def failure_message(context: dg.RunFailureSensorContext) -> dict[str, str]:
    from connectors.core import redact

    error = context.failure_event.message or "run failed"
    return {
        "text": redact(
            f"Pipeline run {context.dagster_run.run_id} of job "
            f"{context.dagster_run.job_name} failed: {error}"
        ),
        "run_id": context.dagster_run.run_id,
        "job": context.dagster_run.job_name,
    }


@dg.run_failure_sensor(
    name="pipeline_failure_alert",
    monitor_all_code_locations=False,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Logs every failed run; posts it to PIPELINE_FAILURE_WEBHOOK_URL when set.",
)
def pipeline_failure_alert(context: dg.RunFailureSensorContext) -> None:
    message = failure_message(context)
    context.log.error(message["text"])
    url = os.environ.get("PIPELINE_FAILURE_WEBHOOK_URL")
    if not url:
        return
    try:
        response = requests.post(
            url, data=json.dumps(message), headers={"Content-Type": "application/json"}, timeout=10
        )
        response.raise_for_status()
    except requests.RequestException as exc:  # the alert must not crash the sensor daemon
        from connectors.core import redact

        context.log.warning(redact(f"failure webhook did not accept the alert: {exc}"))


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(
        jobs=pipeline_jobs(max_runtime_tags()),
        schedules=[hourly_incremental, nightly_full_refresh],
        sensors=[pipeline_failure_alert],
    )
