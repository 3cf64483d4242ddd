"""fct_activities is incremental: a Gong call that lands after the Task that logged it (by
CallObject, or by hand and matched by the call-matching rule) must flip that Task to not
counted on the next (non-full-refresh) build, so the call counts once; and a build with
another match window re-decides the rows built under the old one."""

import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from tests.dbt.dbt_runner import build_models
from tests.dbt.mini_world import IS_REP, write_mini_world
from tests.dbt.raw_loader import STREAMS, land_duckdb, raw_rows


def _state(database: Path) -> tuple[list[tuple], float]:
    with duckdb.connect(str(database), read_only=True) as conn:
        tasks = conn.execute(
            "select activity_id, is_counted from marts.fct_activities"
            " where activity_source = 'salesforce_task' and activity_type = 'call' order by 1"
        ).fetchall()
        (calls,) = conn.execute(
            "select value from marts.kpi_monthly_long where kpi = 'calls' and grain = 'rep'"
            f" and grain_key = '{IS_REP}' and month = '2026-03'"
        ).fetchone()
    return tasks, calls


def test_late_gong_call_supersedes_logged_task(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    write_mini_world(data_dir)
    calls_file = data_dir / "gong" / "calls.jsonl"
    late_calls = calls_file.read_text("utf-8")
    calls_file.write_text("", "utf-8")  # first extraction: Gong has not recorded the calls yet
    database = tmp_path / "warehouse.duckdb"
    land_duckdb(data_dir, database)
    build_models(database, tmp_path)
    tasks, calls = _state(database)
    task_ids = [f"sf_task:00T00000000000{n}AAA" for n in (1, 3, 4, 5)]
    assert tasks == [(task_id, True) for task_id in task_ids]
    assert calls == 4.0

    calls_file.write_text(late_calls, "utf-8")
    (gong_calls,) = [s for s in STREAMS if s.table == "gong__calls"]
    rows = raw_rows(data_dir, gong_calls, "late-run", datetime.now(UTC))
    with duckdb.connect(str(database)) as conn:
        for record_id, cursor, raw, extracted_at, run_id, seq in rows:
            conn.execute(
                "insert into raw.gong__calls values (?, cast(? as timestamptz), cast(? as json),"
                " ?, ?, ?)",
                [record_id, cursor, raw, extracted_at, run_id, seq],
            )
    build_models(database, tmp_path)
    tasks, calls = _state(database)
    # the linked (T1) and the hand-logged (T4) Tasks became their recordings; T5 is 20 min off
    assert tasks == list(zip(task_ids, [False, True, False, True], strict=True))
    assert calls == 5.0  # 7001, T3, 7003 (for T4), 7004 and T5
    with duckdb.connect(str(database), read_only=True) as conn:
        (gong_rows,) = conn.execute(
            "select count(*) from marts.fct_activities where activity_source = 'gong_call'"
        ).fetchone()
    assert gong_rows == 4  # 7005 is colleagues only: no activity
    assert json.loads(rows[0][2])["metaData"]["id"] == "7001"

    # A run with another call_match_window_minutes (any var deciding what counts) must not
    # keep the rows the old value decided: in 30 minutes the late Task is one call with 7004.
    build_models(database, tmp_path, "--vars", '{"call_match_window_minutes": 30}')
    tasks, calls = _state(database)
    assert tasks[3] == ("sf_task:00T000000000005AAA", False)
    assert calls == 4.0
