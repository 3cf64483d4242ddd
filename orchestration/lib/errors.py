"""Turn the failures an operator can fix into one clear message naming the setting.

Dagster shows the message of a `dg.Failure` at the top of the step's error. Permanent
mistakes (credentials, a wrong setting, an unwritable warehouse path, a full disk) are not
retried by the step's RetryPolicy: waiting would not fix them, it would only delay the alert.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb

from connectors.core import redact
from connectors.core.errors import VendorError
from connectors.resync import WarehouseBusyError
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


def is_warehouse_io_error(exc: BaseException) -> bool:
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
        if warehouse is not None and is_warehouse_io_error(exc):
            raise warehouse_failure(exc, warehouse) from exc
        raise
