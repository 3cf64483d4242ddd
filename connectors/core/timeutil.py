"""Vendor datetime strings <-> aware UTC datetimes."""

from datetime import UTC, datetime


class BadTimestamp(ValueError):
    """A cursor value that is not a parseable datetime."""


def parse_datetime(value: object) -> datetime:
    """Parse the vendors' ISO-8601 variants (`...000+0000`, `Z`, `+09:00`); naive means UTC."""
    if not isinstance(value, str) or len(value) < 10:
        raise BadTimestamp(f"not a datetime: {value!r}"[:200])
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadTimestamp(f"not a datetime: {value!r}"[:200]) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def to_iso(value: datetime) -> str:
    """Canonical form stored in stream state: `2026-03-01T09:15:00.000000Z`."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def to_iso_seconds(value: datetime) -> str:
    """Whole seconds, floored (a `>=` filter on it can only widen, never skip)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def utcnow() -> datetime:
    return datetime.now(UTC)
