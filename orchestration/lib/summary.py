"""The funnel summary `make demo` prints: per team, the last months, in words a manager uses."""

from dataclasses import dataclass
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

from orchestration.lib.run_report import TARGET_LABELS


@dataclass(frozen=True)
class Line:
    team: str
    label: str
    kpi: str
    grain: str
    key: str
    fmt: str  # "int", "pct" or "yen"


LINES: tuple[Line, ...] = (
    Line("Marketing", "Leads created", "leads", "company", "all", "int"),
    Line("Marketing", "MQLs", "mqls", "company", "all", "int"),
    Line("Inside Sales (IS)", "Toss-ups", "tossups", "team", "inside_sales", "int"),
    Line(
        "Inside Sales (IS)",
        "Opportunity conversion (商談化率)",
        "opportunity_conversion_rate",
        "team",
        "inside_sales",
        "pct",
    ),
    Line(
        "Inside Sales (IS)",
        "Toss-up acceptance",
        "tossup_acceptance_rate",
        "team",
        "inside_sales",
        "pct",
    ),
    Line("Field Sales (FS)", "Meetings held", "meetings_held", "team", "field_sales", "int"),
    Line("Field Sales (FS)", "Won deals (受注数)", "won_deals", "team", "field_sales", "int"),
    Line("Field Sales (FS)", "Win rate (受注率)", "win_rate", "team", "field_sales", "pct"),
    Line(
        "Field Sales (FS)", "Revenue (売上高)", "new_business_revenue", "team", "field_sales", "yen"
    ),
    Line("Full cycle (一気通貫)", "Won deals", "won_deals", "team", "full_cycle", "int"),
    Line("Full cycle (一気通貫)", "Win rate", "win_rate", "team", "full_cycle", "pct"),
    Line("Company (KGI)", "Revenue incl. renewals", "revenue", "company", "all", "yen"),
    Line("Company (KGI)", "New customers", "new_customers", "company", "all", "int"),
    Line("Company (KGI)", "Retention rate", "retention_rate", "company", "all", "pct"),
)


def _format(value: float | None, fmt: str) -> str:
    if value is None:
        return "–"
    if fmt == "pct":
        return f"{value:.0%}"
    if fmt == "yen":
        return f"¥{value / 1_000_000:,.1f}M"
    return f"{value:,.0f}"


def built_in(published: Path) -> str:
    """The warehouse the published marts were built in, as `_publish_info` records it."""
    con = duckdb.connect(str(published), read_only=True)
    try:
        columns = {
            row[0]
            for row in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'marts' and table_name = '_publish_info'"
            ).fetchall()
        }
        if "source_target" not in columns:  # a copy published before the column existed
            return "unknown warehouse"
        (target,) = con.execute("select source_target from marts._publish_info").fetchone()
    finally:
        con.close()
    return TARGET_LABELS.get(target, str(target))


def load_values(published: Path) -> dict[tuple[str, str, str, str], float]:
    con = duckdb.connect(str(published), read_only=True)
    try:
        rows = con.execute(
            "select kpi, grain, grain_key, month, value from marts.kpi_monthly_long"
        ).fetchall()
    finally:
        con.close()
    return {(kpi, grain, key, month): value for kpi, grain, key, month, value in rows}


def render_summary(published: Path, *, months: int = 6, console: Console | None = None) -> Table:
    values = load_values(published)
    # The latest month is usually partial up to the as-of date; show it, but label it.
    all_months = sorted({month for (_, _, _, month) in values})[-months:]
    table = Table(
        title=f"THE MODEL funnel, last {len(all_months)} months (Asia/Tokyo), "
        f"built in {built_in(published)}"
    )
    table.add_column("Team")
    table.add_column("KPI")
    for month in all_months:
        table.add_column(month, justify="right")
    previous_team = None
    for line in LINES:
        cells = [
            _format(values.get((line.kpi, line.grain, line.key, m)), line.fmt) for m in all_months
        ]
        table.add_row(line.team if line.team != previous_team else "", line.label, *cells)
        previous_team = line.team
    (console or Console()).print(table)
    return table
