"""DuckDB landing: one read-write connection per stream run, one transaction per batch.

DuckDB allows one writer per file: the connection is held only while a stream is extracted.
"""

import contextlib
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from connectors.core.setting_checks import memory_size
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
from connectors.settings import TUNING
from dwh.duckdb_lock import connect

_RAW_DDL = """
CREATE TABLE IF NOT EXISTS raw.{table} (
    id VARCHAR NOT NULL,
    _cursor TIMESTAMPTZ,
    _raw JSON NOT NULL,
    _extracted_at TIMESTAMPTZ NOT NULL,
    _run_id VARCHAR NOT NULL,
    _load_seq BIGINT NOT NULL
)"""

_META_DDL = (
    """
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS meta;
CREATE TABLE IF NOT EXISTS raw._quarantine (
    source VARCHAR NOT NULL, stream VARCHAR NOT NULL, reason VARCHAR NOT NULL,
    payload VARCHAR, _extracted_at TIMESTAMPTZ NOT NULL, _run_id VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS meta.stream_state (
    source VARCHAR NOT NULL, stream VARCHAR NOT NULL, state JSON,
    updated_at TIMESTAMPTZ NOT NULL, run_id VARCHAR NOT NULL
);
ALTER TABLE meta.stream_state ADD COLUMN IF NOT EXISTS state_version INTEGER;
ALTER TABLE meta.stream_state ADD COLUMN IF NOT EXISTS last_full_scan_started_at TIMESTAMPTZ;
CREATE TABLE IF NOT EXISTS meta.load_seq (
    table_name VARCHAR PRIMARY KEY, last_seq BIGINT NOT NULL
);
"""
    + USAGE_DDL
)

_TIMESTAMP = pa.timestamp("us", tz="UTC")


def _default(name: str) -> str:
    return next(s.default for s in TUNING if s.name == name)


DEFAULT_MEMORY_LIMIT = _default("CONNECTORS_DUCKDB_MEMORY_LIMIT")
DEFAULT_REOPEN_ROWS = int(_default("CONNECTORS_DUCKDB_REOPEN_ROWS"))


class _Catalog:
    """DDL run once per destination, under a lock: sessions of several threads share it."""

    def __init__(self) -> None:
        self._ready: set[str] = set()
        self._lock = threading.Lock()

    def ensure(self, con: duckdb.DuckDBPyConnection, table: str | None = None) -> None:
        if "meta" in self._ready and (table is None or table in self._ready):
            return
        with self._lock:
            if "meta" not in self._ready:
                con.execute(_META_DDL)
                # Every registered vendor's raw tables exist, empty while it is off, so the
                # warehouse's sources of a vendor a company does not use still resolve.
                for name in raw_tables():
                    con.execute(_RAW_DDL.format(table=name))
                    self._ready.add(name)
                self._ready.add("meta")
            if table is not None and table not in self._ready:
                con.execute(_RAW_DDL.format(table=table))
                self._ready.add(table)


