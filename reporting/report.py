"""The funnel report: read the published copy, lay it out, write one HTML file atomically."""

import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from reporting import data
from reporting.funnel import MATURE_SHARE, MIN_COHORT
from reporting.labels import format_change, format_value
from reporting.sections import SECTIONS
from reporting.views import ReportBuilder

TEMPLATES = Path(__file__).parent / "templates"
TARGET_LABELS = {"duckdb": "DuckDB", "postgres": "Postgres"}


@dataclass(frozen=True)
class ReportResult:
    path: Path
    as_of: datetime
    bottlenecks: dict[str, str]  # "week" / "month" -> the weakest step in words
    charts: int
    notes: list[str]
    size_bytes: int


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fmt"] = format_value
    env.filters["change"] = format_change
    return env


def render(published: Path, dbt_vars: dict[str, Any]) -> tuple[str, ReportResult]:
    """The report's HTML and what it found (the path in the result is left empty)."""
    with data.connect(published) as con:
        data.require_marts(con)
        info = data.publish_info(con)
        calendar, notes = data.calendar_of(con, dbt_vars)
        builder = ReportBuilder(con, calendar, info.as_of)
        funnels = builder.funnels()
        context = {
            "info": info,
            "built_in": TARGET_LABELS.get(info.source_target, info.source_target),
            "calendar": calendar,
            "as_of_local": info.as_of.astimezone(calendar.tz),
            "notes": notes,
            "funnels": [(f, builder.funnel_chart(f)) for f in funnels],
            "sections": [builder.section(s) for s in SECTIONS],
            "handoffs": builder.handoffs(),
            "goals": builder.goals(),
            "min_cohort": MIN_COHORT,
            "mature_share": MATURE_SHARE,
        }
    html = _environment().get_template("funnel.html.j2").render(**context)
    bottlenecks = {
        f.period.grain: (
            f"{f.step_name(f.bottleneck)} {format_value(f.rows[f.bottleneck].conversion, 'pct')}"
            if f.bottleneck is not None
            else "none"
        )
        for f in funnels
    }
    return html, ReportResult(
        Path(), info.as_of, bottlenecks, builder.chart_count, notes, len(html.encode())
    )


def write_report(published: Path, out: Path, dbt_vars: dict[str, Any]) -> ReportResult:
    """Render and write atomically: a reader sees the previous report or the new one."""
    html, result = render(published, dbt_vars)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".funnel-", suffix=".html", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(html)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return ReportResult(
        out, result.as_of, result.bottlenecks, result.charts, result.notes, result.size_bytes
    )
