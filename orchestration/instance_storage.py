"""Dagster's SQLite storage, initialised by one process at a time.

On a fresh DAGSTER_HOME every Dagster process (webserver, daemon, code server, run worker,
`dagster job launch`) creates the run, schedule and event-index databases and stamps their
Alembic revision. Dagster's run and schedule storages do this without guarding against a
second process doing it at the same moment, so two processes started together fail about one
time in four ("table runs already exists", "UNIQUE constraint failed: alembic_version").

`LockedSqliteStorage` is Dagster's own `DagsterSqliteStorage` whose initialisation runs under
an exclusive `flock` on `<base_dir>/.init.lock`. The kernel drops the lock when its holder
exits, even on SIGKILL, so a crashed start never leaves a stale lock behind (a lock *file*
made with O_EXCL would). Once the databases exist the work under the lock is a few schema
checks, so later starts barely wait. The shipped `.dagster_home/dagster.yaml` selects it; the
PostgreSQL storage of `deploy/` does not need it.
"""

import fcntl
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dagster import Field, StringSource
from dagster._config.config_schema import UserConfigSchema

# Not exported by `dagster`; pinned with the Dagster family and checked by the operations tests.
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage
from dagster._serdes import ConfigurableClassData

LOCK_FILE = ".init.lock"


@contextmanager
def exclusive(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on `lock_path` (created if missing) for the block."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # released by close() or by the holder's death
        yield
    finally:
        os.close(fd)


def default_base_dir() -> str:
    """Where Dagster keeps SQLite storage when dagster.yaml names none: $DAGSTER_HOME/storage."""
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        raise ValueError("DAGSTER_HOME must be set to use LockedSqliteStorage without base_dir")
    return str(Path(home).expanduser().resolve() / "storage")


class LockedSqliteStorage(DagsterSqliteStorage):
    """`DagsterSqliteStorage` whose databases are created and migrated under a file lock."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        with exclusive(Path(base_dir) / LOCK_FILE):
            super().__init__(base_dir, inst_data=inst_data)

    @classmethod
    def config_type(cls) -> UserConfigSchema:
        return {"base_dir": Field(StringSource, is_required=False)}

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData, config_value: Mapping[str, Any]
    ) -> "LockedSqliteStorage":
        # The parent hard-codes its own class here; build this one, at Dagster's default place.
        return cls.from_local(
            base_dir=config_value.get("base_dir") or default_base_dir(), inst_data=inst_data
        )
