"""Run the pipeline in a child process, kill it mid-step, and compare warehouses."""

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

from .driver import RESULT_PREFIX

REPO_ROOT = Path(__file__).resolve().parents[2]
# Fast retries so that injected faults cost seconds, not minutes.
FAST_RETRIES = {"CONNECTORS_BACKOFF_MAX": "0.2", "CONNECTORS_READ_TIMEOUT": "1.5"}
RUN_TIMEOUT_SECONDS = 300
# Step-key prefixes of the job full_pipeline, per stage (landing happens inside extract steps,
# page by page, in the same transaction as the stream state).
STAGES: dict[str, tuple[str, ...]] = {
    "extract": ("extract_",),
    "dbt_build": ("warehouse_dbt_models",),
    "checks": ("gx_", "freshness_check"),
    "publish": ("published__",),
}


@dataclass
class PipelineOutcome:
    returncode: int
    stdout: str
    stderr: str
    result: dict | None

    @property
    def success(self) -> bool:
        return self.returncode == 0 and bool(self.result and self.result["success"])

    @property
    def records(self) -> dict[str, int]:
        return (self.result or {}).get(
            "records", {"records_sent": 0, "loaded": 0, "quarantined": 0}
        )

    def count_records(self) -> None:
        """Add this run's extraction totals to the scoreboard; sent must be loaded + quarantined."""
        from .scoreboard import SCOREBOARD

        r = self.records
        assert r["records_sent"] == r["loaded"] + r["quarantined"], r
        SCOREBOARD.add_records(r["records_sent"], r["loaded"], r["quarantined"])

    def describe(self) -> str:
        failures = (self.result or {}).get("failures", [])
        return f"rc={self.returncode} failures={failures[:3]} stderr tail={self.stderr[-3000:]}"


def pipeline_env(run_dir: Path, sandbox_env: Mapping[str, str], **extra: str) -> dict[str, str]:
    """The child's environment: this run's warehouse, published copy and Dagster home."""
    dagster_home = run_dir / "dagster_home"
    dagster_home.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        **sandbox_env,
        **FAST_RETRIES,
        "WAREHOUSE_PATH": str(run_dir / "warehouse.duckdb"),
        "WAREHOUSE_PUBLISHED_PATH": str(run_dir / "published.duckdb"),
        "WAREHOUSE_TARGET": "duckdb",
        "DATA_DOCS_DIR": str(run_dir / "data_docs"),
        "DAGSTER_HOME": str(dagster_home),
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "GX_ANALYTICS_ENABLED": "False",
        **extra,
    }


def start_pipeline(env: Mapping[str, str], preexec_fn=None) -> subprocess.Popen:  # type: ignore[no-untyped-def]
    return subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.driver"],
        cwd=REPO_ROOT,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        preexec_fn=preexec_fn,
    )


def _parse_result(stdout: str) -> dict | None:
    for line in reversed(stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX) :])
    return None


def run_pipeline(
    env: Mapping[str, str], timeout: float = RUN_TIMEOUT_SECONDS, preexec_fn=None
) -> PipelineOutcome:  # type: ignore[no-untyped-def]
    proc = start_pipeline(env, preexec_fn=preexec_fn)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    return PipelineOutcome(proc.returncode, out, err, _parse_result(out))


