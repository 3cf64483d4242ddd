"""Which KPIs each part of the report shows, for which teams, units and reps (contracts 5.5
gives the grains each KPI has)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    code: str
    title_ja: str
    title_en: str
    intro: str
    grain: str  # "team" or "unit"
    keys: tuple[str, ...]  # the teams (or units) drawn as lines
    kpis: tuple[str, ...]
    rep_teams: tuple[str, ...] = ()  # reps of these teams get a row each
    rep_kpis: tuple[str, ...] = ()
    with_company: bool = False


INSIDE_SALES = Section(
    "inside_sales",
    "インサイドセールス",
    "Inside Sales",
    "MQL をどれだけ接触し、商談化 (トスアップ) できたか。一気通貫型の担当者も同じ KPI で並べます。",
    "team",
    ("inside_sales", "full_cycle"),
    (
        "tossups",
        "opportunity_conversion_rate",
        "mql_to_sql_rate",
        "calls",
        "connected_calls",
        "touches_per_rep_day",
        "leads_worked",
    ),
    ("inside_sales", "full_cycle"),
    ("tossups", "opportunity_conversion_rate", "calls", "connected_calls", "touches_per_rep_day"),
)

FIELD_SALES = Section(
    "field_sales",
    "フィールドセールス",
    "Field Sales",
    "受け入れた商談から、どれだけ受注できたか (受注・失注は受注日で集計)。",
    "team",
    ("field_sales", "full_cycle"),
    (
        "meetings_held",
        "opportunities",
        "won_deals",
        "win_rate",
        "new_business_revenue",
        "avg_deal_size",
    ),
    ("field_sales", "full_cycle"),
    ("meetings_held", "opportunities", "won_deals", "win_rate", "new_business_revenue"),
)

LINKAGE = Section(
    "linkage",
    "部門間の連携",
    "Linkage",
    "トスアップの質と、フィールドセールスの受け入れ・初回商談の速さ (送り手の担当者・チーム別)。",
    "team",
    ("inside_sales", "full_cycle"),
    (
        "tossup_acceptance_rate",
        "tossup_to_won_rate",
        "avg_handoff_completeness",
        "qualified_handoff_share",
        "sla_met_rate",
        "median_hours_to_first_meeting",
        "rejections",
    ),
    ("inside_sales", "full_cycle"),
    (
        "tossup_acceptance_rate",
        "avg_handoff_completeness",
        "qualified_handoff_share",
        "sla_met_rate",
        "rejections",
    ),
    with_company=True,
)

UNITS = Section(
    "units",
    "分業型 vs 一気通貫型",
    "Division of labour vs full cycle",
    "同じ KPI で二つの営業モデルを比べます (送り手と受け手が同じ担当者のトスアップが一気通貫型)。",
    "unit",
    ("division_of_labour", "full_cycle"),
    (
        "tossups",
        "tossup_acceptance_rate",
        "tossup_to_won_rate",
        "avg_handoff_completeness",
        "sla_met_rate",
        "won_deals",
        "win_rate",
        "avg_deal_size",
        "new_business_revenue",
    ),
)

SECTIONS = (INSIDE_SALES, FIELD_SALES, LINKAGE, UNITS)
GOAL_KPIS = ("revenue", "new_customers")
