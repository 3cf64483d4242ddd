"""The landing contract (contracts section 4) every destination implements."""

import json
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple, Protocol

from connectors.core.state import StreamState


class RawRow(NamedTuple):
    """One landed record (a tuple: one is built per record, so it must be cheap)."""

    id: str
    cursor: datetime | None
    raw_json: str


class QuarantineRow(NamedTuple):
    reason: str
    payload: str


@dataclass(frozen=True)
class Batch:
    """Rows of one stream (one page or several) plus the state that covers them: one commit."""

    source: str
    stream: str
    rows: list[RawRow]
    quarantine: list[QuarantineRow]
    state: StreamState | None  # None = leave meta.stream_state as it is
    run_id: str
    extracted_at: datetime
    # (vendor, vendor day, calls, export bytes) spent since the last batch: meta.api_usage.
    usage: list[tuple[str, date, int, int]] = field(default_factory=list)

    @property
    def table(self) -> str:
        return f"{self.source}__{self.stream}"


class LandingSession(Protocol):
    def read_state(self, source: str, stream: str) -> StreamState:
        """The stream's last committed state (empty before its first run)."""
        ...

    def write_batch(self, batch: Batch) -> None:
        """Append rows and quarantine rows, set the state and add the usage, in one
        transaction."""
        ...

    def read_usage(self, vendor: str, day: date) -> tuple[int, int]:
        """(calls, export bytes) recorded in meta.api_usage for the vendor's day."""
        ...


class Destination(LandingSession, Protocol):
    """A warehouse. `read_state`/`write_batch` on it open a connection for that one call;
    `session()` keeps one connection open for a whole stream run (one transaction per batch).
    """

    def session(self) -> AbstractContextManager[LandingSession]: ...


class OneCallSessions:
    """`read_state`/`write_batch` on the destination itself: a session for that one call."""

    def session(self) -> AbstractContextManager[LandingSession]:
        raise NotImplementedError

    def read_state(self, source: str, stream: str) -> StreamState:
        with self.session() as landing:
            return landing.read_state(source, stream)

    def write_batch(self, batch: Batch) -> None:
        with self.session() as landing:
            landing.write_batch(batch)

    def read_usage(self, vendor: str, day: date) -> tuple[int, int]:
        with self.session() as landing:
            return landing.read_usage(vendor, day)


def table_name(source: str, stream: str) -> str:
    """`raw.<source>__<stream>`; names come from declared streams, checked anyway."""
    name = f"{source}__{stream}"
    if not name.replace("_", "").isalnum():
        raise ValueError(f"bad table name {name!r}")
    return name


def state_columns(state: StreamState) -> tuple[str, Any, datetime | None]:
    """meta.stream_state's (state JSON, state_version, last_full_scan_started_at) of a state."""
    data = state.to_json()
    return json.dumps(data, sort_keys=True), data["version"], state.full_scan_started_at


# meta.stream_state's columns as both destinations insert them, in `state_row`'s order.
STATE_INSERT = (
    "INSERT INTO meta.stream_state (source, stream, state, updated_at, run_id, "
    "state_version, last_full_scan_started_at) "
)


def state_row(batch: Batch) -> list[Any]:
    """The values `STATE_INSERT` takes for a batch that carries a state."""
    assert batch.state is not None
    state_json, version, full_scan = state_columns(batch.state)
    return [
        batch.source,
        batch.stream,
        state_json,
        batch.extracted_at,
        batch.run_id,
        version,
        full_scan,
    ]


def state_from_column(value: Any) -> StreamState:
    if value is None:
        return StreamState()
    return StreamState.from_json(value if isinstance(value, dict) else json.loads(value))


# Daily quota spend per vendor day (connectors/core/quota.py), the same SQL on both targets.
USAGE_DDL = """CREATE TABLE IF NOT EXISTS meta.api_usage (
    vendor VARCHAR NOT NULL, day DATE NOT NULL, calls BIGINT NOT NULL,
    export_bytes BIGINT NOT NULL, updated_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (vendor, day))"""
USAGE_READ = "SELECT calls, export_bytes FROM meta.api_usage WHERE vendor = {p} AND day = {p}"
USAGE_ADD = (
    "INSERT INTO meta.api_usage (vendor, day, calls, export_bytes, updated_at) "
    "VALUES ({p}, {p}, {p}, {p}, {p}) ON CONFLICT (vendor, day) DO UPDATE SET "
    "calls = meta.api_usage.calls + excluded.calls, "
    "export_bytes = meta.api_usage.export_bytes + excluded.export_bytes, "
    "updated_at = excluded.updated_at"
)
