"""The whole pipeline (Dagster job `full_pipeline`, in-process, like python -m orchestration run)
against a running sandbox, with wall time per stage from Dagster's step events."""

import json
import os
import time
from collections import Counter
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
    started = time.time()
    relations = dbt_relations()
    marks = incremental_marks(relations)
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
        "dbt_rows_written": dbt_rows_written(relations, marks),
        "dbt_nodes": _dbt_summary(dbt_node_seconds(started)),
    }


def _dbt_summary(nodes: dict[str, Any]) -> dict[str, Any]:
    """dbt's seconds by kind and layer and its ten slowest nodes (all nodes: bench.profile)."""
    return {
        k: nodes[k] for k in ("node_seconds_by_kind", "model_seconds_by_layer") if k in nodes
    } | {"top_nodes": nodes.get("top_nodes", [])[:10]}


Relations = dict[tuple[str, str], str | None]


def dbt_relations() -> Relations:
    """(schema, table) of dbt's models, seeds and snapshots -> for an incremental model the
    column that orders what it reads (`_load_seq` for staging and the dq scan,
    `_lead_load_seq` for the handoff models, `_extracted_at` for fct_activities), else None."""
    from orchestration.defs.transform.resources import dbt_project

    manifest = json.loads(dbt_project().manifest_path.read_text())
    out: Relations = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] not in ("model", "seed", "snapshot"):
            continue
        column = None
        if node["config"]["materialized"] == "incremental":
            column = next(
                (c for c in ("_load_seq", "_lead_load_seq") if c in node["columns"]),
                "_extracted_at",
            )
        out[(node["schema"], node["alias"])] = column
    return out


def incremental_marks(relations: Relations) -> dict[tuple[str, str], Any]:
    """Before a run: the highest value of each incremental model's ordering column."""
    import duckdb

    from dwh.settings import WarehouseSettings

    path = WarehouseSettings.from_env().path
    if not path.exists():
        return {}
    marks: dict[tuple[str, str], Any] = {}
    with duckdb.connect(str(path), read_only=True) as con:
        existing = set(con.sql("select schema_name, table_name from duckdb_tables()").fetchall())
        for (schema, table), column in relations.items():
            if column is not None and (schema, table) in existing:
                ((mark,),) = con.execute(
                    f'select max({column}) from "{schema}"."{table}"'
                ).fetchall()
                marks[(schema, table)] = mark
    return marks


def dbt_rows_written(relations: Relations, marks: dict[tuple[str, str], Any]) -> dict[str, int]:
    """Rows dbt wrote in the run, by schema (dbt-duckdb reports no rows_affected): every row of
    a table model (rebuilt whole), and for an incremental model the rows above its mark from
    before the run (`incremental_marks`); all of its rows when it did not exist yet."""
    import duckdb

    from dwh.settings import WarehouseSettings

    counts: dict[str, int] = {}
    with duckdb.connect(str(WarehouseSettings.from_env().path), read_only=True) as con:
        tables = con.sql("select schema_name, table_name from duckdb_tables()").fetchall()
        for schema, table in tables:
            if (schema, table) not in relations:
                continue  # raw, connector state, GX results: not dbt's
            sql = f'select count(*) from "{schema}"."{table}"'
            mark = marks.get((schema, table))
            if mark is not None:
                sql += f" where {relations[(schema, table)]} > ?"
            ((rows,),) = con.execute(sql, [] if mark is None else [mark]).fetchall()
            counts[schema] = counts.get(schema, 0) + int(rows)
    return counts


def dbt_node_seconds(since: float) -> dict[str, Any]:
    """Seconds per dbt node of the newest run_results.json written after `since`."""
    from orchestration.defs.transform.resources import dbt_project

    target = dbt_project().project_dir / "target"
    found = [p for p in target.rglob("run_results.json") if p.stat().st_mtime >= since]
    if not found:
        return {}
    newest = max(found, key=lambda p: p.stat().st_mtime)
    results = json.loads(newest.read_text())["results"]
    by_kind: Counter[str] = Counter()
    nodes: dict[str, float] = {}
    for r in results:
        uid = r["unique_id"]
        kind = uid.split(".")[0]
        by_kind[kind] += r["execution_time"]
        nodes[uid] = r["execution_time"]
    top = sorted(nodes.items(), key=lambda kv: -kv[1])[:25]
    models = {k: v for k, v in nodes.items() if k.startswith(("model.", "snapshot."))}
    layers: Counter[str] = Counter()
    for uid, seconds in models.items():
        name = uid.split(".")[-1]
        layers[name.split("_")[0]] += seconds
    return {
        "run_results": str(newest),
        "node_seconds_by_kind": dict(by_kind),
        "model_seconds_by_layer": dict(layers),
        "top_nodes": top,
        "models": models,
    }
