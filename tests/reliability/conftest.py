"""Shared fixtures of the reliability tests: one sandbox world and one fault-free reference run."""

import os
import shutil
from pathlib import Path

import pytest

from tests.shared_fixture import made_once, world_made_once

from .scoreboard import SCOREBOARD
from .support import PipelineOutcome, pipeline_env, run_pipeline

# 200 leads keep `make test` fast; `make reliability` runs the slow trials on a larger world.
LEADS = int(os.environ.get("RELIABILITY_LEADS", "200"))
SEED = 11


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One world for every worker (the reference run below was made on it)."""
    return world_made_once(tmp_path_factory, "reliability_world", LEADS, SEED)


@pytest.fixture(scope="session")
def reference(world: Path, tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Path:
    """A fault-free pipeline run on the world, made once for every worker; its directory
    (warehouse, published). Tests copy its files before they change anything."""
    from sandbox.serve import running

    def run(run_dir: Path) -> None:
        with running(world) as sandbox:
            outcome: PipelineOutcome = run_pipeline(pipeline_env(run_dir, sandbox.env))
        assert outcome.success, outcome.describe()
        SCOREBOARD.trials += 1
        outcome.count_records()

    return made_once(tmp_path_factory, "reliability_reference", run)


def copy_run(source: Path, target: Path) -> Path:
    """A copy of a run's warehouse and published files (a previous state to start from)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("warehouse.duckdb", "published.duckdb"):
        if (source / name).exists():
            shutil.copy2(source / name, target / name)
    return target


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    if SCOREBOARD.trials == 0 and not os.environ.get("RELIABILITY_SCOREBOARD_ALWAYS"):
        return
    terminalreporter.section("reliability scoreboard")
    for line in SCOREBOARD.lines():
        terminalreporter.write_line(line)
