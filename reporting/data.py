"""Everything the report reads, from the published copy only (read-only; never the writer's
file). Values are read as DOUBLE whatever type a mart gives them (DOUBLE, DECIMAL, BIGINT)."""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from reporting.calendar import WEEKDAYS, Calendar, Period
from reporting.labels import HANDOFF_FIELD_LABELS

# (kpi, grain, grain_key, period_grain) -> {period_start: value}
Series = dict[tuple[str, str, str, str], dict[date, float]]


class PublishedCopyError(RuntimeError):
    """The published copy is missing or lacks a mart the report needs."""


@contextmanager
def connect(published: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    if not published.exists():
        raise PublishedCopyError(
            f"no published copy at {published} (WAREHOUSE_PUBLISHED_PATH): the report is "
            "written from the published marts, run the pipeline first"
        )
    con = duckdb.connect(str(published), read_only=True)
    try:
        con.execute("set TimeZone = 'UTC'")
        yield con
    finally:
        con.close()


def columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    rows = con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = 'marts' and table_name = ?",
        [table],
    ).fetchall()
    return {name for (name,) in rows}


# The canonical handoff fields of domain.md, in its order.
HANDOFF_FIELDS = tuple(HANDOFF_FIELD_LABELS)

# What the report reads of each mart (contracts section 6); other columns may come and go.
REQUIRED: dict[str, tuple[str, ...]] = {
    "kpi_long": ("kpi", "grain", "grain_key", "period_grain", "period_start", "value"),
    "fct_lead_lifecycle": (
        "lead_created_at", "lead_created_month", "mql_at", "first_touch_at", "tossup_at",
        "first_meeting_at", "opportunity_created_at", "won_at", "lost_at", "handoff_status",
        "opportunity_id",
    ),
    "fct_handoffs": (
        "tossup_at", "completeness", "bant_score", "handoff_status", "reject_reason",
        "receiver_rep_id", "is_sla_met", "hours_to_first_meeting",
        *(f"is_valid_{name}" for name in HANDOFF_FIELDS),
    ),
    "kpi_goals_monthly": (
        "kpi", "grain", "grain_key", "fiscal_year_start", "month_start", "actual", "target",
        "attainment", "actual_ytd", "target_ytd", "attainment_ytd", "fiscal_year_target",
    ),
    "dim_rep": ("rep_id", "team"),
}  # fmt: skip


def require_marts(con: duckdb.DuckDBPyConnection) -> None:
    """Every mart and column the report reads is in the published copy, or one clear error."""
    problems = [
        f"marts.{table} lacks {', '.join(missing)}" if have else f"no marts.{table}"
        for table, needed in REQUIRED.items()
        for have in [columns(con, table)]
        for missing in [sorted(set(needed) - have)]
        if missing
    ]
    if problems:
        raise PublishedCopyError(
            f"the published copy cannot make the report ({'; '.join(problems)}): publish the "
            "marts of this version (run the pipeline) first"
        )


@dataclass(frozen=True)
class PublishInfo:
    as_of: datetime  # the latest event the marts hold
    published_at: datetime | None
    source_target: str


