"""A warehouse file locked by another process is waited for (bounded), then reported."""

import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from dwh.duckdb_lock import connect, is_lock_conflict

HOLD = """
import duckdb, sys, time
con = duckdb.connect(sys.argv[1])
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def _hold_lock(path: Path, seconds: float) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


def test_connect_waits_for_another_writer_to_let_go(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    holder = _hold_lock(path, 1.5)
    started = time.monotonic()
    con = connect(path, timeout=60)
    waited = time.monotonic() - started
    con.execute("create table t as select 1 as x")
    con.close()
    holder.wait(timeout=30)
    assert waited > 0.5  # it really was locked, and the wait ended when the holder left
    assert duckdb.connect(str(path), read_only=True).sql("from t").fetchall() == [(1,)]


def test_connect_gives_up_after_the_timeout_with_duckdbs_error(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    holder = _hold_lock(path, 30)
    try:
        with pytest.raises(duckdb.IOException) as caught:
            connect(path, timeout=0.5)
        assert is_lock_conflict(caught.value)
        assert "PID" in str(caught.value)  # DuckDB names the holder: the operator's lead
    finally:
        holder.kill()
        holder.wait()


def test_other_io_errors_are_not_waited_for(tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(duckdb.Error):
        connect(tmp_path / "missing-dir" / "w.duckdb", timeout=60)
    assert time.monotonic() - started < 30
