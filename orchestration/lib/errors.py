"""Turn the failures an operator can fix into one clear message naming the setting.

Dagster shows the message of a `dg.Failure` at the top of the step's error. Permanent
mistakes (credentials, a wrong setting, an unwritable warehouse path, a full disk) are not
retried by the step's RetryPolicy: waiting would not fix them, it would only delay the alert.
A warehouse another process keeps locked past WAREHOUSE_LOCK_TIMEOUT_SECONDS is transient, and
reported with its holder (PID and command) rather than as a bad WAREHOUSE_PATH.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
import psutil

from connectors.core import redact
from connectors.core.errors import VendorError
from connectors.resync import WarehouseBusyError
from dwh.duckdb_lock import LOCK_CONFLICT_MARKER, LOCK_TIMEOUT_SETTING
from dwh.postgres import WarehouseUnavailableError
from dwh.settings import WarehouseSettingError, WarehouseSettings

# DuckDB reports a full disk or an unwritable file as an IOException; the OS text stays in it.
WAREHOUSE_IO_MARKERS = (
    "IO Error",
    "No space left",
    "File too large",
    "Permission denied",
    "Read-only",
)

# "... Conflicting lock is held in /usr/bin/python3.11 (PID 4242) by user etl. See also ..."
LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


def is_lock_conflict_message(text: str) -> bool:
    """DuckDB's lock error, also when it reaches us as text (dbt's log, a dbt failure)."""
    return LOCK_CONFLICT_MARKER in text


def lock_holder(text: str) -> str:
    """Who holds the warehouse, from DuckDB's lock error: PID, program and, while it still
    runs, the start of its command line (e.g. `PID 4242 (dbt build --target)`)."""
    match = LOCK_HOLDER.search(text)
    if match is None:
        return "another process"
    pid = int(match.group("pid"))
    try:
        argv = psutil.Process(pid).cmdline()
    except psutil.Error:  # gone by now, or not ours to inspect
        argv = []
    command = " ".join([Path(argv[0]).name, *argv[1:3]]) if argv else ""
    command = " ".join(command.split()) or Path(match.group("program")).name
    return f"PID {pid} ({redact(command)[:120]})"


def warehouse_locked_failure(
    text: str, warehouse: WarehouseSettings, waited: float | None = None
) -> dg.Failure:
    """The warehouse stayed locked for the whole lock timeout: name the holder, not the path."""
    waited = warehouse.lock_timeout if waited is None else waited
    return dg.Failure(
        description=(
            f"the warehouse {warehouse.path} is still locked by {lock_holder(text)} after "
            f"{waited:.0f} s of waiting ({LOCK_TIMEOUT_SETTING}). Stop that "
            "process (a notebook, a second pipeline, the dbt child of a killed run) or raise "
            "the timeout; BI tools must read the published copy."
        ),
    )


def is_warehouse_io_error(exc: BaseException) -> bool:
    if is_lock_conflict_message(str(exc)):
        return False  # waited for, then reported with its holder (warehouse_locked_failure)
    if isinstance(exc, OSError):
        return True
    text = str(exc)
    return isinstance(exc, duckdb.IOException) or any(m in text for m in WAREHOUSE_IO_MARKERS)


def warehouse_failure(exc: BaseException, warehouse: WarehouseSettings) -> dg.Failure:
    setting = "WAREHOUSE_POSTGRES_DSN" if warehouse.is_postgres else "WAREHOUSE_PATH"
    return dg.Failure(
        description=(
            f"cannot write the warehouse ({warehouse.describe()}): {redact(str(exc))}. Check "
            f"{setting} (a writable place with free disk space). The published copy for BI "
            "is untouched."
        ),
        allow_retries=False,
    )


@contextmanager
def operator_errors(warehouse: WarehouseSettings | None = None) -> Iterator[None]:
    """Re-raise setting mistakes as a non-retried `dg.Failure` naming what to fix."""
    try:
        yield
    except (VendorError, WarehouseSettingError, WarehouseBusyError) as exc:
        # wrong credentials or settings, quota spent, a request the vendor refuses, a reset
        # refused while another process writes
        raise dg.Failure(description=redact(str(exc)), allow_retries=False) from exc
    except WarehouseUnavailableError:
        raise  # Postgres not answering may be a restart: the step's retry policy applies
    except (OSError, duckdb.Error) as exc:
        if warehouse is not None and is_lock_conflict_message(str(exc)):
            raise warehouse_locked_failure(str(exc), warehouse) from exc  # waited it all
        if warehouse is not None and is_warehouse_io_error(exc):
            raise warehouse_failure(exc, warehouse) from exc
        raise
