"""A bulk first load keeps the DuckDB landing's memory flat: the destination's one shared
connection is closed and reopened every CONNECTORS_DUCKDB_REOPEN_ROWS landed rows, which frees
what DuckDB keeps per appended row until its database closes (connectors/landing/duckdb.py)."""

import json
import threading
from datetime import UTC, datetime

import duckdb

from connectors.core.state import StreamState
from connectors.landing.base import Batch, RawRow
from connectors.landing.duckdb import DuckDBDestination

EXTRACTED = datetime(2026, 7, 1, tzinfo=UTC)


def _batch(stream: str, first: int, n: int, cursor: int) -> Batch:
    rows = [
        RawRow(
            str(i), EXTRACTED, json.dumps({"id": i, "email": f"p{i}@example.com", "x": "y" * 300})
        )
        for i in range(first, first + n)
    ]
    state = StreamState(cursor=datetime(2026, 1, cursor, tzinfo=UTC))
    return Batch("marketo", stream, rows, [], state, "r1", EXTRACTED)


def _base_table_bytes(dest: DuckDBDestination) -> int:
    with dest.shared.use() as con:
        row = con.execute(
            "SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory() "
            "WHERE tag = 'BASE_TABLE'"
        ).fetchall()
    return int(row[0][0])


def test_bulk_landing_reopens_duckdb_and_frees_its_row_memory(tmp_path) -> None:
    kept = DuckDBDestination(tmp_path / "kept.duckdb", reopen_rows=10**9)
    reopened = DuckDBDestination(tmp_path / "reopened.duckdb", reopen_rows=50_000)
    held = {}
    for dest in (kept, reopened):
        with dest.session() as landing:
            for b in range(10):
                landing.write_batch(_batch("leads", b * 10_000, 10_000, b + 1))
            held[dest] = _base_table_bytes(dest)
        assert dest.read_state("marketo", "leads").cursor == datetime(2026, 1, 10, tzinfo=UTC)
    assert kept.shared.reopened == 0 and reopened.shared.reopened == 2
    # Kept open, DuckDB holds checkpointed row groups (MBs for 100k rows); just after its
    # second reopen (at 100k rows) the other destination holds at most a block or so.
    assert held[kept] > 2 * 2**20
    assert held[reopened] <= 2**20
    for path in ("kept.duckdb", "reopened.duckdb"):
        con = duckdb.connect(str(tmp_path / path), read_only=True)
        count, seqs, first, last = con.execute(
            "SELECT count(*), count(DISTINCT _load_seq), min(_load_seq), max(_load_seq) "
            "FROM raw.marketo__leads"
        ).fetchone()
        con.close()
        assert (count, seqs, first, last) == (100_000, 100_000, 1, 100_000)


def test_bulk_landing_threads_share_one_connection_without_losing_rows(tmp_path) -> None:
    """Sources extracted side by side write through the one connection, reopened meanwhile."""
    dest = DuckDBDestination(tmp_path / "w.duckdb", reopen_rows=7_000)
    errors: list[BaseException] = []

    def land(stream: str) -> None:
        try:
            with dest.session() as landing:
                for b in range(8):
                    landing.write_batch(_batch(stream, b * 2_000, 2_000, b + 1))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=land, args=(s,)) for s in ("leads", "activities")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    assert dest.shared.reopened == 32_000 // 7_000
    with dest.session() as landing:
        for stream in ("leads", "activities"):
            assert landing.read_state("marketo", stream).cursor == datetime(2026, 1, 8, tzinfo=UTC)
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    for table in ("raw.marketo__leads", "raw.marketo__activities"):
        assert con.execute(
            f"SELECT count(*), count(DISTINCT id), max(_load_seq) FROM {table}"
        ).fetchone() == (16_000, 16_000, 16_000)
    con.close()