class _SharedConnection:
    """The destination's one connection, shared by the sessions of every thread under a lock,
    and closed (then reopened on the next use) every `reopen_rows` landed rows.

    DuckDB keeps memory of appended row groups (tagged BASE_TABLE, ~115 bytes per landed row)
    until its database instance closes, whatever its memory_limit; the instance lives while any
    connection to it is open. With a connection per source thread it never closed during an
    extraction, so the landing process grew with the data. One connection that is reopened
    keeps it flat. Writes were serialised by DuckDB's single writer anyway.
    """

    def __init__(
        self, path: Path, memory_limit: str | None, timeout: float | None, reopen_rows: int
    ) -> None:
        self.path = path
        self.memory_limit = memory_limit
        self.timeout = timeout
        self.reopen_rows = reopen_rows
        self.reopened = 0  # times closed for memory (tests, bench)
        self._con: duckdb.DuckDBPyConnection | None = None
        self._lock = threading.RLock()
        self._sessions = 0
        self._rows = 0

    def attach(self) -> None:
        with self._lock:
            self._sessions += 1

    def detach(self) -> None:
        """The last session closing releases the file for other processes."""
        with self._lock:
            self._sessions -= 1
            if self._sessions == 0:
                self._close()

    @contextlib.contextmanager
    def use(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The open connection, this thread's alone until the block ends."""
        with self._lock:
            if self._con is None:
                self._con = self._open()
            yield self._con

    def landed(self, rows: int) -> None:
        """Counts committed rows; call inside `use()`, between transactions."""
        self._rows += rows
        if self._rows >= self.reopen_rows:
            self._close()
            self.reopened += 1

    def _open(self) -> duckdb.DuckDBPyConnection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Waits (bounded) while another process holds the lock.
        con = connect(self.path, timeout=self.timeout)
        if self.memory_limit:
            # A setting of the database instance, which lives while a connection is open.
            limit = memory_size("CONNECTORS_DUCKDB_MEMORY_LIMIT", self.memory_limit)
            con.execute(f"SET memory_limit = '{limit}'")
        return con

    def _close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None
        self._rows = 0


class DuckDBDestination(OneCallSessions):
    """The warehouse file; `session()` is a stream run's (or a source's) use of it.

    Sources extracted side by side each have a session in their thread; all of them write
    through one shared connection (`_SharedConnection`), a transaction per batch.
    """

    def __init__(
        self,
        path: str | Path,
        memory_limit: str | None = DEFAULT_MEMORY_LIMIT,
        timeout: float | None = None,
        reopen_rows: int = DEFAULT_REOPEN_ROWS,
    ) -> None:
        self.path = Path(path)
        # DuckDB keeps written blocks cached up to 80 % of RAM by default, so the landing
        # process grew with the data; landing needs little (one batch per stream at a time).
        # timeout: lock wait; None = WAREHOUSE_LOCK_TIMEOUT_SECONDS.
        self.shared = _SharedConnection(self.path, memory_limit, timeout, reopen_rows)
        self._catalog = _Catalog()
        self._local = threading.local()

    @contextlib.contextmanager
    def session(self) -> Iterator["DuckDBSession"]:
        """This thread's session; nested calls (extract_source) reuse the open one."""
        current: DuckDBSession | None = getattr(self._local, "session", None)
        if current is not None:
            yield current
            return
        self.shared.attach()
        self._local.session = DuckDBSession(self.shared, self._catalog)
        try:
            yield self._local.session
        finally:
            self._local.session = None
            self.shared.detach()

    def read_state(self, source: str, stream: str) -> StreamState:
        if not self.path.exists():
            return StreamState()  # nothing landed yet: no file to create for a question
        return super().read_state(source, stream)


class DuckDBSession:
    """A thread's use of the shared connection; every `write_batch` is one transaction.

    Opening a connection per page cost more than the insert itself (connect, and a WAL
    checkpoint on every close), so it stays open across batches and streams.
    """

    def __init__(self, shared: _SharedConnection, catalog: _Catalog) -> None:
        self.shared = shared
        self._catalog = catalog

    def read_state(self, source: str, stream: str) -> StreamState:
        with self.shared.use() as con:
            self._catalog.ensure(con)
            row = con.execute(
                "SELECT state FROM meta.stream_state WHERE source = ? AND stream = ?",
                [source, stream],
            ).fetchall()
        return state_from_column(row[0][0] if row else None)

    def read_usage(self, vendor: str, day: date) -> tuple[int, int]:
        with self.shared.use() as con:
            self._catalog.ensure(con)
            rows = con.execute(USAGE_READ.format(p="?"), [vendor, day]).fetchall()
        return (int(rows[0][0]), int(rows[0][1])) if rows else (0, 0)

    def write_batch(self, batch: Batch) -> None:
        table = table_name(batch.source, batch.stream)
        # Built before taking the connection: the other threads' batches land meanwhile.
        rows = _rows_arrow(batch) if batch.rows else None
        quarantine = _quarantine_arrow(batch) if batch.quarantine else None
        with self.shared.use() as con:
            self._catalog.ensure(con, table)
            con.execute("BEGIN TRANSACTION")
            try:
                if rows is not None:
                    _insert_rows(con, table, rows, batch)
                if quarantine is not None:
                    _insert_quarantine(con, quarantine, batch)
                if batch.state is not None:
                    _set_state(con, batch)
                for vendor, day, calls, export_bytes in batch.usage:
                    con.execute(
                        USAGE_ADD.format(p="?"),
                        [vendor, day, calls, export_bytes, batch.extracted_at],
                    )
                con.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(duckdb.Error):
                    con.execute("ROLLBACK")
                raise
            self.shared.landed(len(batch.rows) + len(batch.quarantine))


def _rows_arrow(batch: Batch) -> pa.Table:
    """The batch's rows as columns; `_load_seq` is numbered once the transaction is open."""
    ids, cursors, raws = zip(*batch.rows, strict=True)
    return pa.table(
        {
            "id": pa.array(ids, pa.string()),
            "_cursor": pa.array(cursors, _TIMESTAMP),
            "_raw": pa.array(raws, pa.string()),
        }
    )


def _quarantine_arrow(batch: Batch) -> pa.Table:
    reasons, payloads = zip(*batch.quarantine, strict=True)
    return pa.table(
        {"reason": pa.array(reasons, pa.string()), "payload": pa.array(payloads, pa.string())}
    )


def _last_seq(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """The table's highest _load_seq, from a one-row counter kept in the same transaction.

    Scanning max(_load_seq) on every page made landing slower as the table grew; the
    scan is only the fallback for tables landed before the counter existed.
    """
    # fetchall: DuckDB 2 refuses new work while a result is still open.
    row = con.execute("SELECT last_seq FROM meta.load_seq WHERE table_name = ?", [table]).fetchall()
    if row:
        return int(row[0][0])
    return int(con.execute(f"SELECT coalesce(max(_load_seq), 0) FROM raw.{table}").fetchall()[0][0])


def _insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table, batch: Batch) -> None:
    base = _last_seq(con, table)
    n = rows.num_rows
    numbered = rows.append_column("_load_seq", pa.array(range(base + 1, base + 1 + n), pa.int64()))
    con.register("landing_batch", numbered)
    try:
        con.execute(
            f"INSERT INTO raw.{table} "
            "SELECT id, _cursor, _raw::JSON, ?, ?, _load_seq FROM landing_batch",
            [batch.extracted_at, batch.run_id],
        )
    finally:
        con.unregister("landing_batch")
    con.execute("INSERT OR REPLACE INTO meta.load_seq VALUES (?, ?)", [table, base + n])


def _insert_quarantine(con: duckdb.DuckDBPyConnection, quarantine: pa.Table, batch: Batch) -> None:
    con.register("landing_quarantine", quarantine)
    try:
        con.execute(
            "INSERT INTO raw._quarantine "
            "SELECT ?, ?, reason, payload, ?, ? FROM landing_quarantine",
            [batch.source, batch.stream, batch.extracted_at, batch.run_id],
        )
    finally:
        con.unregister("landing_quarantine")


def _set_state(con: duckdb.DuckDBPyConnection, batch: Batch) -> None:
    con.execute(
        "DELETE FROM meta.stream_state WHERE source = ? AND stream = ?",
        [batch.source, batch.stream],
    )
    con.execute(STATE_INSERT + "VALUES (?, ?, ?::JSON, ?, ?, ?, ?)", state_row(batch))
