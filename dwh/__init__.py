"""The warehouse: its target (DuckDB or Postgres), places, lock, sessions, publish, dbt profile.

Every other part asks this package where and how to reach the warehouse; none of them branch
on the target or hold a default of their own.
"""

from dwh.settings import (
    DBT_PROJECT_DIR,
    DEFAULTS,
    REPO_ROOT,
    TARGETS,
    WarehouseSettingError,
    WarehouseSettings,
    resolve_path,
)
from dwh.sql import SqlSession, sql_session

__all__ = [
    "DBT_PROJECT_DIR",
    "DEFAULTS",
    "REPO_ROOT",
    "TARGETS",
    "SqlSession",
    "WarehouseSettingError",
    "WarehouseSettings",
    "resolve_path",
    "sql_session",
]
