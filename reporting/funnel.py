"""The funnel by stage for one period, each step's conversion, its change against the
previous period, and the weakest step (the bottleneck).

Counts: persons who **entered** a stage in the period (its timestamp in `fct_lead_lifecycle`
falls in it). Step conversion `a → b`: of the persons who entered `a` in the period, the
share that reached `b` by the data's as-of time (the cohort definition domain.md gives
`mql_to_sql_rate` and `opportunity_conversion_rate`; first touch → toss-up is exactly the
latter). The opportunity stage is the accepted handoff's opportunity (商談化: Field Sales
accepted it), so a rejected toss-up never counts as an opportunity.

A recent cohort has had little time to convert. How long each step usually takes is known
from everyone who made it (its lag distribution); a cohort's **maturity** is the share of its
eventual conversions expected by now: the mean, over its members, of the share of past
conversions that took no longer than the time the member has had since entering the stage.
The table shows the maturity of every step still short of `SETTLED_SHARE`; a step below
`MATURE_SHARE` is **maturing**: greyed, and never named the bottleneck. Nor is a step whose
cohort is smaller than `MIN_COHORT` (a 0 % of two persons is noise, not a leak), or one that
lost nobody.
"""

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb

from reporting.calendar import Calendar, Period
from reporting.labels import Label

MIN_COHORT = 5
MATURE_SHARE = 0.5
SETTLED_SHARE = 0.9
# The lag distribution of a step, kept as its percentiles (enough to interpolate its CDF).
PERCENTILES = tuple(i / 100 for i in range(101))


@dataclass(frozen=True)
class Stage:
    code: str
    label: Label
    # a SQL expression over marts.fct_lead_lifecycle: the moment the person entered the stage
    entered_at: str


STAGES: tuple[Stage, ...] = (
    Stage("lead", Label("リード", "Lead"), "lead_created_at"),
    Stage("mql", Label("MQL", "MQL"), "mql_at"),
    Stage("first_touch", Label("初回接触", "First touch, SAL"), "first_touch_at"),
    Stage("tossup", Label("トスアップ", "Toss-up, SQL"), "tossup_at"),
    Stage("first_meeting", Label("初回商談", "First meeting"), "first_meeting_at"),
    Stage(
        "opportunity",
        Label("商談化", "Opportunity"),
        "case when handoff_status = 'accepted' and opportunity_id is not null "
        "then opportunity_created_at end",
    ),
    Stage("won", Label("受注", "Won"), "won_at"),
)


@dataclass(frozen=True)
class PeriodCounts:
    """What the warehouse says about one period: per stage, persons who entered it; per
    step (index of the later stage), persons of the cohort who made it."""

    period: Period
    entered: tuple[int, ...]
    converted: tuple[int, ...]  # converted[0] is unused (the first stage has no step)
    # per step, the share of the cohort's eventual conversions expected by the as-of time
    maturity: tuple[float | None, ...] = ()


@dataclass(frozen=True)
class StepRow:
    stage: Stage
    entered: int
    entered_previous: int
    entered_change: float | None  # relative, against the previous period
    cohort: int  # persons who entered the previous stage in the period (0 for the first)
    converted: int
    conversion: float | None
    conversion_previous: float | None
    conversion_change: float | None  # in points (0.05 = +5 pt)
    maturity: float | None
    maturing: bool
    small: bool

    @property
    def settling(self) -> bool:
        """Still short of the conversions it will make: its maturity is worth showing."""
        return self.maturity is not None and self.maturity < SETTLED_SHARE


@dataclass(frozen=True)
class Funnel:
    period: Period
    previous: Period
    rows: tuple[StepRow, ...]
    bottleneck: int | None  # index into rows, None when no step qualifies
    no_bottleneck_reason: str = ""

    @property
    def bottleneck_row(self) -> StepRow | None:
        return None if self.bottleneck is None else self.rows[self.bottleneck]

    def step_name(self, index: int) -> str:
        return f"{self.rows[index - 1].stage.label.ja} → {self.rows[index].stage.label.ja}"


def _timestamp(expr: str) -> str:
    # Any timestamp type the marts use (TIMESTAMP in UTC or TIMESTAMPTZ) compares as an instant;
    # the session's time zone is UTC (reporting.data.connect).
    return f"cast({expr} as timestamptz)"


def count_period(
    con: duckdb.DuckDBPyConnection,
    calendar: Calendar,
    period: Period,
    as_of: datetime | None = None,
    lags: Sequence[Sequence[float] | None] = (),
) -> PeriodCounts:
    """Entered and converted persons of `period`; with `as_of` and the steps' `lags` (see
    `step_lags`), each step's cohort maturity too."""
    start, end = calendar.utc_bounds(period)
    stage_at = [_timestamp(stage.entered_at) for stage in STAGES]
    in_period = [f"({at} >= $start and {at} < $end)" for at in stage_at]
    entered = [f"count(*) filter (where {cond})" for cond in in_period]
    converted = ["0"] + [
        f"count(*) filter (where {in_period[i - 1]} and {stage_at[i]} is not null)"
        for i in range(1, len(STAGES))
    ]
    params = {"start": start, "end": end}
    row = con.execute(
        f"select {', '.join(entered + converted)} from marts.fct_lead_lifecycle", params
    ).fetchone()
    assert row is not None
    values = [int(v or 0) for v in row]
    maturity: list[float | None] = [None] * len(STAGES)
    if as_of is not None:
        for i in range(1, len(STAGES)):
            lag = lags[i] if i < len(lags) else None
            if lag is None:
                continue
            waited = [
                float(seconds)
                for (seconds,) in con.execute(
                    f"select date_diff('second', {stage_at[i - 1]}, $as_of) "
                    f"from marts.fct_lead_lifecycle where {in_period[i - 1]}",
                    {**params, "as_of": as_of},
                ).fetchall()
            ]
            maturity[i] = expected_share(waited, lag)
    return PeriodCounts(
        period, tuple(values[: len(STAGES)]), tuple(values[len(STAGES) :]), tuple(maturity)
    )


