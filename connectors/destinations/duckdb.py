"""DuckDB landing: one short read-write connection per batch (DuckDB allows one writer)."""

import contextlib
import json
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from connectors.destinations.base import Batch, table_name

_RAW_DDL = """
CREATE TABLE IF NOT EXISTS raw.{table} (
    id VARCHAR NOT NULL,
    _cursor TIMESTAMPTZ,
    _raw JSON NOT NULL,
    _extracted_at TIMESTAMPTZ NOT NULL,
    _run_id VARCHAR NOT NULL,
    _load_seq BIGINT NOT NULL
)"""

_META_DDL = """
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
CREATE TABLE IF NOT EXISTS meta.load_seq (
    table_name VARCHAR PRIMARY KEY, last_seq BIGINT NOT NULL
);
"""

_TIMESTAMP = pa.timestamp("us", tz="UTC")


class DuckDBDestination:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._ready_tables: set[str] = set()

    def _connect(self) -> duckdb.DuckDBPyConnection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return duckdb.connect(str(self.path))

    def read_state(self, source: str, stream: str) -> dict[str, Any] | None:
        if not self.path.exists():
            return None
        con = self._connect()
        try:
            con.execute(_META_DDL)
            row = con.execute(
                "SELECT state FROM meta.stream_state WHERE source = ? AND stream = ?",
                [source, stream],
            ).fetchall()
        finally:
            con.close()
        return json.loads(row[0][0]) if row and row[0][0] is not None else None

    @staticmethod
    def _last_seq(con: duckdb.DuckDBPyConnection, table: str) -> int:
        """The table's highest _load_seq, from a one-row counter kept in the same transaction.

        Scanning max(_load_seq) on every page made landing slower as the table grew; the
        scan is only the fallback for tables landed before the counter existed.
        """
        # fetchall: DuckDB 2 refuses new work while a result is still open.
        row = con.execute(
            "SELECT last_seq FROM meta.load_seq WHERE table_name = ?", [table]
        ).fetchall()
        if row:
            return int(row[0][0])
        return int(
            con.execute(f"SELECT coalesce(max(_load_seq), 0) FROM raw.{table}").fetchall()[0][0]
        )

    def write_batch(self, batch: Batch) -> None:
        table = table_name(batch.source, batch.stream)
        con = self._connect()
        try:
            if table not in self._ready_tables:
                con.execute(_META_DDL)
                con.execute(_RAW_DDL.format(table=table))
                self._ready_tables.add(table)
            con.execute("BEGIN TRANSACTION")
            if batch.rows:
                base = self._last_seq(con, table)
                n = len(batch.rows)
                arrow = pa.table(
                    {
                        "id": pa.array([r.id for r in batch.rows], pa.string()),
                        "_cursor": pa.array([r.cursor for r in batch.rows], _TIMESTAMP),
                        "_raw": pa.array([r.raw_json for r in batch.rows], pa.string()),
                        "_load_seq": pa.array(range(base + 1, base + 1 + n), pa.int64()),
                    }
                )
                con.register("landing_batch", arrow)
                con.execute(
                    f"INSERT INTO raw.{table} "
                    "SELECT id, _cursor, _raw::JSON, ?, ?, _load_seq FROM landing_batch",
                    [batch.extracted_at, batch.run_id],
                )
                con.unregister("landing_batch")
                con.execute("INSERT OR REPLACE INTO meta.load_seq VALUES (?, ?)", [table, base + n])
            if batch.quarantine:
                qarrow = pa.table(
                    {
                        "reason": pa.array([q.reason for q in batch.quarantine], pa.string()),
                        "payload": pa.array([q.payload for q in batch.quarantine], pa.string()),
                    }
                )
                con.register("landing_quarantine", qarrow)
                con.execute(
                    "INSERT INTO raw._quarantine "
                    "SELECT ?, ?, reason, payload, ?, ? FROM landing_quarantine",
                    [batch.source, batch.stream, batch.extracted_at, batch.run_id],
                )
                con.unregister("landing_quarantine")
            if batch.state is not None:
                con.execute(
                    "DELETE FROM meta.stream_state WHERE source = ? AND stream = ?",
                    [batch.source, batch.stream],
                )
                con.execute(
                    "INSERT INTO meta.stream_state VALUES (?, ?, ?::JSON, ?, ?)",
                    [
                        batch.source,
                        batch.stream,
                        json.dumps(batch.state, sort_keys=True),
                        batch.extracted_at,
                        batch.run_id,
                    ],
                )
            con.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            raise
        finally:
            con.close()
