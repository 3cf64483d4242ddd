"""A hostile or broken vendor: no credential leaves the vendor's origin, no loop runs
unbounded, one bad record costs one quarantine row, and the next honest run loses nothing."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.core.errors import ResponseDeadlineError, UntrustedOriginError
from connectors.core.paging import PagingError

from .hostile_support import CASES, HostileOutcome, run_hostile_case
from .sandbox_support import make_world

BOUND_SECONDS = 30  # every case ends well within this on the shared 2-core machine


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_world(tmp_path_factory.mktemp("hostile_world"), leads=200, seed=7)


def _trial(world: Path, tmp_path: Path, case: str) -> HostileOutcome:
    source, stream = CASES[case][0]
    outcome = run_hostile_case(world, tmp_path, case, source, stream)
    assert outcome.foreign_requests == 0, "a request reached the attacker's host"
    assert outcome.bait_landed == 0, "the attacker's answer was landed as data"
    assert outcome.seconds < BOUND_SECONDS, outcome.row()
    assert outcome.good_lost == 0, outcome.row()
    return outcome


@pytest.mark.parametrize("case", ["foreign_next_url", "foreign_instance_url", "redirect_foreign"])
def test_hostile_answers_never_take_requests_to_another_host(
    world: Path, tmp_path: Path, case: str
) -> None:
    outcome = _trial(world, tmp_path, case)
    assert isinstance(outcome.error, UntrustedOriginError), outcome.row()
    message = str(outcome.error)
    assert f"{outcome.source}.{outcome.stream}" in message  # names the stream
    assert "127.0.0.1:" in message and "refused" in message  # and the refused host


def test_hostile_repeating_cursor_is_an_error_not_a_loop(world: Path, tmp_path: Path) -> None:
    outcome = _trial(world, tmp_path, "repeat_cursor")
    assert isinstance(outcome.error, PagingError), outcome.row()
    assert "gong.calls" in str(outcome.error)
    assert outcome.result is None


def test_hostile_trickling_body_hits_the_response_deadline(world: Path, tmp_path: Path) -> None:
    outcome = _trial(world, tmp_path, "trickle_body")
    assert isinstance(outcome.error, ResponseDeadlineError), outcome.row()
    assert "CONNECTORS_RESPONSE_DEADLINE_SECONDS" in str(outcome.error)


def test_hostile_future_cursor_lands_the_record_but_not_the_cursor(
    world: Path, tmp_path: Path
) -> None:
    outcome = _trial(world, tmp_path, "future_modstamp")
    assert outcome.error is None and outcome.result is not None, outcome.row()
    assert outcome.result.future_dated == 1
    assert outcome.missing == 0  # the record with the year-2999 stamp landed too
    assert outcome.result.cursor_after is not None
    assert datetime.fromisoformat(outcome.result.cursor_after) <= datetime.now(UTC)


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("deep_json", "nested deeper than"),
        ("invalid_utf8", "invalid UTF-8"),
        ("wrong_typed_ids", "not a number"),
    ],
)
def test_hostile_bad_record_is_quarantined_and_the_rest_lands(
    world: Path, tmp_path: Path, case: str, reason: str
) -> None:
    outcome = _trial(world, tmp_path, case)
    assert outcome.error is None, outcome.row()
    assert outcome.quarantined == 1 and reason in outcome.reasons[0], outcome.reasons
    assert outcome.missing <= outcome.quarantined  # only the bad record is missing


def test_hostile_too_deep_values_are_cut_out_not_the_page() -> None:
    from connectors.core.http import TooDeep, decode_json

    deep = b"[" * 10_000 + b'"]]\\"["' + b"]" * 10_000
    body = b'{"records": [{"Id": "a", "x": ' + deep + b'}, {"Id": "b", "s": "ok \\" [[ {"}]}'
    records = decode_json(body)["records"]
    assert records[1] == {"Id": "b", "s": 'ok " [[ {'}  # brackets inside strings are text
    value = records[0]["x"]
    while isinstance(value, list):
        value = value[0]
    assert isinstance(value, TooDeep) and value.excerpt.startswith("[[[")