def step_lags(con: duckdb.DuckDBPyConnection) -> tuple[tuple[float, ...] | None, ...]:
    """Per step (index of the later stage), the percentiles (`PERCENTILES`) of the seconds it
    took everyone who made it; None for a step nobody made. A step made before the stage it
    follows (an opportunity created at the toss-up, before the first meeting) took no time."""
    stage_at = [_timestamp(stage.entered_at) for stage in STAGES]
    percentiles = "[" + ", ".join(str(p) for p in PERCENTILES) + "]"
    lags = [
        f"quantile_cont(greatest(date_diff('second', {stage_at[i - 1]}, {stage_at[i]}), 0), "
        f"{percentiles}) filter (where {stage_at[i - 1]} is not null "
        f"and {stage_at[i]} is not null)"
        for i in range(1, len(STAGES))
    ]
    row = con.execute(f"select {', '.join(lags)} from marts.fct_lead_lifecycle").fetchone()
    assert row is not None
    return (None, *(None if v is None else tuple(float(x) for x in v) for v in row))


def expected_share(waited: Sequence[float], lag_percentiles: Sequence[float]) -> float | None:
    """Mean over a cohort of the share of conversions that take no longer than each member
    has waited (the lag distribution's CDF, interpolated between its percentiles)."""
    if not waited:
        return None
    return sum(_cdf(seconds, lag_percentiles) for seconds in waited) / len(waited)


def _cdf(seconds: float, percentiles: Sequence[float]) -> float:
    steps = len(percentiles) - 1
    if seconds < percentiles[0]:
        return 0.0
    i = bisect_right(percentiles, seconds) - 1  # percentiles[i] <= seconds < percentiles[i + 1]
    if i >= steps:
        return 1.0
    low, high = percentiles[i], percentiles[i + 1]
    return (i + (seconds - low) / (high - low)) / steps


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _difference(current: float | None, previous: float | None) -> float | None:
    return None if current is None or previous is None else current - previous


def _relative(current: int, previous: int) -> float | None:
    return (current - previous) / previous if previous else None


def build_funnel(current: PeriodCounts, previous: PeriodCounts) -> Funnel:
    """Conversions, changes and the bottleneck of `current` against `previous` (pure)."""
    rows = []
    for i, stage in enumerate(STAGES):
        cohort = current.entered[i - 1] if i else 0
        cohort_previous = previous.entered[i - 1] if i else 0
        conversion = _share(current.converted[i], cohort) if i else None
        conversion_previous = _share(previous.converted[i], cohort_previous) if i else None
        maturity = current.maturity[i] if i < len(current.maturity) else None
        rows.append(
            StepRow(
                stage=stage,
                entered=current.entered[i],
                entered_previous=previous.entered[i],
                entered_change=_relative(current.entered[i], previous.entered[i]),
                cohort=cohort,
                converted=current.converted[i] if i else 0,
                conversion=conversion,
                conversion_previous=conversion_previous,
                conversion_change=_difference(conversion, conversion_previous),
                maturity=maturity,
                maturing=maturity is not None and maturity < MATURE_SHARE,
                small=bool(i and cohort < MIN_COHORT),
            )
        )
    bottleneck, reason = weakest_step(rows)
    return Funnel(current.period, previous.period, tuple(rows), bottleneck, reason)


def weakest_step(rows: Sequence[StepRow]) -> tuple[int | None, str]:
    """The step with the lowest conversion among those that can be judged: ties go to the
    step that lost more persons, then to the earlier one."""
    candidates = [
        i
        for i, row in enumerate(rows)
        if i
        and row.conversion is not None
        and row.converted < row.cohort
        and not row.maturing
        and not row.small
    ]
    if not candidates:
        return None, (
            "判定できる段階がありません (no step can be judged: every step that lost persons "
            f"is still maturing or has a cohort smaller than {MIN_COHORT})"
        )
    best = min(
        candidates, key=lambda i: (rows[i].conversion, -(rows[i].cohort - rows[i].converted), i)
    )
    return best, ""


def funnel_for(
    con: duckdb.DuckDBPyConnection,
    calendar: Calendar,
    period: Period,
    as_of: datetime,
    lags: Sequence[Sequence[float] | None],
) -> Funnel:
    """The funnel of `period` against the period before it."""
    previous = calendar.previous(period)
    return build_funnel(
        count_period(con, calendar, period, as_of, lags),
        count_period(con, calendar, previous, as_of, lags),
    )
