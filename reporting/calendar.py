"""Reporting periods: weeks and months cut in the reporting time zone, as the marts cut them.

The marts take three dbt vars for this (`reporting_tz`, `week_start_day`,
`fiscal_year_start_month`; docs/configure.md section 10). The report reads the same vars
(dbt_project.yml, then the run's overrides) and prefers what the published marts themselves
show where they show it (the weekday of the weekly `period_start`, the fiscal year of the
goals): see `reporting.data.calendar_of`.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from dwh.settings import DBT_PROJECT_DIR

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
GRAINS = ("week", "month")


class CalendarError(ValueError):
    """A period setting the report cannot use; the message names the dbt var."""


@dataclass(frozen=True)
class Period:
    grain: str  # "week", "month", or "months" (several whole months)
    start: date  # first local day
    end: date  # first local day of the next period

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def label(self) -> str:
        if self.grain == "month":
            return self.start.strftime("%Y-%m")
        if self.grain == "months":
            return f"{self.start:%Y-%m} – {self.last_day:%Y-%m}"
        return f"{self.start:%Y-%m-%d} – {self.last_day:%m-%d}"


@dataclass(frozen=True)
class Calendar:
    tz: ZoneInfo
    week_start: int  # 0 = Monday, as date.weekday()
    fiscal_year_start_month: int = 4

    @classmethod
    def from_vars(cls, dbt_vars: dict[str, Any]) -> "Calendar":
        tz_name = str(dbt_vars.get("reporting_tz", "Asia/Tokyo"))
        try:
            tz = ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise CalendarError(f"reporting_tz: not an IANA time zone: {tz_name!r}") from None
        day = str(dbt_vars.get("week_start_day", "monday")).strip().lower()
        if day not in WEEKDAYS:
            raise CalendarError(f"week_start_day: expected one of {', '.join(WEEKDAYS)}")
        month = dbt_vars.get("fiscal_year_start_month", 4)
        if not isinstance(month, int) or not 1 <= month <= 12:
            raise CalendarError(f"fiscal_year_start_month: expected 1-12, not {month!r}")
        return cls(tz=tz, week_start=WEEKDAYS.index(day), fiscal_year_start_month=month)

    @property
    def week_start_day(self) -> str:
        return WEEKDAYS[self.week_start]

    def local_date(self, instant: datetime) -> date:
        if instant.tzinfo is None:  # the marts store UTC
            instant = instant.replace(tzinfo=UTC)
        return instant.astimezone(self.tz).date()

    def period_of(self, grain: str, day: date) -> Period:
        if grain == "week":
            start = day - timedelta(days=(day.weekday() - self.week_start) % 7)
            return Period("week", start, start + timedelta(days=7))
        if grain == "month":
            start = day.replace(day=1)
            end = (start + timedelta(days=32)).replace(day=1)
            return Period("month", start, end)
        raise ValueError(f"unknown period grain {grain!r}")

    def previous(self, period: Period) -> Period:
        return self.period_of(period.grain, period.start - timedelta(days=1))

    def last_closed(self, grain: str, as_of: date) -> Period:
        """The latest period whose last day is on or before the data's as-of date: the week
        (month) a Monday meeting looks back on."""
        current = self.period_of(grain, as_of)
        return current if current.last_day <= as_of else self.previous(current)

    def recent(self, grain: str, as_of: date, count: int) -> list[Period]:
        """`count` periods up to and including the one holding `as_of`, oldest first."""
        periods = [self.period_of(grain, as_of)]
        while len(periods) < count:
            periods.append(self.previous(periods[-1]))
        return periods[::-1]

    def utc_bounds(self, period: Period) -> tuple[datetime, datetime]:
        """The instants where the period starts and ends (end excluded), in UTC."""

        def instant(day: date) -> datetime:
            return datetime.combine(day, time(), tzinfo=self.tz).astimezone(UTC)

        return instant(period.start), instant(period.end)

    def months_to(self, month: Period, count: int) -> Period:
        """`count` whole months ending with `month`."""
        first = month
        for _ in range(count - 1):
            first = self.previous(first)
        return Period("months", first.start, month.end)

    def fiscal_year_start(self, day: date) -> date:
        year = day.year if day.month >= self.fiscal_year_start_month else day.year - 1
        return date(year, self.fiscal_year_start_month, 1)


def project_vars(overrides: dict[str, Any] | None = None, project_dir: Path = DBT_PROJECT_DIR):
    """dbt_project.yml's `vars:` with a run's overrides on top, as `dbt build --vars` sees them."""
    with (project_dir / "dbt_project.yml").open(encoding="utf-8") as handle:
        project = yaml.safe_load(handle) or {}
    return {**(project.get("vars") or {}), **(overrides or {})}
