"""Publish a consistent, read-only copy of the marts for BI tools.

BI tools must never block the pipeline (DuckDB allows one writer) nor see a half-built state.
So the copy is built in a temporary file beside the target and swapped in with an atomic
rename: a reader that opens the published file sees either the previous copy or the new one.

The copy is written in an older DuckDB storage format (WAREHOUSE_PUBLISHED_STORAGE_VERSION,
default v1.1.0) so that the DuckDB builds BI tools embed (CLI, duckdb-node in Evidence,
duckdb-engine in Superset) open it, not only the DuckDB of this pipeline.
"""

import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from dwh.duckdb_lock import connect as connect_duckdb
from dwh.publish_delta import apply_delta, can_carry, columns_of, previous_publish
from dwh.settings import DEFAULTS, WarehouseSettings, memory_size, positive_int

PUBLISHED_SCHEMA = "marts"
PUBLISHED_CATALOG = "published"


@dataclass(frozen=True)
class PublishResult:
    path: Path
    tables: dict[str, int]  # table -> row count
    published_at: datetime
    storage_version: str
    # Carried forward from the previous copy: table -> rows changed in place (tables not
    # listed were copied whole); None when the copy was written fresh.
    changed_rows: dict[str, int] | None = None


def _copy_from_duckdb(
    con: duckdb.DuckDBPyConnection, warehouse: Path, schema: str, *, carried: bool
) -> tuple[list[str], dict[str, int]]:
    """Copy the tables and views of `schema`; on a carried copy (publish_delta), a table that
    exists with the same columns gets only its changed rows. Returns the names and, per
    table updated in place, the rows it changed."""
    # Wait (bounded) for a writer still holding the file, e.g. a dbt child of a killed run.
    connect_duckdb(warehouse, read_only=True).close()
    con.execute("ATTACH ? AS src (READ_ONLY)", [str(warehouse)])  # bound, never spliced
    tables = [
        row[0]
        for row in con.execute(
            "select table_name from duckdb_tables() "
            "where database_name = 'src' and schema_name = ? order by table_name",
            [schema],
        ).fetchall()
    ]
    views = [
        row[0]
        for row in con.execute(
            "select view_name from duckdb_views() "
            "where database_name = 'src' and schema_name = ? and not internal order by 1",
            [schema],
        ).fetchall()
    ]
    names = [*tables, *views]
    existing = set()
    if carried:
        existing = {
            row[0]
            for row in con.execute(
                "select table_name from duckdb_tables() where database_name = ? "
                "and schema_name = ?",
                [PUBLISHED_CATALOG, PUBLISHED_SCHEMA],
            ).fetchall()
        }
        for gone in sorted(existing - set(names)):  # a mart dropped, and the old _publish_info
            con.execute(f'drop table {PUBLISHED_SCHEMA}."{gone}"')
    changed: dict[str, int] = {}
    for name in names:
        source, target = f'src.{schema}."{name}"', f'{PUBLISHED_SCHEMA}."{name}"'
        if name in existing:
            same = columns_of(con, "src", schema, name) == columns_of(
                con, PUBLISHED_CATALOG, PUBLISHED_SCHEMA, name
            )
            rows = apply_delta(con, source, target, source_is_view=name in views) if same else None
            if rows is not None:
                changed[name] = rows
                continue
            con.execute(f"drop table {target}")
        con.execute(f"create table {target} as select * from {source}")
    con.execute("DETACH src")
    return names, changed