def run_and_kill_in_stage(
    env: Mapping[str, str],
    stage: str,
    rng: random.Random,
    max_delay: float,
    outputs: list[str] | None = None,
) -> tuple[bool, str]:
    """Start the pipeline; SIGKILL it a random moment after a step of `stage` starts.

    Returns (killed, step key). Not killed means the run ended before the kill moment.
    The child's stdout and stderr are appended to `outputs` (for the secret scan).
    """
    prefixes = STAGES[stage]
    proc = start_pipeline(env)
    assert proc.stderr is not None and proc.stdout is not None
    seen_step: list[str] = []
    started = threading.Event()
    stderr_lines: list[str] = []
    stdout_text: list[str] = []

    def watch_stderr() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            stderr_lines.append(line)
            if " - STEP_START - " in line and not started.is_set():
                step = line.split(" - STEP_START - ")[0].rsplit(" - ", 1)[-1].strip()
                if step.startswith(prefixes):
                    seen_step.append(step)
                    started.set()

    watcher = threading.Thread(target=watch_stderr, daemon=True)
    watcher.start()
    drain = threading.Thread(target=lambda: stdout_text.append(proc.stdout.read()), daemon=True)
    drain.start()
    killed = False
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    while proc.poll() is None and time.monotonic() < deadline:
        if started.wait(timeout=0.2):
            time.sleep(rng.uniform(0.0, max_delay))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                killed = True
            break
    if proc.poll() is None and not killed:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    watcher.join(timeout=5)
    drain.join(timeout=5)
    if outputs is not None:
        outputs.extend(["".join(stderr_lines), "".join(stdout_text)])
    return killed, (seen_step[0] if seen_step else "")


# ---------------------------------------------------------------- warehouse comparisons


def _normalise(value: object) -> object:
    # Sums of doubles may differ in the last bits with evaluation order: compare 9 digits.
    if isinstance(value, float):
        return float(f"{value:.9g}")
    return value


def mart_snapshot(published: Path) -> dict[str, object]:
    """Every KPI of marts.kpi_monthly_long, and a checksum and row count per mart table.

    Columns starting with `_` (extraction/publish times) change run to run and are left out.
    """
    con = duckdb.connect(str(published), read_only=True)
    try:
        kpis = {
            (kpi, grain, key, month): _normalise(value)
            for kpi, grain, key, month, value in con.execute(
                "select kpi, grain, grain_key, month, value from marts.kpi_monthly_long"
            ).fetchall()
        }
        checksums: dict[str, tuple[int, str]] = {}
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' and table_name != '_publish_info' order by 1"
            ).fetchall()
        ]
        for table in tables:
            columns = [
                r[0]
                for r in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = 'marts' and table_name = ? order by ordinal_position",
                    [table],
                ).fetchall()
                if not r[0].startswith("_")
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            rows = sorted(
                repr(tuple(_normalise(v) for v in row))
                for row in con.execute(f'select {select} from marts."{table}"').fetchall()
            )
            digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
            checksums[table] = (len(rows), digest)
        return {"kpis": kpis, "tables": checksums}
    finally:
        con.close()


def diff_snapshots(actual: dict, expected: dict) -> list[str]:
    """Readable differences, empty when equal."""
    out: list[str] = []
    a_kpis, e_kpis = actual["kpis"], expected["kpis"]
    for key in sorted(set(a_kpis) | set(e_kpis), key=str):
        if a_kpis.get(key) != e_kpis.get(key):
            out.append(f"kpi {key}: {a_kpis.get(key)} != expected {e_kpis.get(key)}")
    for table in sorted(set(actual["tables"]) | set(expected["tables"])):
        if actual["tables"].get(table) != expected["tables"].get(table):
            out.append(
                f"table {table}: {actual['tables'].get(table)} != {expected['tables'].get(table)}"
            )
    return out


