"""Every hostile case on every stream it applies to (make reliability): the scoreboard's hostile
table. Each trial must send nothing to the attacker's host, end within bounded time, and lose
no good record (the next honest run completes the stream)."""

import pytest

from tests.connectors.hostile_support import CASES, run_hostile_case

from .scoreboard import SCOREBOARD

BOUND_SECONDS = 60


@pytest.mark.slow
def test_hostile_matrix_leaks_nothing_hangs_never_loses_nothing(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    for case, targets in CASES.items():
        for source, stream in targets:
            outcome = run_hostile_case(world, tmp_path, case, source, stream)
            SCOREBOARD.hostile.append(outcome.row())
            SCOREBOARD.trials += 1
            assert outcome.foreign_requests == 0, outcome.row()
            assert outcome.bait_landed == 0, outcome.row()
            assert outcome.seconds < BOUND_SECONDS, outcome.row()
            assert outcome.good_lost == 0, outcome.row()
