"""When the pipeline runs: hourly increments and a nightly rebuild of the dbt models."""

import dagster as dg

from orchestration.defs.automation.jobs import FULL_PIPELINE

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


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(schedules=[hourly_incremental, nightly_full_refresh])
