"""A stream's state: what the next run resumes from. Typed, versioned, defined once.

Stored as JSON in `meta.stream_state.state` (written in the transaction of the batch it
covers). `full_scan_started_at` is also written to its own column,
`meta.stream_state.last_full_scan_started_at`, because dbt reads it (a record whose last
landing is older than the last completed full scan was deleted upstream).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Any

from connectors.core.timeutil import BadTimestamp, parse_datetime, to_iso

STATE_VERSION = 2


def _time(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        return parse_datetime(value)
    except BadTimestamp:
        return None  # an unreadable stored value restarts that part, never crashes a run


def _ids(value: Any) -> tuple[int, ...] | None:
    if not isinstance(value, list):
        return None
    return tuple(int(v) for v in value if isinstance(v, int) and not isinstance(v, bool))


@dataclass(frozen=True)
class BulkPass:
    """A bulk read under way (Salesforce Bulk API 2.0, Marketo Bulk Extract): enough to resume
    it after a crash without reading twice what was committed."""

    since: datetime | None  # the stream's cursor when the pass began (None: from the start)
    until: datetime  # when the pass began: later changes are left to the increments
    job_id: str | None = None  # the vendor's job or export in progress
    position: str | None = None  # where its results go on (a locator, a byte offset)
    window_start: datetime | None = None  # the window of the job (Marketo: <= 31 days)
    window_end: datetime | None = None  # its end (Marketo sizes windows to the allowance)
    records: int = 0  # records landed by the pass so far
    # Marketo: export file bytes per second of window, the densest seen in this pass (sizes the
    # next windows to the daily allowance on every day the pass spans).
    bytes_per_second: float = 0.0
    # Marketo activities: the types this pass exports (None: every type), fixed when it begins
    # so a changed setting cannot leave a type out of windows already read.
    type_ids: tuple[int, ...] | None = None
    # Marketo: the next window's export (from `window_end` to `ahead_end`), queued while this
    # one is read, so a run after a kill reads it instead of leaving it to spend the day's
    # volume unseen.
    ahead_job_id: str | None = None
    ahead_end: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        out["type_ids"] = list(self.type_ids) if self.type_ids is not None else None
        return {k: to_iso(v) if isinstance(v, datetime) else v for k, v in out.items()}

    @classmethod
    def from_json(cls, data: Any) -> "BulkPass | None":
        if not isinstance(data, Mapping) or _time(data.get("until")) is None:
            return None
        return cls(
            since=_time(data.get("since")),
            until=_time(data["until"]),  # type: ignore[arg-type]
            job_id=str(data["job_id"]) if data.get("job_id") else None,
            position=str(data["position"]) if data.get("position") else None,
            window_start=_time(data.get("window_start")),
            window_end=_time(data.get("window_end")),
            records=int(data.get("records") or 0),
            bytes_per_second=float(data.get("bytes_per_second") or 0.0),
            type_ids=_ids(data.get("type_ids")),
            ahead_job_id=str(data["ahead_job_id"]) if data.get("ahead_job_id") else None,
            ahead_end=_time(data.get("ahead_end")),
        )


@dataclass(frozen=True)
class StreamState:
    # The committed cursor: every record with a cursor value below it has landed.
    cursor: datetime | None = None
    # Cursors of independent passes within one stream (Marketo: one per activity type id).
    partition_cursors: Mapping[str, datetime | None] = field(default_factory=dict)
    # The field list of the last describe and when it was taken (reused while fresh).
    fields: tuple[str, ...] = ()
    described_at: datetime | None = None
    # Streams without tombstones re-read everything now and then (Gong calls): the start of
    # the last completed full scan, and of one under way (a crash resumes it).
    full_scan_started_at: datetime | None = None
    scan_started_at: datetime | None = None
    # Full-refresh streams: when the last complete read finished.
    full_refresh_at: datetime | None = None
    # A bulk read under way, and how many records the last completed pass read (the next
    # run weighs bulk against paging by it).
    bulk: BulkPass | None = None
    last_pass_records: int | None = None

    def evolve(self, **changes: Any) -> "StreamState":
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        """The state as JSON; unset parts are left out."""
        out: dict[str, Any] = {"version": STATE_VERSION}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or (f.name != "cursor" and not value):
                continue
            if isinstance(value, datetime):
                value = to_iso(value)
            elif f.name == "partition_cursors":
                value = {k: to_iso(v) if v else None for k, v in sorted(value.items())}
            elif f.name == "fields":
                value = list(value)
            elif isinstance(value, BulkPass):
                value = value.to_json()
            out[f.name] = value
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> "StreamState":
        """A stored state of this or an earlier version (version 1 was an untyped dict:
        `type_cursors` for the partition cursors, Marketo's field list as one comma string)."""
        if not data:
            return cls()
        partitions = data.get("partition_cursors", data.get("type_cursors")) or {}
        stored_fields = data.get("fields") or ()
        if isinstance(stored_fields, str):
            stored_fields = stored_fields.split(",")
        return cls(
            cursor=_time(data.get("cursor")),
            partition_cursors={str(k): _time(v) for k, v in partitions.items()}
            if isinstance(partitions, Mapping)
            else {},
            fields=tuple(str(f) for f in stored_fields if f),
            described_at=_time(data.get("described_at")),
            full_scan_started_at=_time(data.get("full_scan_started_at")),
            scan_started_at=_time(data.get("scan_started_at")),
            full_refresh_at=_time(data.get("full_refresh_at")),
            bulk=BulkPass.from_json(data.get("bulk")),
            last_pass_records=(
                int(data["last_pass_records"])
                if isinstance(data.get("last_pass_records"), int)
                else None
            ),
        )


def fields_if_fresh(state: StreamState, ttl_hours: float, now: datetime) -> tuple[str, ...] | None:
    """The field list the last run kept (describe), while younger than `ttl_hours`.

    A describe per stream and run costs vendor quota (10 of the ~20 Salesforce calls of an
    hourly run with nothing new) and fields change rarely.
    """
    if not state.fields or state.described_at is None:
        return None
    return state.fields if is_fresh(state.described_at, ttl_hours, now) else None


def is_fresh(taken_at: datetime | None, ttl_hours: float, now: datetime) -> bool:
    if taken_at is None:
        return False
    age = (now - taken_at).total_seconds()
    return 0 <= age < ttl_hours * 3600
