"""Postgres landing: same tables as DuckDB (JSONB for _raw), rows streamed with COPY.

One connection per stream run, one transaction per batch (like the DuckDB destination).
"""

import contextlib
import threading
from collections.abc import Iterator
from datetime import date

import psycopg

from connectors.core.state import StreamState
from connectors.landing.base import (
    STATE_INSERT,
    USAGE_ADD,
    USAGE_DDL,
    USAGE_READ,
    Batch,
    OneCallSessions,
    state_from_column,
    state_row,
    table_name,
)
from connectors.registry import raw_tables
from dwh.postgres import connect as connect_postgres

_META_DDL = [
    "CREATE SCHEMA IF NOT EXISTS raw",
    "CREATE SCHEMA IF NOT EXISTS meta",
    """CREATE TABLE IF NOT EXISTS raw._quarantine (
        source TEXT NOT NULL, stream TEXT NOT NULL, reason TEXT NOT NULL, payload TEXT,
        _extracted_at TIMESTAMPTZ NOT NULL, _run_id TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS meta.stream_state (
        source TEXT NOT NULL, stream TEXT NOT NULL, state JSONB,
        updated_at TIMESTAMPTZ NOT NULL, run_id TEXT NOT NULL,
        PRIMARY KEY (source, stream))""",
    "ALTER TABLE meta.stream_state ADD COLUMN IF NOT EXISTS state_version INTEGER",
    "ALTER TABLE meta.stream_state ADD COLUMN IF NOT EXISTS last_full_scan_started_at TIMESTAMPTZ",
    USAGE_DDL,
]

_RAW_DDL = """CREATE TABLE IF NOT EXISTS raw.{table} (
    id TEXT NOT NULL, _cursor TIMESTAMPTZ, _raw JSONB NOT NULL,
    _extracted_at TIMESTAMPTZ NOT NULL, _run_id TEXT NOT NULL, _load_seq BIGINT NOT NULL)"""

_DDL_LOCK = threading.Lock()


class PostgresDestination(OneCallSessions):
    """The warehouse database; `session()` is one connection for one stream run."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._ready: set[str] = set()
        self._local = threading.local()  # one session per thread (sources side by side)

    @contextlib.contextmanager
    def session(self) -> Iterator["PostgresSession"]:
        """This thread's connection; nested calls (extract_source) reuse the open one."""
        current: PostgresSession | None = getattr(self._local, "session", None)
        if current is not None:
            yield current
            return
        # autocommit: each write_batch opens its own explicit transaction block.
        with connect_postgres(self.dsn, autocommit=True) as con:
            self._local.session = PostgresSession(con, self._ready)
            try:
                yield self._local.session
            finally:
                self._local.session = None


class PostgresSession:
    """One open connection; every `write_batch` is one transaction on it."""

    def __init__(self, con: psycopg.Connection, ready: set[str]) -> None:
        self.con = con
        self._ready = ready  # shared with the destination: DDL once per table

    def _ensure(self, table: str | None) -> None:
        # DDL once per destination object, one thread at a time: concurrent CREATE ... IF NOT
        # EXISTS can still collide in Postgres's catalog.
        if "meta" in self._ready and (not table or table in self._ready):
            return
        with _DDL_LOCK:
            if "meta" not in self._ready:
                for ddl in _META_DDL:
                    self.con.execute(ddl)
                # Every registered vendor's raw tables, empty while it is off (see duckdb.py).
                for name in raw_tables():
                    self.con.execute(_RAW_DDL.format(table=name))
                    self._ready.add(name)
                self._ready.add("meta")
            if table and table not in self._ready:
                self.con.execute(_RAW_DDL.format(table=table))
                self._ready.add(table)

    def read_usage(self, vendor: str, day: date) -> tuple[int, int]:
        self._ensure(None)
        row = self.con.execute(USAGE_READ.format(p="%s"), [vendor, day]).fetchone()
        return (int(row[0]), int(row[1])) if row else (0, 0)

    def read_state(self, source: str, stream: str) -> StreamState:
        self._ensure(None)
        row = self.con.execute(
            "SELECT state FROM meta.stream_state WHERE source = %s AND stream = %s",
            [source, stream],
        ).fetchone()
        return state_from_column(row[0] if row else None)

    def write_batch(self, batch: Batch) -> None:
        table = table_name(batch.source, batch.stream)
        con = self.con
        self._ensure(table)
        with con.transaction():  # committed on clean exit, rolled back on any exception
            if batch.rows:
                # One writer at a time per table keeps _load_seq strictly increasing.
                con.execute(f"LOCK TABLE raw.{table} IN SHARE ROW EXCLUSIVE MODE")
                row = con.execute(f"SELECT coalesce(max(_load_seq), 0) FROM raw.{table}").fetchone()
                base = int(row[0]) if row else 0
                with con.cursor().copy(
                    f"COPY raw.{table} (id, _cursor, _raw, _extracted_at, _run_id, _load_seq) "
                    "FROM STDIN"
                ) as copy:
                    for offset, r in enumerate(batch.rows, start=1):
                        copy.write_row(
                            (
                                r.id,
                                r.cursor,
                                r.raw_json,
                                batch.extracted_at,
                                batch.run_id,
                                base + offset,
                            )
                        )
            if batch.quarantine:
                with con.cursor().copy(
                    "COPY raw._quarantine (source, stream, reason, payload, _extracted_at, _run_id)"
                    " FROM STDIN"
                ) as copy:
                    for q in batch.quarantine:
                        copy.write_row(
                            (batch.source, batch.stream, q.reason, q.payload,
                             batch.extracted_at, batch.run_id)
                        )  # fmt: skip
            for vendor, day, calls, export_bytes in batch.usage:
                con.execute(
                    USAGE_ADD.format(p="%s"),
                    [vendor, day, calls, export_bytes, batch.extracted_at],
                )
            if batch.state is not None:
                con.execute(
                    STATE_INSERT + "VALUES (%s, %s, %s::jsonb, %s, %s, %s, %s) "
                    "ON CONFLICT (source, stream) "
                    "DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at, "
                    "run_id = EXCLUDED.run_id, state_version = EXCLUDED.state_version, "
                    "last_full_scan_started_at = EXCLUDED.last_full_scan_started_at",
                    state_row(batch),
                )
