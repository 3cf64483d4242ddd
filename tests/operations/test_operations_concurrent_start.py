"""Dagster processes started at the same moment on a fresh DAGSTER_HOME all come up.

Dagster's SQLite run and schedule storages create their tables and stamp their Alembic revision
without a guard against a second process doing the same, so two processes started together used
to fail about one time in four. The shipped instance initialises storage under a file lock
(orchestration/instance_storage.py).
"""

import socket
import sqlite3
import time
from pathlib import Path

import dagster as dg
import pytest
import requests
import yaml

from .processes import (
    BIN,
    DAEMON,
    SHIPPED_INSTANCE,
    WORKSPACE,
    dagster_home,
    pipeline_env,
    running_group,
    start_group,
    stop_group,
    wait_for,
)

# Three CLI processes at once on each of six fresh homes. On Dagster's stock SQLite storage
# 27 of 90 such starts failed, in 24 of 30 homes (the slow test below): six homes without a
# failure would have a chance below 0.01 % without the lock.
TRIALS = 6
PROCESSES = 3


def _start_together(home: Path, count: int, logs: Path) -> list[tuple[int, str]]:
    """`dagster instance info` (the CLI's instance start-up, as the webserver and the daemon
    do it) `count` times at once; returns each exit code and output."""
    env = pipeline_env(home, home, {})
    outputs = [logs / f"start-{i}.log" for i in range(count)]
    handles = [path.open("w") for path in outputs]
    procs = [
        start_group([str(BIN / "dagster"), "instance", "info"], env, handle) for handle in handles
    ]
    try:
        codes = [proc.wait(timeout=120) for proc in procs]
    finally:
        for proc, handle in zip(procs, handles, strict=True):
            stop_group(proc)
            handle.close()
    return [(code, path.read_text()) for code, path in zip(codes, outputs, strict=True)]


def _failures(tmp_path: Path, instance_yaml: str | None, trials: int) -> list[str]:
    failures = []
    for trial in range(trials):
        home = dagster_home(tmp_path / f"home-{trial}", instance_yaml)
        for code, output in _start_together(home, PROCESSES, home):
            if code != 0:
                errors = [line for line in output.splitlines() if "Error" in line] or [""]
                failures.append(f"trial {trial}: exit {code}: {errors[-1][:200]}")
    return failures


def test_operations_processes_started_together_on_a_fresh_home_all_succeed(
    tmp_path: Path,
) -> None:
    failures = _failures(tmp_path, None, TRIALS)
    assert not failures, failures
    # One schema, stamped once, that the next process opens without migrating.
    storage = tmp_path / "home-0" / "storage"
    for path in (storage / "history" / "runs.db", storage / "schedules" / "schedules.db"):
        with sqlite3.connect(path) as con:
            assert con.execute("select count(*) from alembic_version").fetchone() == (1,)


@pytest.mark.slow
def test_operations_stock_sqlite_storage_does_crash_when_started_together(
    tmp_path: Path,
) -> None:
    """The same starts on Dagster's stock SQLite storage: shows the test above can fail."""
    stock = yaml.safe_load(SHIPPED_INSTANCE.read_text())
    del stock["storage"]
    failures = _failures(tmp_path, yaml.safe_dump(stock), trials=5 * TRIALS)
    homes = {failure.split(":")[0] for failure in failures}
    print(
        f"stock storage: {len(failures)} of {5 * TRIALS * PROCESSES} starts failed, in "
        f"{len(homes)} of {5 * TRIALS} homes",
        *failures,
        sep="\n",
    )
    assert failures, "the stock storage never crashed: the race test above proves nothing"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serving(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/server_info", timeout=2).ok
    except requests.ConnectionError:
        return False


def test_operations_daemon_and_webserver_started_together_both_serve(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dbt_manifest: Path
) -> None:
    """The pair an operator starts (systemd starts both units at once) on a fresh home."""
    home = dagster_home(tmp_path / "home")
    env = pipeline_env(home, tmp_path / "work", {})
    port = _free_port()
    webserver = [str(BIN / "dagster-webserver"), "-w", str(WORKSPACE), "-h", "127.0.0.1"]
    with (
        running_group([*webserver, "-p", str(port)], env, home / "webserver.log") as web,
        running_group(DAEMON, env, home / "daemon.log") as daemon,
    ):
        wait_for("the webserver to answer", lambda: _serving(port), timeout=120)
        monkeypatch.setenv("DAGSTER_HOME", str(home))
        with dg.DagsterInstance.get() as instance:
            wait_for(
                "the daemon's heartbeats",
                lambda: len(instance.get_daemon_heartbeats()) >= 3,
                timeout=120,
            )
        time.sleep(1.0)
        assert web.poll() is None and daemon.poll() is None, "a process exited after start-up"
        for log in ("webserver.log", "daemon.log"):
            text = (home / log).read_text()
            assert "Traceback" not in text, text[-3000:]
