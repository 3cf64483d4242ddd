"""SIGKILL `python -m connectors extract` at random points, re-run: the landed data stays exact."""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from connectors.landing.duckdb import DuckDBDestination
from connectors.run import close_readers

from .sandbox_support import latest_versions, make_world
from .test_sandbox_integration import FAST, extract_all

serve = pytest.importorskip("sandbox.serve")
ROOT = Path(__file__).resolve().parents[2]


def _cli(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "connectors", "extract", "--source", "all", "--quiet"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _kill_and_resume(tmp_path: Path, trials: int, seed: int) -> None:
    world = make_world(tmp_path / "world", leads=200, seed=7)
    rng = random.Random(seed)
    with serve.running(world) as sb:
        close_readers()
        extract_all(
            world, DuckDBDestination(tmp_path / "reference.duckdb"), {**sb.env, **FAST}, "ref"
        )
        close_readers()
        warehouse = tmp_path / "crashy.duckdb"
        env = {**os.environ, **sb.env, **FAST, "WAREHOUSE_PATH": str(warehouse)}
        kills = 0
        for _ in range(trials):
            proc = _cli(env)
            time.sleep(rng.uniform(0.4, 2.0))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.wait(timeout=60)
        final = _cli(env)
        _, err = final.communicate(timeout=120)
        assert final.returncode == 0, err.decode(errors="replace")[-2000:]
    assert kills > 0
    assert latest_versions(warehouse) == latest_versions(tmp_path / "reference.duckdb")


def test_sigkill_then_rerun_lands_exactly_once(tmp_path) -> None:
    _kill_and_resume(tmp_path, trials=2, seed=1)


@pytest.mark.slow
def test_sigkill_many_times(tmp_path) -> None:
    _kill_and_resume(tmp_path, trials=15, seed=2)
