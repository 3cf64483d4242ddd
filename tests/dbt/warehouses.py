"""Land a data dir and `dbt build` it on DuckDB or Postgres; read the marts back."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import psycopg

from tests.dbt.dbt_runner import (
    DBT_PROJECT_DIR,
    configured_project,
    postgres_env,
    run_dbt,
    vars_args,
)
from tests.dbt.raw_loader import land_duckdb, land_postgres

POSTGRES_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class BuiltWarehouse:
    target: str
    location: str  # DuckDB file path or Postgres DSN
    dbt_output: str

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if self.target == "duckdb":
            with duckdb.connect(self.location, read_only=True) as conn:
                return conn.execute(sql).fetchall()
        with psycopg.connect(self.location) as conn:
            return conn.execute(sql).fetchall()


class DbtBuildError(AssertionError):
    pass


def _build(
    target: str, env: dict[str, str], work_dir: Path, select: list[str], config_dir: Path | None
) -> str:
    """dbt build; with `config_dir` (a company's seeds/ and vars.yml) on a copy of the
    project configured as docs/configure.md says."""
    project, dbt_vars = DBT_PROJECT_DIR, {}
    if config_dir is not None:
        project, dbt_vars = configured_project(config_dir, work_dir)
    args = ["build", "--target", target, *(["--select", *select] if select else [])]
    args += vars_args(dbt_vars)
    result = run_dbt(
        args, env=env, target_path=work_dir / f"dbt_target_{target}", project_dir=project
    )
    output = result.stdout + result.stderr
    if result.returncode != 0:
        raise DbtBuildError(f"dbt build on {target} failed:\n{output[-6000:]}")
    return output


def build_duckdb(
    data_dir: Path,
    work_dir: Path,
    select: list[str] | None = None,
    config_dir: Path | None = None,
) -> BuiltWarehouse:
    database = work_dir / "warehouse.duckdb"
    land_duckdb(data_dir, database)
    env = {"WAREHOUSE_PATH": str(database)}
    output = _build("duckdb", env, work_dir, select or [], config_dir)
    return BuiltWarehouse("duckdb", str(database), output)


@contextmanager
def scratch_postgres_database() -> Iterator[str]:
    """A database of our own (parallel test runs must not share schemas), dropped afterwards."""
    name = f"dbt_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f"create database \"{name}\" encoding 'UTF8' template template0")
    try:
        yield name
    finally:
        with psycopg.connect(POSTGRES_ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'drop database if exists "{name}" with (force)')


def build_postgres(
    data_dir: Path,
    work_dir: Path,
    database: str,
    select: list[str] | None = None,
    config_dir: Path | None = None,
) -> BuiltWarehouse:
    dsn = f"postgresql://postgres@127.0.0.1:5432/{database}"
    land_postgres(data_dir, dsn)
    output = _build("postgres", postgres_env(database), work_dir, select or [], config_dir)
    return BuiltWarehouse("postgres", dsn, output)
