"""Start Dagster's own processes (daemon, webserver, `dagster job launch`) the way an operator
does, each tree in its own process group so that a test stops everything it started, even
when it fails."""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TypeVar

import dagster as dg

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
WORKSPACE = REPO_ROOT / "workspace.yaml"
SHIPPED_INSTANCE = REPO_ROOT / ".dagster_home" / "dagster.yaml"
T = TypeVar("T")


def dagster_home(directory: Path, instance_yaml: str | None = None) -> Path:
    """A fresh DAGSTER_HOME holding the shipped dagster.yaml (or `instance_yaml`)."""
    directory.mkdir(parents=True, exist_ok=True)
    if instance_yaml is None:
        shutil.copy(SHIPPED_INSTANCE, directory / "dagster.yaml")
    else:
        (directory / "dagster.yaml").write_text(instance_yaml)
    return directory


def pipeline_env(home: Path, work: Path, sandbox_env: Mapping[str, str]) -> dict[str, str]:
    """What the daemon (and through it the code server and run workers) runs with."""
    return {
        **os.environ,
        **sandbox_env,
        "DAGSTER_HOME": str(home),
        "WAREHOUSE_PATH": str(work / "warehouse.duckdb"),
        "WAREHOUSE_PUBLISHED_PATH": str(work / "published.duckdb"),
        "WAREHOUSE_TARGET": "duckdb",
        "DATA_DOCS_DIR": str(work / "data_docs"),
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "GX_ANALYTICS_ENABLED": "False",
    }


def start_group(args: list[str], env: Mapping[str, str], log: IO[str]) -> subprocess.Popen:
    """A process that leads its own group: its children (code servers, run workers, dbt)
    belong to the group and are stopped with it."""
    return subprocess.Popen(
        args,
        cwd=REPO_ROOT,
        env=dict(env),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop_group(proc: subprocess.Popen, grace: float = 20.0) -> None:
    """SIGTERM the process group, SIGKILL what is left after `grace` seconds."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        # The leader is gone; its children may still be shutting down.
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and _group_alive(proc.pid):
            time.sleep(0.2)
        if not _group_alive(proc.pid):
            return


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@contextmanager
def running_group(
    args: list[str], env: Mapping[str, str], log_path: Path
) -> Iterator[subprocess.Popen]:
    with log_path.open("w") as log:
        proc = start_group(args, env, log)
        try:
            yield proc
        finally:
            stop_group(proc)


DAEMON = [str(BIN / "dagster-daemon"), "run", "-w", str(WORKSPACE)]


@contextmanager
def daemon(env: Mapping[str, str], log_path: Path) -> Iterator[subprocess.Popen]:
    """`dagster-daemon run` on the project's workspace, stopped (with its code server and
    run workers) on the way out."""
    with running_group(DAEMON, env, log_path) as proc:
        yield proc


def launch(job: str, env: Mapping[str, str], run_id: str, *, tags: str | None = None) -> None:
    """`dagster job launch`: the run is queued and the daemon starts it (default launcher)."""
    done = subprocess.run(
        _launch_args(job, run_id, tags),
        cwd=REPO_ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]


@contextmanager
def launching(
    job: str, env: Mapping[str, str], run_id: str, log_path: Path
) -> Iterator[subprocess.Popen]:
    """`dagster job launch` in the background (it loads the code location for a few seconds)
    while the block watches the instance; see `check_launch`."""
    with running_group(_launch_args(job, run_id, None), env, log_path) as proc:
        yield proc


def check_launch(proc: subprocess.Popen) -> None:
    """Raise when a background `dagster job launch` failed (instead of waiting for its run)."""
    if proc.poll() not in (None, 0):
        raise AssertionError(f"dagster job launch failed with exit code {proc.returncode}")


def _launch_args(job: str, run_id: str, tags: str | None) -> list[str]:
    args = [str(BIN / "dagster"), "job", "launch", "-w", str(WORKSPACE), "-j", job]
    return args + ["--run-id", run_id] + (["--tags", tags] if tags else [])


def watch(
    milestones: Mapping[str, Callable[[], object]], timeout: float, every: float = 0.25
) -> dict[str, float]:
    """Poll every probe until each has been true once; returns when each was first seen
    (monotonic time). Probes are polled in order, so a timeline needs no second pass."""
    seen: dict[str, float] = {}
    deadline = time.monotonic() + timeout
    while len(seen) < len(milestones):
        for name, probe in milestones.items():
            if name not in seen and probe():
                seen[name] = time.monotonic()
        if time.monotonic() > deadline:
            missing = [name for name in milestones if name not in seen]
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {missing}")
        time.sleep(every)
    return seen


def wait_for(
    what: str, probe: Callable[[], T | None], timeout: float, every: float = 0.25
) -> tuple[T, float]:
    """Poll until `probe` returns something; returns it and the monotonic time it was seen."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value, time.monotonic()
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def run_status(instance: dg.DagsterInstance, run_id: str) -> dg.DagsterRunStatus | None:
    run = instance.get_run_by_id(run_id)
    return run.status if run else None


WORKER_PID = re.compile(r"Started process for run \(pid: (\d+)\)")


def run_worker_pid(instance: dg.DagsterInstance, run_id: str) -> int | None:
    """The PID of the process executing the run (its code server started it)."""
    for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT):
        match = WORKER_PID.search(record.message or "")
        if match:
            return int(match.group(1))
    return None


def log_messages(instance: dg.DagsterInstance, run_id: str, step: str) -> list[str]:
    """User log lines (`context.log`) of one step, in the order they were stored."""
    return [
        record.user_message
        for record in instance.all_logs(run_id)
        if not record.is_dagster_event and record.step_key == step
    ]


def step_events(instance: dg.DagsterInstance, run_id: str, step: str) -> list[str]:
    return [
        record.dagster_event_type.value
        for record in instance.all_logs(run_id)
        if record.is_dagster_event and record.step_key == step and record.dagster_event_type
    ]


def pool_holders(instance: dg.DagsterInstance, pool: str) -> set[str]:
    """Run ids holding a slot of `pool` right now."""
    return set(instance.event_log_storage.get_concurrency_info(pool).active_run_ids)
