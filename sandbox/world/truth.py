"""The truth: every KPI of contracts 5.5 per reporting month, accumulated from the event model.

The generator reports business events here as it creates them (never by re-reading its files);
only per-month accumulators are held, so memory does not grow with the number of records.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass

from sandbox.world.fmt import local_date, local_month

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


Key = tuple[str, str, str, str]  # kpi, grain, key, month


class TruthBuilder:
    def __init__(self, rep_team: dict[str, str]) -> None:
        self.rep_team = rep_team
        self.sums: dict[Key, float] = defaultdict(float)
        self.ratios: dict[Key, list[float]] = defaultdict(lambda: [0.0, 0.0])
        self.hours: dict[tuple[str, str, str], list[float]] = defaultdict(list)
        self.rep_days: set[tuple[str, str]] = set()
        self.touch_totals: dict[tuple[str, str], float] = defaultdict(float)  # (team|all, month)
        self.counts: dict[str, int] = defaultdict(int)

    # -- grain helpers -------------------------------------------------------------------
    def _rep_grains(self, rep_id: str) -> list[tuple[str, str]]:
        return [("rep", rep_id), ("team", self.rep_team[rep_id]), ("company", "all")]

    def _handoff_grains(self, rep_id: str, unit: str) -> list[tuple[str, str]]:
        return [*self._rep_grains(rep_id), ("unit", unit)]

    def _add(self, kpi: str, grains: list[tuple[str, str]], month: str, value: float = 1.0) -> None:
        for grain, key in grains:
            self.sums[(kpi, grain, key, month)] += value

    def _ratio(
        self, kpi: str, grains: list[tuple[str, str]], month: str, hit: bool | float
    ) -> None:
        for grain, key in grains:
            cell = self.ratios[(kpi, grain, key, month)]
            cell[0] += float(hit)
            cell[1] += 1.0

    # -- activities ----------------------------------------------------------------------
    def add_person_activities(self, person_key: str | None, activities: list[Activity]) -> None:
        """All touches of one person (or of no person: person_key None)."""
        worked: set[tuple[str, str, str]] = set()
        for activity in activities:
            month = local_month(activity.start_ts)
            grains = self._rep_grains(activity.owner_id)
            if activity.kind == "call":
                self.counts["calls"] += 1
                self._add("calls", grains, month)
                if (activity.duration_s or 0) >= CONNECTED_SECONDS:
                    self._add("connected_calls", grains, month)
            elif activity.kind == "email":
                self.counts["emails"] += 1
                self._add("emails_sent", grains, month)
            else:
                self.counts["meetings"] += 1
                self._add("meetings_held", grains, month)
            self._add("touches", grains, month)
            team = self.rep_team[activity.owner_id]
            self.touch_totals[(team, month)] += 1
            self.touch_totals[("all", month)] += 1
            self.rep_days.add((activity.owner_id, local_date(activity.start_ts)))
            if person_key is not None:
                for grain, key in grains:
                    worked.add((grain, key, month))
        for grain, key, month in worked:
            self.sums[("leads_worked", grain, key, month)] += 1

    # -- funnel --------------------------------------------------------------------------
    def add_person(
        self,
        lead_created_ts: int,
        source: str | None,
        mql_ts: int | None,
        first_touch: tuple[str, int] | None,
        tossed_up: bool,
        won: bool,
    ) -> None:
        self.counts["persons"] += 1
        if source is not None:
            self._ratio("lead_to_won_rate", [("source", source)], local_month(lead_created_ts), won)
        if mql_ts is not None:
            self._ratio("mql_to_sql_rate", [("company", "all")], local_month(mql_ts), tossed_up)
        if first_touch is not None:
            rep_id, ts = first_touch
            self._ratio(
                "opportunity_conversion_rate", self._rep_grains(rep_id), local_month(ts), tossed_up
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
        month = local_month(tossup_ts)
        self._add("tossups", grains, month)
        if status == "rejected":
            self._add("rejections", grains, month)
        self._ratio("tossup_acceptance_rate", grains, month, status == "accepted")
        self._ratio("tossup_to_won_rate", grains, month, won)
        self._ratio("avg_handoff_completeness", grains, month, completeness)
        self._ratio("qualified_handoff_share", grains, month, qualified)
        if status == "accepted":
            met = first_meeting_ts is not None and first_meeting_ts - tossup_ts <= SLA_SECONDS
            self._ratio("sla_met_rate", grains, month, met)
            if first_meeting_ts is not None:
                for grain, key in grains:
                    self.hours[(grain, key, month)].append((first_meeting_ts - tossup_ts) / 3600)

    def add_accepted_opportunity(
        self,
        owner_id: str,
        unit: str,
        proposal_ts: int | None,
        close_day: str | None,
        won: bool,
        amount: float | None,
    ) -> None:
        """A new-business opportunity of an accepted handoff; close_day is its CloseDate."""
        grains = self._handoff_grains(owner_id, unit)
        if proposal_ts is not None:
            self._add("proposals", grains, local_month(proposal_ts))
        if close_day is None:
            return
        month = close_day[:7]
        self._ratio("win_rate", grains, month, won)
        if won:
            self._add("won_deals", grains, month)
            self._add("revenue", grains, month, float(amount or 0))
        else:
            self._add("lost_deals", grains, month)

    # -- company -------------------------------------------------------------------------
    def add_won_opportunity(self, close_day: str, amount: float) -> None:
        self._add("total_revenue", [("company", "all")], close_day[:7], amount)

    def add_new_customer(self, first_won_close_day: str) -> None:
        self._add("new_customers", [("company", "all")], first_won_close_day[:7])

    def add_renewal(self, close_day: str, won: bool) -> None:
        self._add("renewals_due", [("company", "all")], close_day[:7])
        self._ratio("retention_rate", [("company", "all")], close_day[:7], won)

    # -- output --------------------------------------------------------------------------
    def rows(self) -> list[dict[str, object]]:
        values: dict[Key, float] = {}
        for key, value in self.sums.items():
            if value > 0:
                values[key] = value
        for (kpi, grain, key, month), (hits, total) in self.ratios.items():
            if total > 0:
                values[(kpi, grain, key, month)] = hits / total
        for (grain, key, month), hours in self.hours.items():
            values[("median_hours_to_first_meeting", grain, key, month)] = statistics.median(hours)
        for grain, key, month in list(self._won_cells()):
            won = self.sums[("won_deals", grain, key, month)]
            revenue = self.sums[("revenue", grain, key, month)]
            values[("avg_deal_size", grain, key, month)] = revenue / won
        days: dict[tuple[str, str], int] = defaultdict(int)
        for rep_id, day in self.rep_days:
            days[(self.rep_team[rep_id], day[:7])] += 1
            days[("all", day[:7])] += 1
        for (team, month), touches in self.touch_totals.items():
            grain = "company" if team == "all" else "team"
            values[("touches_per_rep_day", grain, team, month)] = touches / days[(team, month)]
        return [
            {"kpi": kpi, "grain": grain, "key": key, "month": month, "value": float(value)}
            for (kpi, grain, key, month), value in sorted(values.items())
        ]

    def _won_cells(self) -> list[tuple[str, str, str]]:
        return [
            (grain, key, month)
            for (kpi, grain, key, month), value in self.sums.items()
            if kpi == "won_deals" and value > 0
        ]
