"""Re-sync one stream: forget its cursor (full re-read) or rewind it to a time.

After a vendor-side fix (a bulk update that wrote no change marker, a repaired field), the
records a stream already passed must be read again. The next extraction then re-reads them;
staging keeps the latest version of each record, so nothing is counted twice. Each reset is
recorded in `meta.stream_resets` (who asked, the state before and after) in the same
transaction as the new state. A reset refuses to run while another process writes the
warehouse: a reset under a running extraction would be overwritten by its next commit.
"""

import json
from dataclasses import dataclass
from datetime import datetime

import duckdb

from connectors.core.errors import ConfigurationError, ConnectorError
from connectors.core.state import StreamState
from connectors.core.timeutil import to_iso, utcnow
from connectors.landing.base import state_columns, state_from_column
from connectors.registry import get_vendor
from dwh.duckdb_lock import is_lock_conflict
from dwh.settings import WarehouseSettings
from dwh.sql import SqlSession, sql_session

RESETS_DDL = """
create table if not exists meta.stream_resets (
    source varchar not null,
    stream varchar not null,
    mode varchar not null,
    from_time timestamptz,
    state_before varchar,
    state_after varchar not null,
    run_id varchar not null,
    reset_at timestamptz not null
)"""


@dataclass(frozen=True)
class Resync:
    source: str
    stream: str
    mode: str  # "full" (everything again) or "from" (from `from_time` on)
    from_time: datetime | None
    cursor_before: str | None
    cursor_after: str | None
    run_id: str

    def describe(self) -> str:
        what = "full re-sync" if self.mode == "full" else f"re-read from {self.cursor_after}"
        return f"{self.source}.{self.stream}: {what} (cursor was {self.cursor_before or 'unset'})"


class WarehouseBusyError(ConnectorError):
    """Another process writes the warehouse: a reset now would be overwritten."""


def rewound(state: StreamState, since: datetime | None) -> StreamState:
    """The state a re-sync leaves: empty (full), or every cursor moved back to `since`."""
    if since is None:
        return StreamState()
    if state.cursor is not None and since > state.cursor:
        raise ConfigurationError(
            f"--from {to_iso(since)} is later than the committed cursor {to_iso(state.cursor)}: "
            "moving a cursor forward would skip records",
            ("--from",),
        )
    partitions = {k: min(v, since) if v else None for k, v in state.partition_cursors.items()}
    return state.evolve(cursor=since, partition_cursors=partitions, scan_started_at=None)


def resync_stream(
    warehouse: WarehouseSettings,
    source: str,
    stream: str,
    *,
    since: datetime | None,
    run_id: str,
) -> Resync:
    """Reset or rewind one stream's committed state, or refuse (another writer, no state)."""
    get_vendor(source).stream(stream)  # an unknown source or stream is a KeyError naming both
    try:
        # lock_timeout=0: a writer holding the DuckDB file is a refusal, not a wait.
        with sql_session(warehouse, lock_timeout=0) as sql:
            return _reset(sql, source, stream, since, run_id)
    except duckdb.IOException as exc:
        if not is_lock_conflict(exc):
            raise
        raise WarehouseBusyError(
            f"re-sync of {source}.{stream} refused: another process writes the warehouse "
            f"({' '.join(str(exc).split())[:300]}); run it when no pipeline run is active"
        ) from None


def _reset(
    sql: SqlSession, source: str, stream: str, since: datetime | None, run_id: str
) -> Resync:
    sql.execute("create schema if not exists meta")
    sql.execute(RESETS_DDL)
    rows = sql.fetchall(
        "select state from meta.stream_state where source = ? and stream = ?",
        [source, stream],
    )
    if not rows:
        raise ConfigurationError(
            f"{source}.{stream} has no committed state yet: nothing to re-sync "
            "(its first extraction reads everything anyway)",
            ("--source", "--stream"),
        )
    before = state_from_column(rows[0][0])
    after = rewound(before, since)
    state_json, version, full_scan = state_columns(after)
    now = utcnow()
    with sql.transaction():
        sql.execute(
            "update meta.stream_state set state = cast(? as json), state_version = ?, "
            "last_full_scan_started_at = ?, updated_at = ?, run_id = ? "
            "where source = ? and stream = ?",
            [state_json, version, full_scan, now, run_id, source, stream],
        )
        sql.execute(
            "insert into meta.stream_resets values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                source,
                stream,
                "full" if since is None else "from",
                since,
                json.dumps(before.to_json(), sort_keys=True),
                state_json,
                run_id,
                now,
            ],
        )
    return Resync(
        source=source,
        stream=stream,
        mode="full" if since is None else "from",
        from_time=since,
        cursor_before=to_iso(before.cursor) if before.cursor else None,
        cursor_after=to_iso(after.cursor) if after.cursor else None,
        run_id=run_id,
    )
