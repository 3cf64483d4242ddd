"""Operator mistakes end the run with a clear message and leave the published data intact.

Four runs at once (each in its own directory, starting from a copy of the reference run's
warehouse and published copy): wrong Salesforce password, unreachable Marketo base URL, a
warehouse path that cannot be created, and a full disk (RLIMIT_FSIZE in the child: writes past
the limit fail with EFBIG, as on a full volume).
"""

import resource
import shutil
import signal
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from .scoreboard import SCOREBOARD
from .support import PipelineOutcome, file_digest, pipeline_env, run_pipeline_many

# 8 MB is absorbed: DuckDB keeps a failed checkpoint in its WAL and the run succeeds with
# correct data. 2 MB makes the run fail (the GX steps' writes hit EFBIG first); 4 MB kills the
# driver before it can report. Whichever file fills first, the run must fail clearly.
FILE_SIZE_LIMIT = 2 * 1024 * 1024


@dataclass
class ErrorCase:
    name: str
    extra_env: dict[str, str]
    cause: tuple[str, ...]  # any of these in the failure text names the cause
    setting: str  # the variable an operator has to fix
    fresh_warehouse: bool = False
    preexec_fn: Callable[[], None] | None = None


def _limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of death, like ENOSPC
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _cases(run_root: Path) -> list[ErrorCase]:
    blocker = run_root / "not_a_directory"
    blocker.write_text("a file where the warehouse directory should be\n")
    return [
        ErrorCase(
            "wrong_credentials",
            {"SALESFORCE_PASSWORD": "wrong-password"},
            ("invalid_grant", "authentication failure", "credentials"),
            "SALESFORCE_PASSWORD",
        ),
        ErrorCase(
            "unreachable_base_url",
            {"MARKETO_BASE_URL": f"http://127.0.0.1:{_closed_port()}"},
            ("Connection refused", "ConnectionError", "unreachable"),
            "MARKETO_BASE_URL",
        ),
        ErrorCase(
            "unwritable_warehouse_path",
            {"WAREHOUSE_PATH": str(blocker / "warehouse.duckdb")},
            ("Not a directory", "File exists", "cannot create", "not writable"),
            "WAREHOUSE_PATH",
        ),
        ErrorCase(
            "full_disk",
            {},
            ("File too large", "No space left", "disk", "I/O error"),
            "WAREHOUSE_PATH",
            fresh_warehouse=True,
            preexec_fn=_limit_file_size,
        ),
    ]


@pytest.fixture(scope="module")
def error_runs(
    world: Path, reference: Path, tmp_path_factory: pytest.TempPathFactory
) -> list[tuple[ErrorCase, PipelineOutcome, Path, str]]:
    from sandbox.serve import running

    root = tmp_path_factory.mktemp("clear_errors")
    cases = _cases(root)
    prepared = []
    for case in cases:
        run_dir = root / case.name
        run_dir.mkdir()
        shutil.copy2(reference / "published.duckdb", run_dir / "published.duckdb")
        if not case.fresh_warehouse:
            shutil.copy2(reference / "warehouse.duckdb", run_dir / "warehouse.duckdb")
        prepared.append((case, run_dir, file_digest(run_dir / "published.duckdb")))
    with running(world) as sandbox:
        envs = [
            pipeline_env(run_dir, sandbox.env, CONNECTORS_MAX_ATTEMPTS="2", **case.extra_env)
            for case, run_dir, _ in prepared
        ]
        outcomes = run_pipeline_many(envs, [case.preexec_fn for case in cases])
    SCOREBOARD.trials += len(cases)
    for case in cases:
        SCOREBOARD.faults[f"operator_error_{case.name}"] += 1
    return [
        (case, outcome, run_dir, digest)
        for (case, run_dir, digest), outcome in zip(prepared, outcomes, strict=True)
    ]


def _failure_text(outcome: PipelineOutcome) -> str:
    return "\n".join((outcome.result or {}).get("failures", [])) or outcome.stderr[-5000:]


def test_each_mistake_fails_the_run_names_the_cause_and_keeps_the_published_copy(
    error_runs,
) -> None:  # type: ignore[no-untyped-def]
    problems = []
    for case, outcome, run_dir, digest in error_runs:
        text = _failure_text(outcome)
        if outcome.success or outcome.returncode == 0:
            problems.append(f"{case.name}: the run succeeded")
        if not any(word.lower() in text.lower() for word in case.cause):
            problems.append(f"{case.name}: no cause {case.cause} in {text[-800:]!r}")
        if file_digest(run_dir / "published.duckdb") != digest:
            problems.append(f"{case.name}: the published copy changed")
    assert not problems, problems


def test_each_mistake_names_the_setting_to_fix(error_runs) -> None:  # type: ignore[no-untyped-def]
    missing = [
        case.name
        for case, outcome, _, _ in error_runs
        if case.setting not in _failure_text(outcome)
    ]
    assert not missing, missing
