"""A run killed with SIGKILL mid-extraction heals without anyone touching the instance.

The operator's setup: `dagster-daemon run` on the shipped `.dagster_home/dagster.yaml` (copied
verbatim into a fresh DAGSTER_HOME), runs launched with `dagster job launch` and started by the
daemon's queued run coordinator and the default run launcher. The first run is SIGKILLed while
its `extract_sources` step holds the `warehouse_writer` slot (limit 1); the second is launched
right after the kill, as a schedule tick would, and must finish on its own.
"""

import os
import signal
import time
import uuid
from pathlib import Path

import dagster as dg
import pytest
import yaml

from sandbox.fakes.faults import FaultConfig
from sandbox.serve import running

from .conftest import REPORT
from .processes import (
    SHIPPED_INSTANCE,
    check_launch,
    daemon,
    dagster_home,
    launch,
    launching,
    log_messages,
    pipeline_env,
    pool_holders,
    run_status,
    run_worker_pid,
    step_events,
    wait_for,
    watch,
)

POOL = "warehouse_writer"
EXTRACT = "extract_sources"
# Every vendor request takes a second, so extraction lasts long enough to be killed mid-way.
SLOW_VENDORS = FaultConfig(timeout_rate=1.0, timeout_seconds=1.0, timeout_mode="sleep")
FINISHED = (dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE)


def _monitoring_bound() -> float:
    """Longest time from a run's end to its slots being freed under the shipped config."""
    settings = yaml.safe_load(SHIPPED_INSTANCE.read_text())["run_monitoring"]
    return settings["poll_interval_seconds"] + settings["free_slots_after_run_end_seconds"]


def test_operations_killed_run_frees_its_pool_slot_and_the_next_run_succeeds(
    ops_world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dbt_manifest: Path
) -> None:
    home = dagster_home(tmp_path / "dagster_home")
    killed_run, next_run = str(uuid.uuid4()), str(uuid.uuid4())
    with running(ops_world, faults=SLOW_VENDORS) as sandbox:
        env = pipeline_env(home, tmp_path, sandbox.env)
        monkeypatch.setenv("DAGSTER_HOME", str(home))
        with daemon(env, tmp_path / "daemon.log"), dg.DagsterInstance.get() as instance:
            assert instance.run_monitoring_enabled
            launch("full_pipeline", env, killed_run)

            # Mid-extraction: the step holds the slot and has logged progress to the event log.
            def extracting() -> int | None:
                lines = log_messages(instance, killed_run, EXTRACT)
                progress = any("records/s" in line for line in lines)
                if progress and killed_run in pool_holders(instance, POOL):
                    return run_worker_pid(instance, killed_run)
                return None

            pid, _ = wait_for("the first run to extract", extracting, timeout=240)
            os.kill(pid, signal.SIGKILL)
            killed_at = time.monotonic()
            sandbox.set_faults(FaultConfig())  # the vendors answer at full speed again
            # The next run is launched at once, like a schedule tick, and queues behind.
            with launching("full_pipeline", env, next_run, tmp_path / "launch.log") as launcher:

                def finished(run_id: str) -> bool:
                    check_launch(launcher)
                    return run_status(instance, run_id) in FINISHED

                seen = watch(
                    {
                        "failed": lambda: finished(killed_run),
                        "freed": lambda: killed_run not in pool_holders(instance, POOL),
                        "started": lambda: "STEP_START" in step_events(instance, next_run, EXTRACT),
                        "done": lambda: finished(next_run),
                    },
                    timeout=600,
                )
            status = run_status(instance, killed_run)
            next_status = run_status(instance, next_run)
            killed_steps = step_events(instance, killed_run, EXTRACT)
            crash_notes = [
                r.message for r in instance.all_logs(killed_run) if "signal 9" in r.message
            ]
            next_progress = log_messages(instance, next_run, EXTRACT)

    at = {name: seen[name] - killed_at for name in seen}
    timeline = [
        f"killed-run timeline (SIGKILL of run worker pid {pid} at t=0, shipped dagster.yaml):",
        f"  t={at['failed']:6.1f} s  killed run marked {status.value}",
        f"  t={at['freed']:6.1f} s  its {POOL} slot freed by run monitoring",
        f"  t={at['started']:6.1f} s  next run's {EXTRACT} step started",
        f"  t={at['done']:6.1f} s  next run {next_status.value}",
    ]
    print("\n".join(timeline))
    REPORT.extend(timeline)
    assert status == dg.DagsterRunStatus.FAILURE
    assert crash_notes, "the run was not failed because its process died"
    assert "STEP_SUCCESS" not in killed_steps, "the kill came after extraction had finished"
    assert next_status == dg.DagsterRunStatus.SUCCESS, next_progress[-5:]
    # The slot outlived the run until the monitoring daemon freed it, within its configured
    # bound (slack for a loaded machine); the next run's writing step waited for it.
    assert at["failed"] <= at["freed"] <= at["failed"] + _monitoring_bound() + 30
    assert at["started"] >= at["freed"] - 1.0
