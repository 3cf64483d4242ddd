"""Turn the failures an operator can fix into one clear message naming the setting.

Dagster shows the message of a `dg.Failure` at the top of the step's error. Permanent
mistakes (credentials, an unwritable warehouse path, a full disk) are not retried by the step's
RetryPolicy: waiting would not fix them, it would only delay the alert.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from connectors.core import redact
from connectors.core.errors import VendorError

# DuckDB reports a full disk or an unwritable file as an IOException; the OS text stays in it.
WAREHOUSE_IO_MARKERS = (
    "IO Error",
    "No space left",
    "File too large",
    "Permission denied",
    "Read-only",
)


def is_warehouse_io_error(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return True
    text = str(exc)
    return isinstance(exc, duckdb.IOException) or any(m in text for m in WAREHOUSE_IO_MARKERS)


def warehouse_failure(exc: BaseException, path: Path) -> dg.Failure:
    return dg.Failure(
        description=(
            f"cannot write the warehouse at {path}: {redact(str(exc))}. Check WAREHOUSE_PATH "
            "(the directory must be writable, with free disk space). The published copy for "
            "BI is untouched."
        ),
        allow_retries=False,
    )


@contextmanager
def operator_errors(warehouse_path: Path) -> Iterator[None]:
    """Re-raise setting mistakes as a non-retried `dg.Failure` naming what to fix."""
    try:
        yield
    except VendorError as exc:  # wrong credentials, quota spent, request the vendor refuses
        raise dg.Failure(description=str(exc), allow_retries=False) from exc
    except (OSError, duckdb.Error) as exc:
        if is_warehouse_io_error(exc):
            raise warehouse_failure(exc, warehouse_path) from exc
        raise
