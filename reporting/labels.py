"""Names a sales manager reads: Japanese first (the glossary of domain.md), English beside.

KPI codes are the names of docs/contracts.md 5.5; `fmt` says how a value reads (a count,
a share 0-1, yen, hours, a plain decimal).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Label:
    ja: str
    en: str
    fmt: str = "int"  # "int", "pct", "yen", "hours", "dec"

    @property
    def text(self) -> str:
        return f"{self.ja} ({self.en})"


KPI_LABELS: dict[str, Label] = {
    "leads": Label("リード数", "Leads"),
    "mqls": Label("MQL数", "MQLs"),
    "calls": Label("架電数", "Calls"),
    "connected_calls": Label("接続通話数", "Connected calls"),
    "emails_sent": Label("メール送信数", "E-mails sent"),
    "touches": Label("接触数", "Touches"),
    "leads_worked": Label("対応リード数", "Leads worked"),
    "touches_per_rep_day": Label("1人1日あたり接触数", "Touches per rep-day", "dec"),
    "tossups": Label("トスアップ数", "Toss-ups"),
    "rejections": Label("差し戻し数", "Rejections"),
    "mql_to_sql_rate": Label("MQL→SQL転換率", "MQL to SQL rate", "pct"),
    "opportunity_conversion_rate": Label("商談化率", "Opportunity conversion rate", "pct"),
    "tossup_acceptance_rate": Label("トスアップ後の商談化率", "Toss-up acceptance rate", "pct"),
    "tossup_to_won_rate": Label("トスアップ受注率", "Toss-up to won rate", "pct"),
    "avg_handoff_completeness": Label("引き継ぎ情報の充足度", "Handoff completeness", "pct"),
    "qualified_handoff_share": Label("BANT充足率", "Qualified handoff share", "pct"),
    "sla_met_rate": Label("SLA達成率", "SLA met rate", "pct"),
    "median_hours_to_first_meeting": Label(
        "初回商談までの時間 (中央値)", "Median hours to first meeting", "hours"
    ),
    "meetings_held": Label("商談実施数", "Meetings held"),
    "opportunities": Label("商談数", "Opportunities"),
    "proposals": Label("提案数", "Proposals"),
    "won_deals": Label("受注数", "Won deals"),
    "lost_deals": Label("失注数", "Lost deals"),
    "win_rate": Label("受注率", "Win rate", "pct"),
    "avg_deal_size": Label("平均受注単価", "Average deal size", "yen"),
    "new_business_revenue": Label("新規売上高", "New-business revenue", "yen"),
    "revenue": Label("売上高", "Revenue", "yen"),
    "new_customers": Label("新規顧客数", "New customers"),
    "renewals_due": Label("更新対象数", "Renewals due"),
    "retention_rate": Label("継続率", "Retention rate", "pct"),
    "lead_to_won_rate": Label("リード→受注転換率", "Lead to won rate", "pct"),
}

# Counts and sums: a period without a row has none (contracts 5.5: rows only when > 0), so it
# reads 0; a rate or mean without a row has no value.
ADDITIVE_KPIS = frozenset(
    {
        "leads",
        "mqls",
        "calls",
        "connected_calls",
        "emails_sent",
        "touches",
        "leads_worked",
        "tossups",
        "rejections",
        "meetings_held",
        "opportunities",
        "proposals",
        "won_deals",
        "lost_deals",
        "new_business_revenue",
        "revenue",
        "new_customers",
        "renewals_due",
    }
)

TEAM_LABELS: dict[str, Label] = {
    "marketing": Label("マーケティング", "Marketing"),
    "inside_sales": Label("インサイドセールス", "Inside Sales, IS"),
    "field_sales": Label("フィールドセールス", "Field Sales, FS"),
    "customer_success": Label("カスタマーサクセス", "Customer Success, CS"),
    "full_cycle": Label("一気通貫型", "Full cycle"),
}

UNIT_LABELS: dict[str, Label] = {
    "division_of_labour": Label("分業型", "Division of labour"),
    "full_cycle": Label("一気通貫型", "Full cycle"),
}

COMPANY_LABEL = Label("全社", "Company")

# One colour per team or unit, the same in every chart (and in the HTML legends).
SERIES_COLOURS: dict[str, str] = {
    "company": "#444444",
    "inside_sales": "#1f77b4",
    "field_sales": "#d62728",
    "full_cycle": "#2ca02c",
    "division_of_labour": "#9467bd",
    "marketing": "#ff7f0e",
    "customer_success": "#8c564b",
}

PERIOD_LABELS: dict[str, Label] = {
    "week": Label("週次", "weekly"),
    "month": Label("月次", "monthly"),
}

# The canonical handoff fields of domain.md, in its order, with the glossary's words.
HANDOFF_FIELD_LABELS: dict[str, Label] = {
    "company_name": Label("会社名", "Company"),
    "contact_name": Label("担当者名", "Contact"),
    "contact_email": Label("メール", "E-mail"),
    "contact_phone": Label("電話番号", "Phone"),
    "challenge": Label("課題 (N)", "Need"),
    "budget_status": Label("予算 (B)", "Budget"),
    "budget_amount": Label("予算額", "Budget amount"),
    "authority": Label("決裁権 (A)", "Authority"),
    "timeframe": Label("導入時期 (T)", "Timeframe"),
    "next_meeting_at": Label("次回商談日時", "Next meeting"),
}


def label(code: str, table: dict[str, Label] | None = None) -> Label:
    """The label of a code; an unknown code (a team the org added) reads as itself."""
    found = (table if table is not None else KPI_LABELS).get(code)
    return found if found is not None else Label(code, code)


def format_value(value: float | None, fmt: str) -> str:
    """A value as a manager reads it; `–` where the period has none."""
    if value is None:
        return "–"
    if fmt == "pct":
        return f"{value:.0%}"
    if fmt == "yen":
        return f"¥{value / 1_000_000:,.1f}M"
    if fmt == "hours":
        return f"{value:,.0f} h"
    if fmt == "dec":
        return f"{value:,.1f}"
    return f"{value:,.0f}"


def format_change(change: float | None, fmt: str) -> str:
    """A period-over-period change: points for shares, a relative change for the rest."""
    if change is None:
        return "–"
    if fmt == "pt":
        return f"{change * 100:+.0f}pt"
    return f"{change:+.0%}"
