"""Waiting for a vendor's asynchronous job (a bulk query, an export): poll with backoff under
a deadline, so a job that never finishes costs bounded time and a bounded number of calls."""

import time
from collections.abc import Callable
from typing import TypeVar

from connectors.core.errors import VendorError

T = TypeVar("T")
FIRST_PAUSE = 0.25


def poll_until_done(
    check: Callable[[], T | None], *, what: str, deadline_seconds: float, longest_pause: float
) -> T:
    """Call `check` until it returns a value (None: not yet), pausing 0.25 s, then twice as
    long each time up to `longest_pause`; past the deadline, a VendorError naming `what` and
    CONNECTORS_BULK_JOB_DEADLINE_SECONDS. `check` raises when the job failed."""
    deadline = time.monotonic() + deadline_seconds
    pause = FIRST_PAUSE
    while True:
        done = check()
        if done is not None:
            return done
        if time.monotonic() + pause > deadline:
            raise VendorError(
                f"{what} not complete within CONNECTORS_BULK_JOB_DEADLINE_SECONDS "
                f"({deadline_seconds:.0f} s)"
            )
        time.sleep(pause)
        pause = min(pause * 2, longest_pause)
