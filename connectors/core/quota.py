"""Daily quotas: what a vendor allows a day, what this pipeline spent of it, when to stop.

A vendor's daily API quota is shared by every integration of the customer (Marketo: 50,000
calls a day for all of them). The connectors count what they spend per vendor day (calls, and
bulk export bytes where the vendor meters them) in `meta.api_usage`, committed with the batches
the calls paid for, and stop a stream cleanly (its cursor committed) before the spend would
pass the quota minus a reserve left for the customer's other integrations
(CONNECTORS_QUOTA_RESERVE_SHARE). The message says when the vendor's day turns over.
"""

import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from connectors.core.paging import StreamBudgetSpent
from connectors.core.timeutil import utcnow


@dataclass(frozen=True)
class DailyQuota:
    """How a vendor meters a day: variables holding its limits, and where its day starts."""

    timezone: str  # the vendor's day boundary (Marketo: midnight US Central)
    calls_setting: str | None = None
    export_mb_setting: str | None = None


class QuotaReserveReached(StreamBudgetSpent):
    """Going on would eat into the reserve left for the customer's other integrations."""


@dataclass
class Usage:
    calls: int = 0
    export_bytes: int = 0


class QuotaLedger:
    """One vendor's spend today: what earlier runs recorded plus what this process spent."""

    def __init__(
        self,
        vendor: str,
        timezone: str,
        calls_limit: int | None,
        export_bytes_limit: int | None,
        reserve_share: float,
    ) -> None:
        self.vendor = vendor
        self.zone = ZoneInfo(timezone)
        self.calls_limit = calls_limit
        self.export_bytes_limit = export_bytes_limit
        self.reserve_share = reserve_share
        self.recorded: dict[date, Usage] = {}  # read from the warehouse
        self.unflushed: dict[date, Usage] = {}  # spent since the last commit
        self._lock = threading.Lock()

    def day(self, now: datetime | None = None) -> date:
        return (now or utcnow()).astimezone(self.zone).date()

    def next_day_starts(self, now: datetime | None = None) -> datetime:
        today = self.day(now)
        return datetime.combine(today + timedelta(days=1), datetime.min.time(), self.zone)

    def remember(self, day: date, calls: int, export_bytes: int) -> None:
        """What earlier runs recorded for `day` (read from meta.api_usage at start)."""
        with self._lock:
            self.recorded[day] = Usage(calls, export_bytes)

    def spent(self, day: date) -> Usage:
        recorded = self.recorded.get(day, Usage())
        fresh = self.unflushed.get(day, Usage())
        return Usage(recorded.calls + fresh.calls, recorded.export_bytes + fresh.export_bytes)

    def allowed(self, limit: int) -> int:
        return int(limit * (1 - self.reserve_share))

    def _stop(self, what: str, spent: int, limit: int, unit: str) -> QuotaReserveReached:
        resume = self.next_day_starts().strftime("%Y-%m-%d %H:%M %Z")
        return QuotaReserveReached(
            f"{self.vendor}: {spent:,} of {limit:,} {unit} of today's {what} spent; the rest "
            f"({self.reserve_share:.0%}) is left for the customer's other integrations "
            f"(CONNECTORS_QUOTA_RESERVE_SHARE). Stopped with the cursor committed; the next "
            f"run after {resume} goes on"
        )

    def spend_call(self) -> None:
        """Count one call, or stop before it would eat into the reserve."""
        day = self.day()
        with self._lock:
            if self.calls_limit is not None:
                spent = self.spent(day).calls
                if spent + 1 > self.allowed(self.calls_limit):
                    raise self._stop("API calls", spent, self.calls_limit, "calls")
            self.unflushed.setdefault(day, Usage()).calls += 1

    def check_export(self, expected_bytes: int = 0) -> None:
        """Stop before a bulk export job whose file would pass the export allowance."""
        if self.export_bytes_limit is None:
            return
        day = self.day()
        with self._lock:
            spent = self.spent(day).export_bytes
        if spent + expected_bytes > self.allowed(self.export_bytes_limit):
            raise self._stop(
                "bulk export volume", spent // 2**20, self.export_bytes_limit // 2**20, "MB"
            )

    def fits_export(self, expected_bytes: int = 0) -> bool:
        """Whether the export allowance still has room for `expected_bytes` more (for an
        export queued ahead)."""
        try:
            self.check_export(expected_bytes)
        except QuotaReserveReached:
            return False
        return True

    def spend_export(self, size: int) -> None:
        day = self.day()
        with self._lock:
            self.unflushed.setdefault(day, Usage()).export_bytes += size

    def take_unflushed(self) -> list[tuple[str, date, int, int]]:
        """(vendor, day, calls, export bytes) spent since the last call, now recorded."""
        with self._lock:
            taken = [
                (self.vendor, day, usage.calls, usage.export_bytes)
                for day, usage in self.unflushed.items()
                if usage.calls or usage.export_bytes
            ]
            for day, usage in self.unflushed.items():
                base = self.recorded.setdefault(day, Usage())
                base.calls += usage.calls
                base.export_bytes += usage.export_bytes
            self.unflushed.clear()
        return taken
