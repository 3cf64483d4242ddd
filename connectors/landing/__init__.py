"""Landing: records of a page become raw rows (or quarantine rows) and are committed, with the
stream state that covers them, to the warehouse's raw layer (DuckDB or Postgres)."""

from connectors.landing.base import Batch, Destination, LandingSession, QuarantineRow, RawRow
from connectors.settings import Settings
from dwh.settings import WarehouseSettings


def destination_for(warehouse: WarehouseSettings, settings: Settings) -> Destination:
    """The landing destination of the configured warehouse target, tuned by `settings`."""
    if warehouse.is_postgres:
        from connectors.landing.postgres import PostgresDestination

        return PostgresDestination(warehouse.postgres_dsn)
    from connectors.landing.duckdb import DuckDBDestination

    warehouse.path.parent.mkdir(parents=True, exist_ok=True)
    return DuckDBDestination(
        warehouse.path,
        memory_limit=settings.value("CONNECTORS_DUCKDB_MEMORY_LIMIT"),
        timeout=warehouse.lock_timeout,
        reopen_rows=settings.value("CONNECTORS_DUCKDB_REOPEN_ROWS"),
    )


__all__ = [
    "Batch",
    "Destination",
    "LandingSession",
    "QuarantineRow",
    "RawRow",
    "destination_for",
]