# Postgres column types (information_schema) -> Arrow, so the copy keeps the marts' typed
# contract (BIGINT counts, DECIMAL money, DATE periods) instead of types guessed from values.
_ARROW_TYPES = {
    "bigint": pa.int64(),
    "integer": pa.int32(),
    "smallint": pa.int16(),
    "double precision": pa.float64(),
    "real": pa.float32(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamp with time zone": pa.timestamp("us", tz="UTC"),
    "timestamp without time zone": pa.timestamp("us"),
    "character varying": pa.string(),
    "text": pa.string(),
}
_FETCH_ROWS = 50_000


def _arrow_type(data_type: str, precision: int | None, scale: int | None) -> pa.DataType:
    if data_type == "numeric":
        return pa.decimal128(precision, scale or 0) if precision else pa.float64()
    return _ARROW_TYPES.get(data_type, pa.string())


def _insert_arrow(
    con: duckdb.DuckDBPyConnection,
    name: str,
    schema: pa.Schema,
    rows: list[tuple],
    *,
    create: bool,
) -> None:
    """Rows of a Postgres table into the published table through Arrow, typed by `schema`
    (values of a type without an Arrow mapping are copied as text)."""
    arrays = [
        pa.array(
            [
                str(row[i]) if field.type == pa.string() and row[i] is not None else row[i]
                for row in rows
            ],
            type=field.type,
        )
        for i, field in enumerate(schema)
    ]
    con.register("frame", pa.Table.from_arrays(arrays, schema=schema))
    if create:
        con.execute(f'create table {PUBLISHED_SCHEMA}."{name}" as select * from frame')
    else:
        con.execute(f'insert into {PUBLISHED_SCHEMA}."{name}" select * from frame')
    con.unregister("frame")


def _copy_from_postgres(con: duckdb.DuckDBPyConnection, dsn: str, schema: str) -> list[str]:
    from dwh.postgres import connect as connect_postgres  # only for the Postgres target

    names: list[str] = []
    with connect_postgres(dsn) as pg:
        rows = pg.execute(
            "select table_name from information_schema.tables where table_schema = %s order by 1",
            [schema],
        ).fetchall()
        for (name,) in rows:
            columns = pg.execute(
                "select column_name, data_type, numeric_precision, numeric_scale "
                "from information_schema.columns where table_schema = %s and table_name = %s "
                "order by ordinal_position",
                [schema, name],
            ).fetchall()
            arrow_schema = pa.schema([(c[0], _arrow_type(c[1], c[2], c[3])) for c in columns])
            _insert_arrow(con, name, arrow_schema, [], create=True)
            # a server-side cursor: memory stays one batch whatever the table's size
            with pg.cursor(name=f"publish_{len(names)}") as cur:
                cur.execute(f'select * from "{schema}"."{name}"')
                while batch := cur.fetchmany(_FETCH_ROWS):
                    _insert_arrow(con, name, arrow_schema, batch, create=False)
            names.append(name)
    return names


def publish_marts(
    *,
    published_path: Path,
    run_id: str,
    warehouse_path: Path | None = None,
    postgres_dsn: str | None = None,
    source_schema: str = "marts",
    storage_version: str = DEFAULTS["WAREHOUSE_PUBLISHED_STORAGE_VERSION"],
    memory_limit: str = DEFAULTS["WAREHOUSE_PUBLISH_MEMORY_LIMIT"],
    threads: int = int(DEFAULTS["WAREHOUSE_PUBLISH_THREADS"]),
) -> PublishResult:
    """Copy every table and view of `source_schema` into a fresh file, then swap it in.

    `storage_version` is the oldest DuckDB release that must read the file (DuckDB's
    ATTACH ... (STORAGE_VERSION ...)); `memory_limit` and `threads` bound the copy's DuckDB
    (it runs in the caller's process, the Dagster step); dwh.settings validates all three."""
    published_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = published_path.with_name(f".{published_path.name}.{uuid.uuid4().hex}.tmp")
    published_at = datetime.now(UTC)
    source_target = "duckdb" if warehouse_path is not None else "postgres"
    previous = previous_publish(published_path)
    # Only a DuckDB source is compared in place (a Postgres one is streamed through Arrow).
    carried = warehouse_path is not None and can_carry(previous, storage_version, source_target)
    carried_publishes = previous.carried_publishes + 1 if carried and previous else 0
    changed: dict[str, int] | None = None
    try:
        if carried:
            shutil.copyfile(published_path, tmp)
        con = _open_published(tmp, storage_version)
        try:
            # Checked again here: publish_marts is public, and the values go into SET.
            con.execute(f"SET memory_limit = '{memory_size('memory_limit', memory_limit)}'")
            con.execute(f"SET threads = {positive_int('threads', str(threads))}")
            # Above the limit the copy spills beside the new file, not into RAM.
            con.execute("SET temp_directory = ?", [str(tmp.with_name(tmp.name + ".spill"))])
            con.execute(f"create schema if not exists {PUBLISHED_SCHEMA}")
            if warehouse_path is not None:
                names, changed = _copy_from_duckdb(
                    con, warehouse_path, source_schema, carried=carried
                )
            elif postgres_dsn is not None:
                names = _copy_from_postgres(con, postgres_dsn, source_schema)
            else:
                raise ValueError("publish_marts needs warehouse_path or postgres_dsn")
            if not names:
                raise RuntimeError(
                    f"schema {source_schema!r} has no tables to publish; run dbt build first"
                )
            counts = {
                name: con.execute(f'select count(*) from {PUBLISHED_SCHEMA}."{name}"').fetchone()[0]
                for name in names
            }
            con.execute(
                f"create table {PUBLISHED_SCHEMA}._publish_info as "
                "select ?::timestamptz as published_at, ? as run_id, ? as tables, "
                "? as source_target, ? as storage_version, ? as carried_publishes",
                [
                    published_at,
                    run_id,
                    len(names),
                    source_target,
                    storage_version,
                    carried_publishes,
                ],
            )
            con.execute(f"checkpoint {PUBLISHED_CATALOG}")
            con.execute("use memory")
            con.execute(f"detach {PUBLISHED_CATALOG}")
        finally:
            con.close()
        os.replace(tmp, published_path)  # atomic on POSIX: readers see old or new, never half
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)
        shutil.rmtree(tmp.with_name(tmp.name + ".spill"), ignore_errors=True)
    return PublishResult(
        path=published_path,
        tables=counts,
        published_at=published_at,
        storage_version=storage_version,
        changed_rows=changed if carried else None,
    )


def _open_published(path: Path, storage_version: str) -> duckdb.DuckDBPyConnection:
    """An in-memory connection with the new file attached in the requested storage format
    (a file opened with duckdb.connect is written in this DuckDB's own, newest format)."""
    con = duckdb.connect()
    try:
        con.execute(
            f"ATTACH ? AS {PUBLISHED_CATALOG} (STORAGE_VERSION ?)", [str(path), storage_version]
        )
        con.execute(f"use {PUBLISHED_CATALOG}")
    except BaseException:
        con.close()
        raise
    return con


def publish(warehouse: WarehouseSettings, *, run_id: str) -> PublishResult:
    """Publish the marts of the configured warehouse to its published path, in the storage
    format WAREHOUSE_PUBLISHED_STORAGE_VERSION names (the oldest DuckDB that must read it)."""
    return publish_marts(
        published_path=warehouse.published_path,
        run_id=run_id,
        warehouse_path=None if warehouse.is_postgres else warehouse.path,
        postgres_dsn=warehouse.postgres_dsn if warehouse.is_postgres else None,
        storage_version=warehouse.published_storage_version,
        memory_limit=warehouse.publish_memory_limit,
        threads=warehouse.publish_threads,
    )
