"""How far one incremental pass may commit its cursor."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from connectors.core.paging import dig
from connectors.core.timeutil import BadTimestamp, parse_datetime

# Clock skew between the vendor and us: later than this past the run's start is an error.
FUTURE_TOLERANCE = timedelta(minutes=5)


class CursorProgress:
    """Tracks how far one incremental pass may safely commit its cursor.

    While records arrive in cursor order, everything below the highest cursor seen has been
    landed, so that value can be committed with each page (a resume re-reads from it with
    `>=` and staging dedups the overlap). If the vendor ever returns records out of order,
    the pass keeps its starting cursor until it completes, so a crash can never skip records.

    A value later than `ceiling` (the run's start) is a vendor clock or data error (a
    SystemModstamp in 2999): its record lands, but the cursor moves no further than the
    ceiling, so no later change is ever skipped; such records are counted in `future_dated`.
    """

    def __init__(
        self,
        start: datetime | None,
        field: str,
        value_of: Callable[[Any], object] | None = None,
        ceiling: datetime | None = None,
    ) -> None:
        self.start = start
        self.field = field
        self.highest = start
        self.last: datetime | None = None
        self.in_order = True
        self.ceiling = ceiling
        self.future_dated = 0
        self._value_of = value_of or (lambda record: dig(record, field))

    def observe(self, records: list[Any]) -> None:
        for record in records:
            try:
                value = parse_datetime(self._value_of(record))
            except BadTimestamp:
                continue  # quarantined by landing; it does not move the cursor
            if self.last is not None and value < self.last:
                self.in_order = False
            self.last = value
            if self.ceiling is not None and value > self.ceiling:
                if value - self.ceiling > FUTURE_TOLERANCE:
                    self.future_dated += 1
                value = self.ceiling
            if self.highest is None or value > self.highest:
                self.highest = value

    def committable(self) -> datetime | None:
        return self.highest if self.in_order else self.start

    def final(self) -> datetime | None:
        return self.highest
