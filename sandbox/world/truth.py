"""The truth: every KPI of contracts 5.5 per reporting month and week, from the event model.

The generator reports business events here as it creates them (never by re-reading its files);
only per-period accumulators are held, so memory does not grow with the number of records.
Every event is dated by its reporting-time-zone day and counted in that day's month and week
(weeks start on the profile's week start day).
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sandbox.world.fmt import local_date

SETTINGS = {"handoff_sla_hours": 72, "connected_call_seconds": 60, "qualified_bant_min": 3}
SLA_SECONDS = SETTINGS["handoff_sla_hours"] * 3600
CONNECTED_SECONDS = SETTINGS["connected_call_seconds"]


@dataclass(frozen=True)
class Activity:
    """One call, e-mail or meeting as the truth counts it (a Task+Gong pair is one call)."""

    kind: str  # call | email | meeting
    owner_id: str
    start_ts: int
    duration_s: int | None = None


Grains = list[tuple[str, str]]
Key = tuple[str, str, str, str, str]  # kpi, grain, key, period_grain, period_start
Cell = tuple[str, str, str, str]  # grain, key, period_grain, period_start


class Periods:
    """Reporting periods of a local day: its month and its week."""

    def __init__(self, week_start: int) -> None:
        self.week_start = week_start  # 0 = Monday ... 6 = Sunday
        self._cache: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {}

    def of(self, day: str) -> tuple[tuple[str, str], tuple[str, str]]:
        periods = self._cache.get(day)
        if periods is None:
            local = date.fromisoformat(day)
            week = local - timedelta(days=(local.weekday() - self.week_start) % 7)
            periods = (("month", day[:8] + "01"), ("week", week.isoformat()))
            self._cache[day] = periods
        return periods


class TruthBuilder:
    def __init__(self, rep_team: dict[str, str], week_start: int = 0) -> None:
        self.rep_team = rep_team
        self.periods = Periods(week_start)
        self.sums: dict[Key, float] = defaultdict(float)
        self.ratios: dict[Key, list[float]] = defaultdict(lambda: [0.0, 0.0])
        self.hours: dict[Cell, list[float]] = defaultdict(list)
        self.rep_days: set[tuple[str, str]] = set()
        self.touch_totals: dict[Cell, float] = defaultdict(float)
        self.counts: dict[str, int] = defaultdict(int)

    # -- grain helpers -------------------------------------------------------------------
    def _rep_grains(self, rep_id: str) -> Grains:
        return [("rep", rep_id), ("team", self.rep_team[rep_id]), ("company", "all")]

    def _handoff_grains(self, rep_id: str, unit: str) -> Grains:
        return [*self._rep_grains(rep_id), ("unit", unit)]

    def _person_grains(self, owner_id: str | None, source: str | None) -> Grains:
        """A person's cohort KPIs: company, lead source, and the rep who owns its Lead."""
        grains: Grains = [("company", "all")]
        if source is not None:
            grains.append(("source", source))
        if owner_id is not None:
            grains += [("rep", owner_id), ("team", self.rep_team[owner_id])]
        return grains

    def _add(self, kpi: str, grains: Grains, day: str, value: float = 1.0) -> None:
        for period_grain, start in self.periods.of(day):
            for grain, key in grains:
                self.sums[(kpi, grain, key, period_grain, start)] += value

    def _ratio(self, kpi: str, grains: Grains, day: str, hit: bool | float) -> None:
        for period_grain, start in self.periods.of(day):
            for grain, key in grains:
                cell = self.ratios[(kpi, grain, key, period_grain, start)]
                cell[0] += float(hit)
                cell[1] += 1.0

    # -- activities ----------------------------------------------------------------------
    def add_person_activities(self, person_key: str | None, activities: list[Activity]) -> None:
        """All touches of one person (or of no person: person_key None)."""
        worked: set[Key] = set()
        for activity in activities:
            day = local_date(activity.start_ts)
            grains = self._rep_grains(activity.owner_id)
            if activity.kind == "call":
                self.counts["calls"] += 1
                self._add("calls", grains, day)
                if (activity.duration_s or 0) >= CONNECTED_SECONDS:
                    self._add("connected_calls", grains, day)
            elif activity.kind == "email":
                self.counts["emails"] += 1
                self._add("emails_sent", grains, day)
            else:
                self.counts["meetings"] += 1
                self._add("meetings_held", grains, day)
            self._add("touches", grains, day)
            for period_grain, start in self.periods.of(day):
                for grain, key in grains:
                    self.touch_totals[(grain, key, period_grain, start)] += 1
                    if person_key is not None:
                        worked.add(("leads_worked", grain, key, period_grain, start))
            self.rep_days.add((activity.owner_id, day))
        for cell in worked:
            self.sums[cell] += 1

    # -- funnel --------------------------------------------------------------------------
    def add_person(
        self,
        lead_created_ts: int,
        source: str | None,
        owner_id: str | None,
        mql_ts: int | None,
        first_touch: tuple[str, int] | None,
        tossed_up: bool,
        won: bool,
    ) -> None:
        """One person of the funnel; owner_id is the owner of its Salesforce Lead, if any."""
        self.counts["persons"] += 1
        grains = self._person_grains(owner_id, source)
        created_day = local_date(lead_created_ts)
        self._add("leads", grains, created_day)
        self._ratio("lead_to_won_rate", grains, created_day, won)
        if mql_ts is not None:
            self._add("mqls", grains, local_date(mql_ts))
            self._ratio("mql_to_sql_rate", grains, local_date(mql_ts), tossed_up)
        if first_touch is not None:
            rep_id, ts = first_touch
            self._ratio(
                "opportunity_conversion_rate", self._rep_grains(rep_id), local_date(ts), tossed_up
            )

    def add_handoff(
        self,
        sender_id: str,
        receiver_id: str,
        tossup_ts: int,
        status: str,
        completeness: float,
        qualified: bool,
        first_meeting_ts: int | None,
        won: bool,
    ) -> None:
        self.counts["handoffs"] += 1
        unit = "full_cycle" if sender_id == receiver_id else "division_of_labour"
        grains = self._handoff_grains(sender_id, unit)
        day = local_date(tossup_ts)
        self._add("tossups", grains, day)
        if status == "rejected":
            self._add("rejections", grains, day)
        self._ratio("tossup_acceptance_rate", grains, day, status == "accepted")
        self._ratio("tossup_to_won_rate", grains, day, won)
        self._ratio("avg_handoff_completeness", grains, day, completeness)
        self._ratio("qualified_handoff_share", grains, day, qualified)
        if status == "accepted":
            met = first_meeting_ts is not None and first_meeting_ts - tossup_ts <= SLA_SECONDS
            self._ratio("sla_met_rate", grains, day, met)
            if first_meeting_ts is not None:
                for period_grain, start in self.periods.of(day):
                    for grain, key in grains:
                        self.hours[(grain, key, period_grain, start)].append(
                            (first_meeting_ts - tossup_ts) / 3600
                        )

    def add_accepted_opportunity(
        self,
        owner_id: str,
        unit: str,
        created_ts: int,
        proposal_ts: int | None,
        close_day: str | None,
        won: bool,
        amount: float | None,
    ) -> None:
        """A new-business opportunity of an accepted handoff; close_day is its CloseDate."""
        grains = self._handoff_grains(owner_id, unit)
        self._add("opportunities", grains, local_date(created_ts))
        if proposal_ts is not None:
            self._add("proposals", grains, local_date(proposal_ts))
        if close_day is None:
            return
        self._ratio("win_rate", grains, close_day, won)
        if won:
            self._add("won_deals", grains, close_day)
            self._add("new_business_revenue", grains, close_day, float(amount or 0))
        else:
            self._add("lost_deals", grains, close_day)

    # -- goals (KGI) ---------------------------------------------------------------------
    def add_won_opportunity(self, owner_id: str, close_day: str, amount: float) -> None:
        """Every won opportunity, new business or renewal: the company's revenue."""
        self._add("revenue", self._rep_grains(owner_id), close_day, amount)

    def add_new_customer(self, owner_id: str, first_won_close_day: str) -> None:
        """An account's first won deal, credited to that deal's owner."""
        self._add("new_customers", self._rep_grains(owner_id), first_won_close_day)

    def add_renewal(self, owner_id: str, close_day: str, won: bool) -> None:
        grains = self._rep_grains(owner_id)
        self._add("renewals_due", grains, close_day)
        self._ratio("retention_rate", grains, close_day, won)

    # -- output --------------------------------------------------------------------------
    def rows(self) -> list[dict[str, object]]:
        values: dict[Key, float] = {}
        for key, value in self.sums.items():
            if value > 0:
                values[key] = value
        for key, (hits, total) in self.ratios.items():
            if total > 0:
                values[key] = hits / total
        for cell, hours in self.hours.items():
            values[("median_hours_to_first_meeting", *cell)] = statistics.median(hours)
        for cell in self._won_cells():
            won = self.sums[("won_deals", *cell)]
            revenue = self.sums[("new_business_revenue", *cell)]
            values[("avg_deal_size", *cell)] = revenue / won
        for cell, days in self._touch_days().items():
            values[("touches_per_rep_day", *cell)] = self.touch_totals[cell] / days
        return [
            {
                "kpi": kpi,
                "grain": grain,
                "key": key,
                "period_grain": period_grain,
                "period_start": start,
                "value": float(value),
            }
            for (kpi, grain, key, period_grain, start), value in sorted(values.items())
        ]

    def _won_cells(self) -> list[Cell]:
        return [
            (grain, key, period_grain, start)
            for (kpi, grain, key, period_grain, start), value in self.sums.items()
            if kpi == "won_deals" and value > 0
        ]

    def _touch_days(self) -> dict[Cell, int]:
        """Distinct (rep, local day) with a touch, per grain cell and period."""
        days: dict[Cell, int] = defaultdict(int)
        for rep_id, day in self.rep_days:
            for period_grain, start in self.periods.of(day):
                for grain, key in self._rep_grains(rep_id):
                    days[(grain, key, period_grain, start)] += 1
        return days
