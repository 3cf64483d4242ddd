"""Connecting to a Postgres warehouse, with errors that name the setting to fix."""

from typing import Any

from dwh.settings import WarehouseSettingError, redact_dsn

# Refusals no retry heals: a wrong user, password, database or host entry.
_PERMANENT = (
    "password authentication failed",
    "does not exist",
    "no pg_hba.conf entry",
    "invalid dsn",
    "invalid connection option",
    "role",
)


class WarehouseUnavailableError(ConnectionError):
    """Postgres could not be reached (maybe transient: a restart, a network blip)."""


def connect(dsn: str, **kwargs: Any) -> Any:
    """`psycopg.connect`, its failures turned into a message naming WAREHOUSE_POSTGRES_DSN
    (without the password): a `WarehouseSettingError` for a refusal, which is not retried,
    or a `WarehouseUnavailableError` for a server that does not answer."""
    import psycopg

    try:
        return psycopg.connect(dsn, connect_timeout=10, **kwargs)
    except psycopg.OperationalError as exc:
        detail = " ".join(str(exc).split())[:300].replace(dsn, redact_dsn(dsn))
        where = redact_dsn(dsn)
        if any(marker in detail.lower() for marker in _PERMANENT):
            raise WarehouseSettingError(
                "WAREHOUSE_POSTGRES_DSN", f"Postgres refused {where}: {detail}"
            ) from None
        raise WarehouseUnavailableError(
            f"cannot reach Postgres at {where} (WAREHOUSE_POSTGRES_DSN): {detail}"
        ) from None
    except psycopg.ProgrammingError as exc:  # a DSN psycopg cannot parse
        raise WarehouseSettingError(
            "WAREHOUSE_POSTGRES_DSN", f"not a usable DSN: {str(exc)[:200]}"
        ) from None
