"""Which warehouse the pipeline writes, where it is, and how long a step waits for it.

Every setting has its one default here; nothing else in the project names a warehouse path,
a target or a DSN. Values are read when asked for (never at import), validated at once, and a
wrong value is a `WarehouseSettingError` naming the variable: it is never retried.
"""

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPO_ROOT = Path(__file__).resolve().parents[1]
# The dbt project the pipeline builds: the repository's, or a company's configured copy of it
# (`make demo PROFILE=...` points DBT_PROJECT_DIR at one). Read at import, as the dbt resources
# are built from it once per process.
DBT_PROJECT_DIR = Path(os.environ.get("DBT_PROJECT_DIR") or REPO_ROOT / "dbt_project")

TARGETS = ("duckdb", "postgres")

DEFAULTS: Mapping[str, str] = {
    "WAREHOUSE_TARGET": "duckdb",
    "WAREHOUSE_PATH": "warehouse/warehouse.duckdb",
    "WAREHOUSE_PUBLISHED_PATH": "warehouse/published.duckdb",
    # Oldest DuckDB release that must open the published copy (BI tools embed older DuckDBs).
    "WAREHOUSE_PUBLISHED_STORAGE_VERSION": "v1.1.0",
    "WAREHOUSE_POSTGRES_DSN": "postgresql://postgres@127.0.0.1:5432/test",
    # A dbt child of a killed run or an analyst's notebook usually lets go within minutes.
    "WAREHOUSE_LOCK_TIMEOUT_SECONDS": "300",
    # DuckDB memory of `dbt build`; above it DuckDB spills to disk (a size, or a share: 25%).
    "DBT_DUCKDB_MEMORY_LIMIT": "2GB",
    # DuckDB worker threads of `dbt build` (one database instance shared by dbt's threads):
    # each thread holds its own buffers, so fewer threads also mean less memory per query.
    # Unset, at most the usable cores (default_duckdb_threads).
    "DBT_DUCKDB_THREADS": "4",
    # Models dbt builds at once on the DuckDB target (the profile's `threads`).
    "DBT_THREADS": "4",
    # The publish step copies the marts in the Dagster process: its own DuckDB budget.
    "WAREHOUSE_PUBLISH_MEMORY_LIMIT": "512MB",
    "WAREHOUSE_PUBLISH_THREADS": "2",
}

_MEMORY = re.compile(r"^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB|%)\s*$", re.IGNORECASE)


class WarehouseSettingError(ValueError):
    """A warehouse setting that cannot work as given; the message names the variable."""

    def __init__(self, variable: str, message: str) -> None:
        super().__init__(f"{variable}: {message}")
        self.variable = variable


def memory_size(variable: str, value: str) -> str:
    """A DuckDB memory size (`256MB`, `1GiB`, `25%`), checked: it goes into a SET statement."""
    if not _MEMORY.match(value):
        raise WarehouseSettingError(
            variable, f"expected a size like 256MB, 2GB or 25%, not {value!r}"
        )
    return value.strip()


