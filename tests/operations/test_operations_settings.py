"""The run-time limit on every job, the shipped instance's monitoring settings, and the
messages that name who holds the warehouse lock."""

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import yaml

from dwh.settings import WarehouseSettings
from orchestration.lib.errors import lock_holder, operator_errors
from orchestration.lib.run_limits import (
    DEFAULT_MAX_RUNTIME_SECONDS,
    MAX_RUNTIME_SETTING,
    MAX_RUNTIME_TAG,
    max_runtime_seconds,
)

from .processes import SHIPPED_INSTANCE


def test_operations_max_runtime_defaults_and_rejects_bad_values() -> None:
    assert max_runtime_seconds({}) == DEFAULT_MAX_RUNTIME_SECONDS
    assert max_runtime_seconds({MAX_RUNTIME_SETTING: " 7200 "}) == 7200
    for bad in ("abc", "0", "-5", "59", "1.5", "604801"):
        with pytest.raises(ValueError, match=MAX_RUNTIME_SETTING) as caught:
            max_runtime_seconds({MAX_RUNTIME_SETTING: bad})
        assert repr(bad) in str(caught.value)


def test_operations_every_job_carries_the_max_runtime_tag(
    monkeypatch: pytest.MonkeyPatch, dbt_manifest: Path
) -> None:
    monkeypatch.setenv(MAX_RUNTIME_SETTING, "5400")
    from orchestration.definitions import defs

    definitions = defs()
    jobs = list(definitions.jobs or [])
    assert jobs
    for job in jobs:
        resolved = definitions.resolve_job_def(job.name)
        assert resolved.run_tags.get(MAX_RUNTIME_TAG) == "5400", job.name
    scheduled = {s.job_name for s in definitions.schedules or []}
    assert scheduled <= {job.name for job in jobs}


def test_operations_bad_max_runtime_stops_the_definitions_from_loading(dbt_manifest: Path) -> None:
    env = {**os.environ, MAX_RUNTIME_SETTING: "soon"}
    done = subprocess.run(
        [sys.executable, "-c", "from orchestration.definitions import defs; defs()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert f"{MAX_RUNTIME_SETTING} must be whole seconds" in done.stderr


def test_operations_shipped_instance_monitors_runs_and_locks_its_storage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = yaml.safe_load(SHIPPED_INSTANCE.read_text())
    monitoring = settings["run_monitoring"]
    assert monitoring["enabled"] is True
    assert monitoring["max_resume_run_attempts"] == 0  # the default launcher cannot resume
    assert 0 < monitoring["free_slots_after_run_end_seconds"] <= 60
    assert 0 < monitoring["poll_interval_seconds"] <= 60
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text(SHIPPED_INSTANCE.read_text())
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.get() as instance:
        assert instance.run_monitoring_enabled
        assert instance.event_log_storage.supports_global_concurrency_limits
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1
    assert (home / "storage" / ".init.lock").exists()
    assert (home / "storage" / "history" / "runs.db").exists()


def test_operations_lock_holder_names_pid_and_command() -> None:
    me = os.getpid()
    text = f"Could not set lock on file: Conflicting lock is held in /x/python3 (PID {me})"
    assert lock_holder(text).startswith(f"PID {me} (")
    gone = text.replace(f"PID {me}", "PID 999999999")
    assert lock_holder(gone) == "PID 999999999 (python3)"  # the process has ended: its program
    assert lock_holder("IO Error: something else") == "another process"


def test_operations_landing_lock_timeout_names_the_holder_not_the_path(tmp_path: Path) -> None:
    error = duckdb.IOException(
        'IO Error: Could not set lock on file "w.duckdb": Conflicting lock is held in '
        "/usr/bin/python3 (PID 4242) by user etl."
    )
    warehouse = WarehouseSettings.for_duckdb(tmp_path / "w.duckdb")
    with pytest.raises(dg.Failure) as caught, operator_errors(warehouse):
        raise error
    message = caught.value.description or ""
    assert "PID 4242" in message and "WAREHOUSE_LOCK_TIMEOUT_SECONDS" in message
    assert "Check WAREHOUSE_PATH" not in message
