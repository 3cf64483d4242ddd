"""The report of a company configured differently from the default (custom-jp: weeks from
Sunday, the fiscal year from January, targets in kpi_targets, Japanese stage and role names),
built by dbt with exactly its configuration files."""

from datetime import date
from pathlib import Path

import pytest
import yaml

from reporting import data
from reporting.calendar import project_vars
from reporting.report import write_report
from sandbox.world import generate
from tests.dbt.warehouses import build_duckdb

CONFIG = Path(__file__).resolve().parents[2] / "sandbox" / "world" / "configs" / "custom-jp"


@pytest.fixture(scope="module")
def custom_jp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("custom_jp")
    world = generate(root / "data", leads=300, seed=7, profile="custom-jp")
    return Path(build_duckdb(world, root, config_dir=CONFIG).location)


def test_report_of_custom_jp_uses_its_calendar_and_targets(custom_jp: Path, tmp_path: Path) -> None:
    dbt_vars = project_vars(yaml.safe_load((CONFIG / "vars.yml").read_text("utf-8")))
    out = tmp_path / "funnel.html"
    result = write_report(custom_jp, out, dbt_vars)
    assert result.notes == []  # the marts were cut the way its vars say
    html = out.read_text("utf-8")
    with data.connect(custom_jp) as con:
        calendar, _ = data.calendar_of(con, dbt_vars)
        as_of = calendar.local_date(data.publish_info(con).as_of)
        (fy_target,) = con.execute(
            "select target from seeds.kpi_targets where kpi = 'revenue' and grain = 'company' "
            "and period_start = '2026-01-01'"
        ).fetchone()
    assert calendar.week_start_day == "sunday" and calendar.fiscal_year_start_month == 1
    last_week = calendar.last_closed("week", as_of)
    assert last_week.start.weekday() == 6  # a Sunday
    assert f'先週 <span class="en">last week</span> {last_week.label()}' in html
    # KGI against its targets: FY2026 is the calendar year, the yearly target as set
    assert "FY2026" in html and "fiscal year from 2026-01" in html
    assert f"¥{fy_target / 1_000_000:,.1f}M" in html and "年初来 達成率" in html
    assert "フィールドセールス (Field Sales, FS)" in html  # the team with monthly targets
    assert date(2026, 1, 1) == calendar.fiscal_year_start(date(2026, 6, 1))