def raw_latest(warehouse: Path) -> dict[str, dict[str, str]]:
    """Per raw table: id -> _raw of the latest version (what staging keeps)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = [
            t[0]
            for t in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw' "
                "and table_name not like '\\_%' escape '\\'"
            ).fetchall()
        ]
        return {
            table: dict(
                con.execute(
                    f"select id, _raw::varchar from raw.{table} qualify row_number() "
                    "over (partition by id order by _load_seq desc) = 1"
                ).fetchall()
            )
            for table in tables
        }
    finally:
        con.close()


def gong_calls_flagged_deleted(warehouse: Path) -> set[str]:
    """Gong call ids whose last landing predates the last completed full scan (staging's rule)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            """
            with latest as (
                select id, max(_extracted_at) as landed_at from raw.gong__calls group by id
            ), scan as (
                select last_full_scan_started_at as started_at
                from meta.stream_state where source = 'gong' and stream = 'calls'
            )
            select id from latest, scan where latest.landed_at < scan.started_at
            """
        ).fetchall()
    finally:
        con.close()
    return {row[0] for row in rows}


def quarantine_count(warehouse: Path) -> int:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        exists = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'raw' and table_name = '_quarantine'"
        ).fetchone()[0]
        return con.execute("select count(*) from raw._quarantine").fetchone()[0] if exists else 0
    finally:
        con.close()


# Staging relations whose grain is a pair (a child row per parent): key = first two columns.
PAIR_KEYED_STAGING = ("stg_gong__call_parties", "stg_marketo__activity_attributes")


def staging_duplicates(warehouse: Path) -> dict[str, int]:
    """Per staging relation: rows beyond one per key (must be 0). The key is the first column
    (dbt's staging models lead with their primary key), or the first two for child rows."""
    con = duckdb.connect(str(warehouse), read_only=True)
    out: dict[str, int] = {}
    try:
        relations = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_name like 'stg\\_%' escape '\\'"
        ).fetchall()
        for schema, table in relations:
            columns = [
                r[0]
                for r in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = ? and table_name = ? order by ordinal_position",
                    [schema, table],
                ).fetchall()
            ]
            key = columns[:2] if table in PAIR_KEYED_STAGING else columns[:1]
            key_sql = ", ".join(f'"{c}"' for c in key)
            out[f"{schema}.{table}"] = con.execute(
                f"select count(*) - (select count(*) from (select distinct {key_sql} "
                f'from "{schema}"."{table}")) from "{schema}"."{table}"'
            ).fetchone()[0]
        return out
    finally:
        con.close()


def published_state(published: Path) -> tuple[str, int]:
    """(run_id, table count) of a published copy; raises when it is not consistent."""
    con = duckdb.connect(str(published), read_only=True)
    try:
        info = con.execute("select run_id, tables from marts._publish_info").fetchall()
        if len(info) != 1:
            raise AssertionError(f"_publish_info has {len(info)} rows")
        run_id, tables = info[0]
        present = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'marts' and table_name != '_publish_info'"
        ).fetchone()[0]
        if present != tables:
            raise AssertionError(f"_publish_info says {tables} tables, {present} present")
        con.execute("select count(*) from marts.kpi_monthly_long").fetchone()
        return run_id, tables
    finally:
        con.close()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class BIReader:
    """Start/stop the bi_reader process around a block; `report` holds its findings."""

    def __init__(self, published: Path, work_dir: Path) -> None:
        self.published = published
        self.report_path = work_dir / "bi_reader_report.json"
        self.stop_file = work_dir / "bi_reader.stop"
        self.report: dict = {}
        self._proc: subprocess.Popen | None = None

    def __enter__(self) -> "BIReader":
        self.stop_file.unlink(missing_ok=True)
        self._proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.reliability.bi_reader",
                str(self.published),
                str(self.report_path),
                str(self.stop_file),
            ],
            cwd=REPO_ROOT,
        )
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_file.touch()
        assert self._proc is not None
        self._proc.wait(timeout=60)
        self.report = json.loads(self.report_path.read_text())


def run_pipeline_many(
    envs: list[dict[str, str]], preexec_fns: list, timeout: float = RUN_TIMEOUT_SECONDS
) -> list[PipelineOutcome]:  # type: ignore[type-arg]
    """Run several pipelines at once (they are mostly waiting on retries), collect outcomes."""
    procs = [start_pipeline(env, preexec_fn=fn) for env, fn in zip(envs, preexec_fns, strict=True)]
    outcomes = []
    for proc in procs:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        outcomes.append(PipelineOutcome(proc.returncode, out, err, _parse_result(out)))
    return outcomes
