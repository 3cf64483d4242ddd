"""Environment policy in one place: where the warehouse lives and which target dbt builds.

Nothing else in the project branches on the environment. Values are read when called (never
at import), so tests can point the pipeline elsewhere by setting variables.
"""

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"

DEFAULTS: Mapping[str, str] = {
    "WAREHOUSE_PATH": "warehouse/warehouse.duckdb",
    "WAREHOUSE_PUBLISHED_PATH": "warehouse/published.duckdb",
    # Oldest DuckDB release that must open the published copy (BI tools embed older DuckDBs).
    "WAREHOUSE_PUBLISHED_STORAGE_VERSION": "v1.1.0",
    "WAREHOUSE_TARGET": "duckdb",
    "WAREHOUSE_POSTGRES_DSN": "postgresql://postgres@127.0.0.1:5432/test",
    "SANDBOX_DATA_DIR": "sandbox_data/default",
    "DATA_DOCS_DIR": "warehouse/data_docs",
}


def setting(name: str, env: Mapping[str, str] | None = None) -> str:
    """One setting from the environment, or its documented default."""
    source = os.environ if env is None else env
    return source.get(name) or DEFAULTS[name]


def resolve_path(value: str) -> Path:
    """Relative paths are relative to the repository root, wherever the process runs."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


@dataclass(frozen=True)
class WarehouseSettings:
    path: Path
    published_path: Path
    target: str
    postgres_dsn: str
    data_docs_dir: Path
    published_storage_version: str = DEFAULTS["WAREHOUSE_PUBLISHED_STORAGE_VERSION"]

    def dbt_env(self) -> dict[str, str]:
        """Variables dbt's profiles.yml reads, with absolute paths (dbt runs in dbt_project/).

        dbt-postgres wants host, port, user and database separately: split the DSN here.
        """
        dsn = urlsplit(self.postgres_dsn)
        return {
            "WAREHOUSE_PATH": str(self.path),
            "WAREHOUSE_PUBLISHED_PATH": str(self.published_path),
            "WAREHOUSE_TARGET": self.target,
            "WAREHOUSE_PG_HOST": dsn.hostname or "127.0.0.1",
            "WAREHOUSE_PG_PORT": str(dsn.port or 5432),
            "WAREHOUSE_PG_USER": unquote(dsn.username or "postgres"),
            "WAREHOUSE_PG_PASSWORD": unquote(dsn.password or ""),
            "WAREHOUSE_PG_DBNAME": dsn.path.lstrip("/") or "postgres",
        }


def warehouse_settings(env: Mapping[str, str] | None = None) -> WarehouseSettings:
    target = setting("WAREHOUSE_TARGET", env)
    if target not in ("duckdb", "postgres"):
        raise ValueError(f"WAREHOUSE_TARGET must be 'duckdb' or 'postgres', not {target!r}")
    return WarehouseSettings(
        path=resolve_path(setting("WAREHOUSE_PATH", env)),
        published_path=resolve_path(setting("WAREHOUSE_PUBLISHED_PATH", env)),
        target=target,
        postgres_dsn=setting("WAREHOUSE_POSTGRES_DSN", env),
        data_docs_dir=resolve_path(setting("DATA_DOCS_DIR", env)),
        published_storage_version=published_storage_version(env),
    )


def published_storage_version(env: Mapping[str, str] | None = None) -> str:
    """WAREHOUSE_PUBLISHED_STORAGE_VERSION, checked against the versions this DuckDB can write
    (a typo would otherwise fail only at the publish step, after the whole build)."""
    value = setting("WAREHOUSE_PUBLISHED_STORAGE_VERSION", env)
    if not re.fullmatch(r"v\d+\.\d+\.\d+|latest", value):
        raise ValueError(
            "WAREHOUSE_PUBLISHED_STORAGE_VERSION must be a DuckDB release like 'v1.1.0' "
            f"(the oldest DuckDB that must read the published copy) or 'latest', not {value!r}"
        )
    import duckdb  # a probe in memory: DuckDB alone knows which storage versions it can write

    with duckdb.connect() as probe:
        try:
            probe.execute("ATTACH ':memory:' AS probe (STORAGE_VERSION ?)", [value])
        except duckdb.Error as exc:
            raise ValueError(
                f"WAREHOUSE_PUBLISHED_STORAGE_VERSION={value!r} is not a storage version "
                f"DuckDB {duckdb.__version__} can write: {exc}"
            ) from exc
    return value