def publish_info(con: duckdb.DuckDBPyConnection) -> PublishInfo:
    row = con.execute(
        "select max(greatest(cast(lead_created_at as timestamptz), cast(mql_at as timestamptz), "
        "cast(first_touch_at as timestamptz), cast(tossup_at as timestamptz), "
        "cast(first_meeting_at as timestamptz), cast(opportunity_created_at as timestamptz), "
        "cast(won_at as timestamptz), cast(lost_at as timestamptz))) "
        "from marts.fct_lead_lifecycle"
    ).fetchone()
    as_of = row[0] if row and row[0] is not None else datetime.now(UTC)
    published_at, target = None, "unknown"
    info_columns = columns(con, "_publish_info")
    if {"published_at", "source_target"} <= info_columns:
        found = con.execute(
            "select published_at, source_target from marts._publish_info"
        ).fetchone()
        if found:
            published_at, target = found[0], str(found[1])
    return PublishInfo(
        as_of=_utc(as_of), published_at=published_at and _utc(published_at), source_target=target
    )


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def calendar_of(
    con: duckdb.DuckDBPyConnection, dbt_vars: dict[str, Any]
) -> tuple[Calendar, list[str]]:
    """The calendar the published marts were cut with: the dbt vars, corrected by what the
    marts show (the weekday weeks start on, the goals' fiscal year); notes say what disagreed."""
    calendar = Calendar.from_vars(dbt_vars)
    notes: list[str] = []
    weekdays = con.execute(
        "select distinct isodow(period_start) from marts.kpi_long where period_grain = 'week'"
    ).fetchall()
    if len(weekdays) == 1:
        week_start = int(weekdays[0][0]) - 1
        if week_start != calendar.week_start:
            notes.append(
                f"週の開始曜日は marts に合わせました (weeks start on {WEEKDAYS[week_start]} in "
                f"the marts, not {calendar.week_start_day} as week_start_day says)"
            )
            calendar = Calendar(calendar.tz, week_start, calendar.fiscal_year_start_month)
    fiscal = con.execute(
        "select distinct month(fiscal_year_start) from marts.kpi_goals_monthly"
    ).fetchall()
    if len(fiscal) == 1 and int(fiscal[0][0]) != calendar.fiscal_year_start_month:
        calendar = Calendar(calendar.tz, calendar.week_start, int(fiscal[0][0]))
    # The marts carry the reporting month of each lead: a different time zone shows here.
    (wrong,) = con.execute(
        "select count(*) from marts.fct_lead_lifecycle where lead_created_month <> "
        "strftime(timezone($tz, cast(lead_created_at as timestamptz)), '%Y-%m')",
        {"tz": calendar.tz.key},
    ).fetchone() or (0,)
    if wrong:
        notes.append(
            f"期間の区切りが marts と一致しません: {wrong} 件のリードの月が reporting_tz "
            f"{calendar.tz.key} と異なります (the marts were cut in another time zone; the "
            "funnel's periods may differ from the KPI charts)"
        )
    return calendar, notes


def kpi_series(
    con: duckdb.DuckDBPyConnection, kpis: Iterable[str], grains: Iterable[str], since: date
) -> Series:
    rows = con.execute(
        "select kpi, grain, grain_key, period_grain, period_start, cast(value as double) "
        "from marts.kpi_long where kpi in (select unnest($kpis)) "
        "and grain in (select unnest($grains)) and period_start >= $since",
        {"kpis": sorted(set(kpis)), "grains": sorted(set(grains)), "since": since},
    ).fetchall()
    series: Series = defaultdict(dict)
    for kpi, grain, key, period_grain, start, value in rows:
        if value is not None:
            series[(kpi, grain, str(key), period_grain)][start] = float(value)
    return dict(series)


@dataclass(frozen=True)
class Rep:
    rep_id: str
    name: str
    team: str
    active: bool


def reps(con: duckdb.DuckDBPyConnection) -> dict[str, Rep]:
    have = columns(con, "dim_rep")
    name = "rep_name" if "rep_name" in have else "rep_id"
    active = "is_active" if "is_active" in have else "true"
    rows = con.execute(
        f"select rep_id, coalesce({name}, rep_id), coalesce(team, 'unknown'), "
        f"coalesce({active}, true) from marts.dim_rep"
    ).fetchall()
    return {str(r): Rep(str(r), str(n), str(t), bool(a)) for r, n, t, a in rows}


@dataclass
class HandoffQuality:
    """Handoffs sent in one period (toss-up time): the linkage KPIs' population."""

    period: Period
    sent: int = 0
    completeness: dict[int, int] = field(default_factory=dict)  # valid fields (0-10) -> handoffs
    bant: dict[int, int] = field(default_factory=dict)  # BANT score (0-4) -> handoffs
    field_valid: dict[str, float] = field(default_factory=dict)  # field -> share valid
    status: dict[str, int] = field(default_factory=dict)  # accepted / rejected / pending
    rejections: list[tuple[str, int]] = field(default_factory=list)  # reason -> count
    # receiving rep -> (accepted handoffs, SLA met, median hours to first meeting)
    sla_by_receiver: dict[str, tuple[int, int, float | None]] = field(default_factory=dict)


