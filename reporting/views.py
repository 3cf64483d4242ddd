"""What each part of the page shows, read from the published copy: the funnels, the KPI
sections with their charts, handoff quality and the KGI (the template lays them out)."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import duckdb
from markupsafe import Markup

from reporting import charts, data
from reporting.calendar import Calendar, Period
from reporting.funnel import STAGES, Funnel, funnel_for, step_lags
from reporting.labels import (
    ADDITIVE_KPIS,
    COMPANY_LABEL,
    HANDOFF_FIELD_LABELS,
    SERIES_COLOURS,
    TEAM_LABELS,
    UNIT_LABELS,
    Label,
    format_change,
    format_value,
    label,
)
from reporting.sections import GOAL_KPIS, SECTIONS, Section

WEEKS_SHOWN = 13
MONTHS_SHOWN = 12
REJECTION_MONTHS = 3


@dataclass(frozen=True)
class Cell:
    value: str
    change: str = ""
    trend: str = ""  # "up", "down" or ""
    spark: Markup = field(default_factory=Markup)


@dataclass
class KpiRow:
    kpi: str
    label: Label
    latest: list[tuple[Label, str, Cell, Cell]]  # series, colour, last month, last week
    monthly: Markup
    weekly: Markup


@dataclass
class RepRow:
    name: str
    team: Label
    active: bool
    cells: list[Cell]


@dataclass
class SectionView:
    section: Section
    legend: list[tuple[Label, str]]
    rows: list[KpiRow]
    rep_kpis: list[Label] = field(default_factory=list)
    reps: list[RepRow] = field(default_factory=list)


def _trend(change: float | None) -> str:
    if change is None or abs(change) < 1e-12:
        return ""
    return "up" if change > 0 else "down"


def _cell(current: float | None, previous: float | None, fmt: str) -> Cell:
    """A value with its change against the previous period (points for shares)."""
    if current is None:
        return Cell(format_value(None, fmt))
    if previous is None:
        return Cell(format_value(current, fmt))
    if fmt == "pct":
        change = current - previous
        return Cell(format_value(current, fmt), format_change(change, "pt"), _trend(change))
    if previous == 0:
        return Cell(format_value(current, fmt))
    change = (current - previous) / abs(previous)
    return Cell(format_value(current, fmt), format_change(change, "rel"), _trend(change))


class ReportBuilder:
    def __init__(self, con: duckdb.DuckDBPyConnection, calendar: Calendar, as_of: datetime):
        self.con = con
        self.calendar = calendar
        self.as_of = as_of
        self.as_of_day = calendar.local_date(as_of)
        self.weeks = calendar.recent("week", self.as_of_day, WEEKS_SHOWN)
        self.months = calendar.recent("month", self.as_of_day, MONTHS_SHOWN)
        self.last = {
            grain: calendar.last_closed(grain, self.as_of_day) for grain in ("week", "month")
        }
        self.chart_count = 0
        self.reps = data.reps(con)
        kpis = {kpi for s in SECTIONS for kpi in s.kpis} | set(GOAL_KPIS)
        since = min(
            self.weeks[0].start, self.months[0].start, calendar.previous(self.last["month"]).start
        )
        self.series = data.kpi_series(con, kpis, ("company", "team", "unit", "rep"), since)

    def _chart(self, svg: str) -> Markup:
        self.chart_count += 1
        return Markup(svg)  # noqa: S704 - matplotlib escapes every text it writes

    def _periods(self, grain: str) -> list[Period]:
        return self.weeks if grain == "week" else self.months

    def _axis(self, grain: str) -> list[str]:
        return [
            p.start.strftime("%m/%d" if grain == "week" else "%y-%m") for p in self._periods(grain)
        ]

    def _partial(self, grain: str) -> bool:
        return self._periods(grain)[-1].last_day > self.as_of_day

    def value(self, kpi: str, grain: str, key: str, period: Period) -> float | None:
        found = self.series.get((kpi, grain, key, period.grain), {}).get(period.start)
        return 0.0 if found is None and kpi in ADDITIVE_KPIS else found

    def _latest(self, kpi: str, grain: str, key: str, fmt: str, period_grain: str) -> Cell:
        period = self.last[period_grain]
        before = self.calendar.previous(period)
        return _cell(self.value(kpi, grain, key, period), self.value(kpi, grain, key, before), fmt)

    def section(self, section: Section) -> SectionView:
        labels = UNIT_LABELS if section.grain == "unit" else TEAM_LABELS
        keys = [
            (section.grain, key, label(key, labels), SERIES_COLOURS.get(key, "#777777"))
            for key in section.keys
        ]
        if section.with_company:
            keys.insert(0, ("company", "all", COMPANY_LABEL, SERIES_COLOURS["company"]))
        rows = []
        for kpi in section.kpis:
            kpi_label = label(kpi)
            charts_by_grain = {}
            for grain in ("month", "week"):
                lines = [
                    (
                        key if g != "company" else "company",
                        [self.value(kpi, g, key, p) for p in self._periods(grain)],
                    )
                    for g, key, _, _ in keys
                ]
                charts_by_grain[grain] = self._chart(
                    charts.line_chart(
                        f"{section.code}-{kpi}-{grain}",
                        self._axis(grain),
                        lines,
                        kpi_label.fmt,
                        SERIES_COLOURS,
                        partial_last=self._partial(grain),
                    )
                )
            latest = [
                (
                    name,
                    colour,
                    self._latest(kpi, g, key, kpi_label.fmt, "month"),
                    self._latest(kpi, g, key, kpi_label.fmt, "week"),
                )
                for g, key, name, colour in keys
            ]
            rows.append(
                KpiRow(kpi, kpi_label, latest, charts_by_grain["month"], charts_by_grain["week"])
            )
        view = SectionView(section, [(name, colour) for _, _, name, colour in keys], rows)
        if section.rep_teams:
            view.rep_kpis = [label(kpi) for kpi in section.rep_kpis]
            view.reps = self._rep_rows(section)
        return view

    def _rep_rows(self, section: Section) -> list[RepRow]:
        members = sorted(
            (rep for rep in self.reps.values() if rep.team in section.rep_teams),
            key=lambda rep: (
                section.rep_teams.index(rep.team),
                not rep.active,
                rep.name,
                rep.rep_id,
            ),
        )
        rows = []
        for rep in members:
            weekly = {
                kpi: [
                    self.series.get((kpi, "rep", rep.rep_id, "week"), {}).get(p.start)
                    for p in self.weeks
                ]
                for kpi in section.rep_kpis
            }
            monthly = [
                self.series.get((kpi, "rep", rep.rep_id, "month"), {}).get(p.start)
                for kpi in section.rep_kpis
                for p in (self.last["month"], self.calendar.previous(self.last["month"]))
            ]
            if (
                not rep.active
                and all(v is None for v in monthly)
                and all(v is None for values in weekly.values() for v in values)
            ):
                continue  # a rep who left and did nothing in the window
            cells = []
            for kpi in section.rep_kpis:
                fmt = label(kpi).fmt
                cell = self._latest(kpi, "rep", rep.rep_id, fmt, "month")
                values = [0.0 if v is None and kpi in ADDITIVE_KPIS else v for v in weekly[kpi]]
                spark = self._chart(
                    charts.sparkline(
                        f"{section.code}-{kpi}-rep-{rep.rep_id}",
                        values,
                        SERIES_COLOURS.get(rep.team, "#777777"),
                    )
                )
                cells.append(Cell(cell.value, cell.change, cell.trend, spark))
            rows.append(RepRow(rep.name, label(rep.team, TEAM_LABELS), rep.active, cells))
        return rows

    def funnels(self) -> list[Funnel]:
        lags = step_lags(self.con)
        return [
            funnel_for(self.con, self.calendar, self.last[g], self.as_of, lags)
            for g in ("week", "month")
        ]

    def funnel_chart(self, funnel: Funnel) -> Markup:
        highlight = funnel.bottleneck
        return self._chart(
            charts.funnel_chart(
                f"funnel-{funnel.period.grain}",
                [stage.label.ja for stage in STAGES],
                [row.entered for row in funnel.rows],
                [row.entered_previous for row in funnel.rows],
                highlight,
            )
        )

    def handoffs(self) -> dict[str, Any]:
        period = self.last["month"]
        current = data.handoff_quality(self.con, self.calendar, period)
        previous = data.handoff_quality(self.con, self.calendar, self.calendar.previous(period))

        def shares(counts: dict[int, int], total: int, top: int) -> list[float | None]:
            return [counts.get(i, 0) / total if total else None for i in range(top + 1)]

        view: dict[str, Any] = {"current": current, "previous": previous}
        view["completeness"] = self._chart(
            charts.bar_chart(
                "handoff-completeness",
                [f"{i}/10" for i in range(11)],
                shares(current.completeness, current.sent, 10),
                shares(previous.completeness, previous.sent, 10),
                "pct",
            )
        )
        view["bant"] = self._chart(
            charts.bar_chart(
                "handoff-bant",
                [str(i) for i in range(5)],
                shares(current.bant, current.sent, 4),
                shares(previous.bant, previous.sent, 4),
                "pct",
            )
        )
        fields = list(data.HANDOFF_FIELDS)
        view["fields"] = (
            self._chart(
                charts.bar_chart(
                    "handoff-fields",
                    [HANDOFF_FIELD_LABELS[f].ja for f in fields],
                    [current.field_valid.get(f) for f in fields],
                    [previous.field_valid.get(f) for f in fields],
                    "pct",
                    horizontal=True,
                )
            )
            if current.sent
            else Markup("")
        )
        # Rejections are few a month: their reasons over the last REJECTION_MONTHS months.
        window = self.calendar.months_to(period, REJECTION_MONTHS)
        rejections = data.handoff_quality(self.con, self.calendar, window).rejections
        view["rejection_window"] = window
        view["rejection_list"] = rejections
        reasons = rejections[:8]
        view["rejections"] = (
            self._chart(
                charts.bar_chart(
                    "handoff-rejections",
                    [r for r, _ in reasons],
                    [float(c) for _, c in reasons],
                    None,
                    "int",
                    "#d62728",
                    horizontal=True,
                )
            )
            if reasons
            else Markup("")
        )
        view["receivers"] = [
            (
                self.reps[rep].name if rep in self.reps else rep,
                label(self.reps[rep].team, TEAM_LABELS) if rep in self.reps else Label("?", "?"),
                accepted,
                format_value(met / accepted if accepted else None, "pct"),
                format_value(median, "hours"),
            )
            for rep, (accepted, met, median) in current.sla_by_receiver.items()
        ]
        return view

    def goals(self) -> list[dict[str, Any]]:
        """Revenue and new customers of the fiscal year holding the last closed month: actuals
        up to that month, targets over the whole year, and each team's and rep's attainment."""
        rows = data.goals(self.con)
        month = self.last["month"].start
        fiscal_start = self.calendar.fiscal_year_start(month)
        months = [fiscal_start]
        while len(months) < 12:
            months.append(self.calendar.period_of("month", months[-1]).end)
        this_year = [g for g in rows if fiscal_start <= g.month_start <= months[-1]]
        axis = [m.strftime("%y-%m") for m in months]
        return [self._goal(kpi, this_year, months, month, axis) for kpi in GOAL_KPIS]

    def _goal(
        self, kpi: str, rows: list[data.Goal], months: list[date], month: date, axis: list[str]
    ) -> dict[str, Any]:
        kpi_label = label(kpi)
        mine = [g for g in rows if g.kpi == kpi]
        company = {g.month_start: g for g in mine if g.grain == "company"}
        closed = [m for m in months if m <= month]

        def series(field: str, upto: list[date]) -> list[float | None]:
            return [
                getattr(company[m], field) if m in company and m in upto else None for m in months
            ]

        breakdown = []
        for grain in ("team", "rep"):
            for key in sorted(
                {g.grain_key for g in mine if g.grain == grain and g.target is not None}
            ):
                found = self._latest_goal(
                    [
                        g
                        for g in mine
                        if (g.grain, g.grain_key) == (grain, key) and g.month_start <= month
                    ]
                )
                if found is not None:
                    name = (
                        label(key, TEAM_LABELS).text
                        if grain == "team"
                        else (self.reps[key].name if key in self.reps else key)
                    )
                    breakdown.append((name, found, kpi_label.fmt))
        return {
            "kpi": kpi,
            "label": kpi_label,
            "has_target": any(g.target is not None for g in mine),
            "fiscal_year": months[0],
            "month": self.last["month"],
            "latest": self._latest_goal([company[m] for m in closed if m in company]),
            "fmt": kpi_label.fmt,
            "monthly": self._chart(
                charts.goal_chart(
                    f"goal-{kpi}-monthly",
                    axis,
                    series("actual", closed),
                    series("target", months),
                    kpi_label.fmt,
                )
            ),
            "ytd": self._chart(
                charts.goal_chart(
                    f"goal-{kpi}-ytd",
                    axis,
                    series("actual_ytd", closed),
                    series("target_ytd", months),
                    kpi_label.fmt,
                    cumulative=True,
                )
            ),
            "breakdown": breakdown,
        }

    @staticmethod
    def _latest_goal(goals: list[data.Goal]) -> data.Goal | None:
        return max(goals, key=lambda g: g.month_start) if goals else None
