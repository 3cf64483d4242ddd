"""Shared fixtures of the operations tests: a small world, and timelines printed at the end."""

from pathlib import Path

import pytest

LEADS = 200
SEED = 19
# Lines the tests add (the killed-run timeline); printed in the terminal summary of the session.
REPORT: list[str] = []


@pytest.fixture(scope="session")
def ops_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sandbox.world import generate

    return generate(tmp_path_factory.mktemp("operations_world"), leads=LEADS, seed=SEED)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    if not REPORT:
        return
    terminalreporter.section("operations")
    for line in REPORT:
        terminalreporter.write_line(line)
