"""The whole pipeline (Dagster job `full_pipeline`, in-process, like orchestration/demo.py)
against a running sandbox, with wall time per stage from Dagster's step events."""

import os
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from typing import Any

QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}


@contextmanager
def pipeline_env(workdir: Path, sandbox_env: dict[str, str], rate_scale: str) -> Iterator[None]:
    """Point the pipeline at a private warehouse and the sandbox; restore os.environ after."""
    workdir.mkdir(parents=True, exist_ok=True)
    overrides = {
        **sandbox_env,
        "WAREHOUSE_TARGET": "duckdb",
        "WAREHOUSE_PATH": str(workdir / "warehouse.duckdb"),
        "WAREHOUSE_PUBLISHED_PATH": str(workdir / "published.duckdb"),
        "DATA_DOCS_DIR": str(workdir / "data_docs"),
        "CONNECTORS_RATE_SCALE": rate_scale,
    }
    saved = {key: os.environ.get(key) for key in overrides}
    os.environ.update(overrides)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def reset_warehouse(workdir: Path) -> None:
    for name in ("warehouse.duckdb", "warehouse.duckdb.wal", "published.duckdb"):
        (workdir / name).unlink(missing_ok=True)


def stage_of(step_key: str) -> str:
    """Group Dagster steps into the pipeline's stages by their op names."""
    key = step_key.lower()
    if key.startswith(("extract", "raw", "ingest")) or "extract" in key:
        return "extract"
    if "publish" in key:
        return "publish"
    if "dbt" in key:
        return "dbt_build"
    if "check" in key or "gx" in key or "expect" in key or "fresh" in key or "quality" in key:
        return "checks"
    return "other"


def run_full_pipeline() -> dict[str, Any]:
    """Execute `full_pipeline` once; returns success, per-step and per-stage seconds."""
    import dagster as dg

    from connectors.run import close_readers
    from orchestration.definitions import defs

    job = defs().resolve_job_def("full_pipeline")
    # Disposed after each run: a dropped instance's SQLite connections would otherwise be
    # finalised by the garbage collector in whatever thread runs (the extract threads), and
    # SQLAlchemy reports each one as an error.
    with dg.DagsterInstance.ephemeral() as instance:
        try:
            # dbt's console lines would bury the benchmark's own output.
            with open(os.devnull, "w") as sink, redirect_stdout(sink):
                result = job.execute_in_process(
                    run_config=QUIET_RUN_CONFIG, instance=instance, raise_on_error=False
                )
        finally:
            close_readers()
        logs = instance.all_logs(result.run_id)
    starts: dict[str, float] = {}
    steps: dict[str, float] = {}
    for entry in logs:
        event = entry.dagster_event
        if event is None:
            continue
        kind = event.event_type_value
        if kind == "STEP_START":
            starts[event.step_key] = entry.timestamp
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE") and event.step_key in starts:
            steps[event.step_key] = entry.timestamp - starts[event.step_key]
    # Steps of one stage may run back to back; the stage's wall time is their sum because the
    # in-process executor runs one step at a time.
    stages: dict[str, float] = {}
    for key, seconds in steps.items():
        stages[stage_of(key)] = stages.get(stage_of(key), 0.0) + seconds
    failed = [e.step_key for e in result.all_events if e.is_step_failure]
    return {
        "success": result.success,
        "failed_steps": failed,
        "stages": stages,
        "steps": steps,
        "dbt_rows_written": dbt_rows_written(),
    }


def dbt_rows_written() -> dict[str, int]:
    """Rows in dbt's tables after the run, by schema. dbt-duckdb reports no rows_affected, and
    every model but the incremental fct_activities is a table rebuilt whole, so these rows are
    what dbt wrote (an upper bound for the incremental model)."""
    import duckdb

    from orchestration.env import warehouse_settings

    counts: dict[str, int] = {}
    with duckdb.connect(str(warehouse_settings().path), read_only=True) as con:
        tables = con.sql(
            "select schema_name, table_name from duckdb_tables() "
            "where schema_name not in ('raw', 'meta', 'dq', 'main')"
        ).fetchall()
        for schema, table in tables:
            ((rows,),) = con.execute(f'select count(*) from "{schema}"."{table}"').fetchall()
            counts[schema] = counts.get(schema, 0) + int(rows)
    return counts
