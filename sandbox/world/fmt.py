"""Time formats of the three vendors and the reporting calendar (Asia/Tokyo, UTC+9, no DST).

Times are integer epoch seconds inside the generator: cheap to compare and to format.
"""

import time
from datetime import UTC, datetime

from sandbox.world.rules import add_months

JST_SECONDS = 9 * 3600
HOUR = 3600
DAY = 86400


def parse_utc(text: str) -> int:
    """'2026-06-30T15:00:00Z' -> epoch seconds."""
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC).timestamp())


def sf_datetime(ts: int) -> str:
    """Salesforce REST: '2026-03-01T09:15:00.000+0000'."""
    t = time.gmtime(ts)
    return (
        f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T"
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}.000+0000"
    )


def marketo_datetime(ts: int) -> str:
    """Marketo REST: '2026-03-01T09:15:00Z'."""
    t = time.gmtime(ts)
    return (
        f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T"
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}Z"
    )


def gong_datetime(ts: int) -> str:
    """Gong returns ISO-8601 with the workspace's offset; the sandbox workspace is in Tokyo."""
    t = time.gmtime(ts + JST_SECONDS)
    return (
        f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T"
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}+09:00"
    )


def local_date(ts: int) -> str:
    """The reporting-time-zone date 'YYYY-MM-DD' (also Salesforce date fields)."""
    t = time.gmtime(ts + JST_SECONDS)
    return f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}"


def local_month(ts: int) -> str:
    """The reporting month 'YYYY-MM' of a moment."""
    t = time.gmtime(ts + JST_SECONDS)
    return f"{t.tm_year:04d}-{t.tm_mon:02d}"


def local_midnight(ts: int) -> int:
    """Epoch seconds of 00:00 JST of the moment's local day."""
    return ts - (ts + JST_SECONDS) % DAY


def to_datetime(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def add_months_ts(ts: int, months: int) -> int:
    """The same JST wall-clock time `months` calendar months later (day clamped)."""
    local = datetime.fromtimestamp(ts + JST_SECONDS, UTC)
    day = add_months(local.date(), months)
    shifted = local.replace(year=day.year, month=day.month, day=day.day)
    return int(shifted.timestamp()) - JST_SECONDS


def business_time(rng_value: float, day_start: int) -> int:
    """A moment between 09:00 and 19:00 JST of the local day starting at day_start."""
    return day_start + 9 * HOUR + int(rng_value * 10 * HOUR)