def handoff_quality(
    con: duckdb.DuckDBPyConnection, calendar: Calendar, period: Period
) -> HandoffQuality:
    start, end = calendar.utc_bounds(period)
    window = "cast(tossup_at as timestamptz) >= $start and cast(tossup_at as timestamptz) < $end"
    params = {"start": start, "end": end}
    quality = HandoffQuality(period)
    valid = ", ".join(f"avg(cast(is_valid_{name} as integer))" for name in HANDOFF_FIELDS)
    row = con.execute(
        f"select count(*), {valid} from marts.fct_handoffs where {window}", params
    ).fetchone()
    assert row is not None
    quality.sent = int(row[0])
    if not quality.sent:
        return quality
    quality.field_valid = {
        name: float(share or 0) for name, share in zip(HANDOFF_FIELDS, row[1:], strict=True)
    }
    for bucket, target in (
        ("cast(round(cast(completeness as double) * 10) as integer)", quality.completeness),
        ("cast(bant_score as integer)", quality.bant),
    ):
        for value, count in con.execute(
            f"select {bucket}, count(*) from marts.fct_handoffs where {window} group by 1",
            params,
        ).fetchall():
            if value is not None:
                target[int(value)] = int(count)
    quality.status = {
        str(status): int(count)
        for status, count in con.execute(
            f"select coalesce(handoff_status, 'pending'), count(*) from marts.fct_handoffs "
            f"where {window} group by 1",
            params,
        ).fetchall()
    }
    quality.rejections = [
        (str(reason), int(count))
        for reason, count in con.execute(
            "select coalesce(nullif(trim(reject_reason), ''), '(理由なし / no reason)'), count(*) "
            f"from marts.fct_handoffs where handoff_status = 'rejected' and {window} "
            "group by 1 order by 2 desc, 1",
            params,
        ).fetchall()
    ]
    quality.sla_by_receiver = {
        str(rep): (int(accepted), int(met or 0), None if median is None else float(median))
        for rep, accepted, met, median in con.execute(
            "select receiver_rep_id, count(*), count(*) filter (where is_sla_met), "
            "median(cast(hours_to_first_meeting as double)) from marts.fct_handoffs "
            f"where handoff_status = 'accepted' and {window} group by 1 order by 1",
            params,
        ).fetchall()
    }
    return quality


@dataclass(frozen=True)
class Goal:
    kpi: str
    grain: str
    grain_key: str
    month_start: date
    fiscal_year_start: date
    actual: float
    target: float | None
    attainment: float | None
    actual_ytd: float
    target_ytd: float | None
    attainment_ytd: float | None
    fiscal_year_target: float | None


def goals(con: duckdb.DuckDBPyConnection) -> list[Goal]:
    def num(value: Any) -> float | None:
        return None if value is None else float(value)

    rows = con.execute(
        "select kpi, grain, grain_key, month_start, fiscal_year_start, actual, target, "
        "attainment, actual_ytd, target_ytd, attainment_ytd, fiscal_year_target "
        "from marts.kpi_goals_monthly order by kpi, grain, grain_key, month_start"
    ).fetchall()
    return [
        Goal(
            kpi=str(row[0]),
            grain=str(row[1]),
            grain_key=str(row[2]),
            month_start=row[3],
            fiscal_year_start=row[4],
            actual=float(row[5] or 0),
            target=num(row[6]),
            attainment=num(row[7]),
            actual_ytd=float(row[8] or 0),
            target_ytd=num(row[9]),
            attainment_ytd=num(row[10]),
            fiscal_year_target=num(row[11]),
        )
        for row in rows
    ]
