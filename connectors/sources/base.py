"""What every source reader yields, and the cursor bookkeeping they share."""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from connectors.core.http import HttpClient
from connectors.core.timeutil import BadTimestamp, parse_datetime, to_iso, utcnow
from connectors.streams import Stream, dig


@dataclass
class Page:
    records: list[Any]
    state: dict[str, Any] | None  # committed with this page; None = unchanged


class SourceReader(Protocol):
    client: HttpClient

    def pages(self, stream: Stream, state: dict[str, Any] | None) -> Iterator[Page]: ...

    def close(self) -> None: ...


class CursorProgress:
    """Tracks how far one incremental pass may safely commit its cursor.

    While records arrive in cursor order, everything below the highest cursor seen has been
    landed, so that value can be committed with each page (a resume re-reads from it with
    `>=` and staging dedups the overlap). If the vendor ever returns records out of order,
    the pass keeps its starting cursor until it completes, so a crash can never skip records.
    """

    def __init__(self, start: datetime | None, field: str) -> None:
        self.start = start
        self.field = field
        self.highest = start
        self.last: datetime | None = None
        self.in_order = True

    def observe(self, records: list[Any]) -> None:
        for record in records:
            try:
                value = parse_datetime(dig(record, self.field))
            except BadTimestamp:
                continue  # quarantined by landing; it does not move the cursor
            if self.last is not None and value < self.last:
                self.in_order = False
            self.last = value
            if self.highest is None or value > self.highest:
                self.highest = value

    def committable(self) -> datetime | None:
        return self.highest if self.in_order else self.start

    def final(self) -> datetime | None:
        return self.highest


def cursor_state(value: datetime | None, **extra: Any) -> dict[str, Any]:
    return {"cursor": to_iso(value) if value else None, **extra}


def start_cursor(state: dict[str, Any] | None) -> datetime | None:
    if not state or not state.get("cursor"):
        return None
    return parse_datetime(state["cursor"])


def describe_is_fresh(described_at: datetime | None, settings: Mapping[str, str]) -> bool:
    """A field list (describe) younger than CONNECTORS_DESCRIBE_TTL_HOURS may be reused."""
    if described_at is None:
        return False
    ttl = timedelta(hours=float(settings["CONNECTORS_DESCRIBE_TTL_HOURS"]))
    return timedelta(0) <= utcnow() - described_at < ttl


def described_in_state(
    state: dict[str, Any] | None, settings: Mapping[str, str]
) -> tuple[Any, datetime] | None:
    """(fields, described_at) the last run kept in the stream state, while still fresh.

    A describe per stream and run costs vendor quota (10 of the ~20 Salesforce calls of an
    hourly run with nothing new), and fields change rarely; the caller checks the shape.
    """
    if not state or not state.get("fields") or not isinstance(state.get("described_at"), str):
        return None
    try:
        described_at = parse_datetime(state["described_at"])
    except BadTimestamp:
        return None
    return (state["fields"], described_at) if describe_is_fresh(described_at, settings) else None


def described_state(fields: Any, described_at: datetime | None) -> dict[str, Any]:
    """The keys a page's state carries so the next run can reuse the field list."""
    if described_at is None:
        return {}
    return {"fields": fields, "described_at": to_iso(described_at)}
