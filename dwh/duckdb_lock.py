"""Open a DuckDB file, waiting a bounded time while another process holds its write lock.

DuckDB allows one read-write process per file. The other holder is usually short-lived: a
dbt child left running by a run that was killed, the previous step of an overlapping run, an
analyst's notebook. Failing at once would turn each of those into a failed run; waiting for
ever would hide a stuck holder. So wait up to `WAREHOUSE_LOCK_TIMEOUT_SECONDS` (default 300),
logging who holds the lock, then raise DuckDB's own error (which names the holder's PID).
"""

import logging
import os
import time
from pathlib import Path

import duckdb
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_delay,
    wait_exponential,
)

from dwh.settings import DEFAULTS, parse_seconds

log = logging.getLogger("dwh.duckdb")
LOCK_TIMEOUT_SETTING = "WAREHOUSE_LOCK_TIMEOUT_SECONDS"
# DuckDB's message when another process holds the file (it goes on to name the holder's PID).
LOCK_CONFLICT_MARKER = "Could not set lock"


def is_lock_conflict(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.IOException) and LOCK_CONFLICT_MARKER in str(exc)


def lock_timeout() -> float:
    """WAREHOUSE_LOCK_TIMEOUT_SECONDS, validated (a bad value names the variable)."""
    value = os.environ.get(LOCK_TIMEOUT_SETTING) or DEFAULTS[LOCK_TIMEOUT_SETTING]
    return parse_seconds(LOCK_TIMEOUT_SETTING, value)


def connect(
    path: str | Path, *, read_only: bool = False, timeout: float | None = None
) -> duckdb.DuckDBPyConnection:
    """`duckdb.connect`, retried while the file is locked by another process."""
    limit = lock_timeout() if timeout is None else timeout
    started = time.monotonic()

    def waiting(state: RetryCallState) -> None:
        if state.attempt_number == 1:
            exc = state.outcome.exception() if state.outcome else None
            log.warning("warehouse %s is locked, waiting up to %.0f s: %s", path, limit, exc)

    retrying = Retrying(
        retry=retry_if_exception(is_lock_conflict),
        stop=stop_after_delay(limit),
        wait=wait_exponential(multiplier=0.05, max=2.0),
        before_sleep=waiting,
        reraise=True,
    )
    con = retrying(duckdb.connect, str(path), read_only=read_only)
    if time.monotonic() - started > 1.0:
        log.info("warehouse %s unlocked after %.1f s", path, time.monotonic() - started)
    return con