def resolve_path(value: str) -> Path:
    """Relative paths are relative to the repository root, wherever the process runs."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


def redact_dsn(dsn: str) -> str:
    """The DSN without its password, for messages and metadata."""
    parts = urlsplit(dsn)
    if not parts.password:
        return dsn
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return parts._replace(netloc=netloc).geturl()


def parse_seconds(variable: str, value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise WarehouseSettingError(variable, f"expected seconds, not {value!r}") from None
    if not 0 <= seconds < float("inf"):
        raise WarehouseSettingError(variable, f"expected seconds >= 0, not {value!r}")
    return seconds


def storage_version(variable: str, value: str) -> str:
    """A DuckDB storage version this DuckDB can write (`v1.1.0`, or `latest`), checked with a
    probe in memory: a typo would otherwise fail only at the publish step, after the build."""
    if not re.fullmatch(r"v\d+\.\d+\.\d+|latest", value):
        raise WarehouseSettingError(
            variable,
            "expected a DuckDB release like 'v1.1.0' (the oldest DuckDB that must read the "
            f"published copy) or 'latest', not {value!r}",
        )
    import duckdb

    with duckdb.connect() as probe:
        try:
            probe.execute("ATTACH ':memory:' AS probe (STORAGE_VERSION ?)", [value])
        except duckdb.Error as exc:
            raise WarehouseSettingError(
                variable, f"{value!r} is not a storage version DuckDB {duckdb.__version__} writes"
            ) from exc
    return value


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity: a container's cpuset too)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # no affinity outside Linux
        return os.cpu_count() or 1


def default_duckdb_threads() -> int:
    """DBT_DUCKDB_THREADS when unset: the default, but never more than the usable cores. The
    threads serve every model dbt builds at once; on 2 cores, 4 threads made a 1 % re-run at
    1M leads 15-20 % slower than 2 (bench/README)."""
    return min(int(DEFAULTS["DBT_DUCKDB_THREADS"]), usable_cores())


def positive_int(variable: str, value: str, most: int = 1024) -> int:
    """A whole number from 1 to `most` (threads): it goes into a SET statement and a profile."""
    text = value.strip()
    if not text.isdigit() or not 1 <= int(text) <= most:
        raise WarehouseSettingError(variable, f"expected a whole number 1-{most}, not {value!r}")
    return int(text)


def _path(variable: str, value: str) -> Path:
    if not value.strip() or "\x00" in value:
        raise WarehouseSettingError(variable, f"expected a file path, not {value!r}")
    return resolve_path(value)


def _dsn(variable: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("postgresql", "postgres") or not parts.hostname:
        raise WarehouseSettingError(
            variable,
            "expected postgresql://user[:password]@host[:port]/database, "
            f"not {redact_dsn(value)!r}",
        )
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise WarehouseSettingError(variable, "the port is not a number") from None
    return value


@dataclass(frozen=True)
class WarehouseSettings:
    """The warehouse target and its places, validated."""

    target: str
    path: Path  # DuckDB file the pipeline writes (target duckdb)
    published_path: Path  # the read-only copy for BI tools (always DuckDB)
    postgres_dsn: str  # target postgres
    lock_timeout: float
    dbt_memory_limit: str
    published_storage_version: str = DEFAULTS["WAREHOUSE_PUBLISHED_STORAGE_VERSION"]
    dbt_duckdb_threads: int = int(DEFAULTS["DBT_DUCKDB_THREADS"])
    dbt_threads: int = int(DEFAULTS["DBT_THREADS"])
    publish_memory_limit: str = DEFAULTS["WAREHOUSE_PUBLISH_MEMORY_LIMIT"]
    publish_threads: int = int(DEFAULTS["WAREHOUSE_PUBLISH_THREADS"])

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "WarehouseSettings":
        source = os.environ if env is None else env

        def get(name: str) -> str:
            return source.get(name) or DEFAULTS[name]

        target = get("WAREHOUSE_TARGET").strip().lower()
        if target not in TARGETS:
            raise WarehouseSettingError(
                "WAREHOUSE_TARGET", f"expected one of {', '.join(TARGETS)}, not {target!r}"
            )
        return cls(
            target=target,
            path=_path("WAREHOUSE_PATH", get("WAREHOUSE_PATH")),
            published_path=_path("WAREHOUSE_PUBLISHED_PATH", get("WAREHOUSE_PUBLISHED_PATH")),
            postgres_dsn=(
                _dsn("WAREHOUSE_POSTGRES_DSN", get("WAREHOUSE_POSTGRES_DSN"))
                if target == "postgres"
                else get("WAREHOUSE_POSTGRES_DSN")
            ),
            lock_timeout=parse_seconds(
                "WAREHOUSE_LOCK_TIMEOUT_SECONDS", get("WAREHOUSE_LOCK_TIMEOUT_SECONDS")
            ),
            dbt_memory_limit=memory_size("DBT_DUCKDB_MEMORY_LIMIT", get("DBT_DUCKDB_MEMORY_LIMIT")),
            published_storage_version=storage_version(
                "WAREHOUSE_PUBLISHED_STORAGE_VERSION", get("WAREHOUSE_PUBLISHED_STORAGE_VERSION")
            ),
            dbt_duckdb_threads=(
                positive_int("DBT_DUCKDB_THREADS", source["DBT_DUCKDB_THREADS"])
                if source.get("DBT_DUCKDB_THREADS")
                else default_duckdb_threads()
            ),
            dbt_threads=positive_int("DBT_THREADS", get("DBT_THREADS"), most=64),
            publish_memory_limit=memory_size(
                "WAREHOUSE_PUBLISH_MEMORY_LIMIT", get("WAREHOUSE_PUBLISH_MEMORY_LIMIT")
            ),
            publish_threads=positive_int(
                "WAREHOUSE_PUBLISH_THREADS", get("WAREHOUSE_PUBLISH_THREADS")
            ),
        )

    @classmethod
    def for_duckdb(cls, path: str | Path, **env: str) -> "WarehouseSettings":
        """A DuckDB warehouse at `path`, other settings from `env` or the defaults only."""
        return cls.from_env({**env, "WAREHOUSE_TARGET": "duckdb", "WAREHOUSE_PATH": str(path)})

    @classmethod
    def for_postgres(cls, dsn: str, **env: str) -> "WarehouseSettings":
        """A Postgres warehouse at `dsn`, other settings from `env` or the defaults only."""
        return cls.from_env({**env, "WAREHOUSE_TARGET": "postgres", "WAREHOUSE_POSTGRES_DSN": dsn})

    @property
    def is_postgres(self) -> bool:
        return self.target == "postgres"

    def describe(self) -> str:
        """Where the pipeline writes, in words fit for a log line (no password)."""
        if self.is_postgres:
            return f"Postgres {redact_dsn(self.postgres_dsn)}"
        return f"DuckDB {self.path}"

    def dbt_env(self) -> dict[str, str]:
        """The variables dbt's profiles.yml reads, with absolute paths.

        dbt-postgres wants host, port, user and database separately: the DSN is split here.
        """
        dsn = urlsplit(self.postgres_dsn)
        return {
            "WAREHOUSE_PATH": str(self.path),
            "WAREHOUSE_PUBLISHED_PATH": str(self.published_path),
            "WAREHOUSE_TARGET": self.target,
            "DBT_DUCKDB_MEMORY_LIMIT": self.dbt_memory_limit,
            "DBT_DUCKDB_THREADS": str(self.dbt_duckdb_threads),
            "DBT_THREADS": str(self.dbt_threads),
            "WAREHOUSE_PG_HOST": dsn.hostname or "127.0.0.1",
            "WAREHOUSE_PG_PORT": str(dsn.port or 5432),
            "WAREHOUSE_PG_USER": unquote(dsn.username or "postgres"),
            "WAREHOUSE_PG_PASSWORD": unquote(dsn.password or ""),
            "WAREHOUSE_PG_DBNAME": dsn.path.lstrip("/") or "postgres",
        }
