"""How far one incremental pass may commit its cursor."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from connectors.core.paging import dig
from connectors.core.timeutil import BadTimestamp, parse_datetime


class CursorProgress:
    """Tracks how far one incremental pass may safely commit its cursor.

    While records arrive in cursor order, everything below the highest cursor seen has been
    landed, so that value can be committed with each page (a resume re-reads from it with
    `>=` and staging dedups the overlap). If the vendor ever returns records out of order,
    the pass keeps its starting cursor until it completes, so a crash can never skip records.
    """

    def __init__(
        self, start: datetime | None, field: str, value_of: Callable[[Any], object] | None = None
    ) -> None:
        self.start = start
        self.field = field
        self.highest = start
        self.last: datetime | None = None
        self.in_order = True
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
            if self.highest is None or value > self.highest:
                self.highest = value

    def committable(self) -> datetime | None:
        return self.highest if self.in_order else self.start

    def final(self) -> datetime | None:
        return self.highest
