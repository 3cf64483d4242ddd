"""The report's computations on a small published copy made by hand (published_copy.py):
funnel counts and step conversions in Tokyo weeks, period-over-period changes, cohort
maturity, the bottleneck, the calendar, and the settings."""

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from dwh.settings import WarehouseSettingError, WarehouseSettings
from reporting import data
from reporting.calendar import Calendar, CalendarError
from reporting.funnel import (
    MIN_COHORT,
    STAGES,
    PeriodCounts,
    build_funnel,
    count_period,
    expected_share,
    funnel_for,
    step_lags,
)
from reporting.report import write_report
from reporting.settings import ReportSettings
from tests.reporting import published_copy as copy

TOKYO_MONDAY = Calendar.from_vars({"reporting_tz": "Asia/Tokyo", "week_start_day": "monday"})
LAST_WEEK = TOKYO_MONDAY.period_of("week", date(2026, 6, 22))


@pytest.fixture(scope="module", params=["timestamptz", "timestamp"])
def published(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both timestamp types a mart may use (TIMESTAMPTZ, or TIMESTAMP holding UTC)."""
    path = tmp_path_factory.mktemp("published") / "published.duckdb"
    return copy.build(path, timestamp_type=request.param)


def test_report_funnel_counts_and_step_conversions_in_tokyo_weeks(published: Path) -> None:
    with data.connect(published) as con:
        current = count_period(con, TOKYO_MONDAY, LAST_WEEK)
        previous = count_period(con, TOKYO_MONDAY, TOKYO_MONDAY.previous(LAST_WEEK))
    # b1 (Sunday 23:30 JST) counts in the week; b2 (Monday 00:30 JST, still Sunday in UTC) not
    assert current.entered == copy.EXPECTED_ENTERED
    assert current.converted == copy.EXPECTED_CONVERTED
    assert previous.entered == copy.EXPECTED_ENTERED_PREVIOUS
    assert previous.converted == copy.EXPECTED_CONVERTED_PREVIOUS


def test_report_funnel_period_over_period_changes(published: Path) -> None:
    with data.connect(published) as con:
        info = data.publish_info(con)
        funnel = funnel_for(con, TOKYO_MONDAY, LAST_WEEK, info.as_of, step_lags(con))
    assert info.as_of == copy.jst("2026-06-29 00:30")
    rows = {row.stage.code: row for row in funnel.rows}
    assert rows["lead"].entered_change == pytest.approx((11 - 8) / 8)
    assert rows["mql"].conversion == pytest.approx(6 / 11)
    assert rows["mql"].conversion_change == pytest.approx(6 / 11 - 4 / 8)
    assert rows["tossup"].conversion == pytest.approx(2 / 5)  # 商談化率 of the first-touch cohort
    assert rows["tossup"].conversion_change == pytest.approx(2 / 5 - 3 / 4)
    assert rows["first_meeting"].conversion == pytest.approx(1 / 2)  # the rejected one met nobody
    assert rows["won"].entered == 1 and rows["won"].entered_previous == 0
    assert rows["won"].entered_change is None  # no relative change from nothing
    assert rows["won"].conversion == 0 and rows["won"].conversion_previous == pytest.approx(1 / 3)
    # every MQL came a day after the lead: b1, an hour old at the as-of, is the one not due yet
    assert rows["mql"].maturity == pytest.approx(10 / 11)
    assert rows["first_touch"].maturity == pytest.approx(1.0)
    # cohorts of 5 or more judged: lead→MQL 55 %, MQL→first touch 83 %, first touch→toss-up 40 %
    assert funnel.step_name(funnel.bottleneck) == "初回接触 → トスアップ"


def _counts(entered: tuple[int, ...], converted: tuple[int, ...], maturity=None) -> PeriodCounts:
    period = TOKYO_MONDAY.period_of("week", date(2026, 6, 22))
    return PeriodCounts(period, entered, converted, maturity or (None,) * len(STAGES))


PREVIOUS = _counts((100, 50, 40, 20, 15, 12, 4), (0, 50, 40, 20, 15, 12, 4))


def test_report_bottleneck_is_the_lowest_conversion_that_can_be_judged() -> None:
    # conversions: 40 %, 75 %, 33 %, 80 %, 90 %, 50 %
    current = _counts((100, 40, 30, 10, 8, 7, 3), (0, 40, 30, 10, 8, 9, 5))
    funnel = build_funnel(current, PREVIOUS)
    assert funnel.bottleneck == 3 and funnel.step_name(3) == "初回接触 → トスアップ"
    assert funnel.rows[3].conversion_change == pytest.approx(10 / 30 - 20 / 40)

    # a maturing cohort is never the bottleneck, however low its conversion
    immature = _counts(current.entered, current.converted, (None, 1, 1, 0.3, 1, 1, 1))
    funnel = build_funnel(immature, PREVIOUS)
    assert funnel.rows[3].maturing and funnel.bottleneck == 1

    # nor a cohort smaller than MIN_COHORT
    tiny = _counts((100, 40, MIN_COHORT - 1, 1, 1, 1, 0), (0, 40, 30, 0, 1, 1, 0))
    assert build_funnel(tiny, PREVIOUS).bottleneck == 1


def test_report_bottleneck_ties_and_nothing_to_judge() -> None:
    # MQL → first touch and first touch → toss-up both 50 %: the one that lost more persons
    tie = _counts((100, 80, 40, 20, 20, 20, 20), (0, 80, 40, 20, 20, 20, 20))
    assert build_funnel(tie, PREVIOUS).bottleneck == 2
    # a step that lost nobody is no leak; here every other step is maturing
    whole = _counts(
        (10, 10, 10, 10, 10, 10, 10), (0, 10, 10, 5, 10, 10, 2), (None, 1, 1, 0.1, 1, 1, 0.2)
    )
    funnel = build_funnel(whole, PREVIOUS)
    assert funnel.bottleneck is None and "no step can be judged" in funnel.no_bottleneck_reason


def test_report_cohort_maturity_from_the_lag_distribution() -> None:
    day = 86_400.0
    lags = [day * i / 10 for i in range(101)]  # conversions take 0-10 days, evenly
    assert expected_share([11 * day], lags) == 1.0
    assert expected_share([5 * day], lags) == pytest.approx(0.5)
    assert expected_share([0.0, 10 * day], lags) == pytest.approx(0.5)
    assert expected_share([], lags) is None
    same = [day] * 101  # every conversion took exactly one day
    assert expected_share([0.5 * day], same) == 0.0
    assert expected_share([day], same) == 1.0


def test_report_calendar_periods() -> None:
    sunday = Calendar.from_vars({"reporting_tz": "Asia/Tokyo", "week_start_day": "sunday"})
    assert sunday.period_of("week", date(2026, 6, 24)).start == date(2026, 6, 21)
    # the latest week that has ended by the as-of date; the one ending that day counts
    assert TOKYO_MONDAY.last_closed("week", date(2026, 6, 28)).start == date(2026, 6, 22)
    assert TOKYO_MONDAY.last_closed("week", date(2026, 6, 27)).start == date(2026, 6, 15)
    assert TOKYO_MONDAY.last_closed("month", date(2026, 6, 29)).start == date(2026, 5, 1)
    start, end = TOKYO_MONDAY.utc_bounds(LAST_WEEK)
    assert start == datetime(2026, 6, 21, 15, tzinfo=UTC) and end - start == timedelta(days=7)
    assert TOKYO_MONDAY.fiscal_year_start(date(2026, 3, 31)) == date(2025, 4, 1)
    recent = TOKYO_MONDAY.recent("month", date(2026, 1, 15), 3)
    assert [p.start for p in recent] == [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1)]
    with pytest.raises(CalendarError, match="reporting_tz"):
        Calendar.from_vars({"reporting_tz": "Mars/Olympus"})
    with pytest.raises(CalendarError, match="week_start_day"):
        Calendar.from_vars({"week_start_day": "someday"})


def test_report_calendar_follows_the_marts(published: Path) -> None:
    """Weeks start where the marts' weekly periods start; the dbt var is overruled, said so."""
    with data.connect(published) as con:
        calendar, notes = data.calendar_of(con, {"week_start_day": "sunday"})
    assert calendar.week_start_day == "monday" and notes
    assert not any("reporting_tz" in note for note in notes)
    # b3's lead is June in Tokyo (the marts' lead month) but May in UTC
    with data.connect(published) as con:
        _, notes = data.calendar_of(con, {"reporting_tz": "UTC"})
    assert any("reporting_tz UTC" in note and "1 件" in note for note in notes)


def test_report_settings_default_beside_the_published_copy(tmp_path: Path) -> None:
    warehouse = WarehouseSettings.for_duckdb(
        tmp_path / "w.duckdb", WAREHOUSE_PUBLISHED_PATH=str(tmp_path / "bi" / "pub.duckdb")
    )
    assert ReportSettings.from_env(warehouse, {}).path == tmp_path / "bi" / "report" / "funnel.html"
    chosen = ReportSettings.from_env(warehouse, {"FUNNEL_REPORT_PATH": str(tmp_path / "x.html")})
    assert chosen.path == tmp_path / "x.html"
    for wrong in (str(tmp_path / "report.pdf"), str(tmp_path), "a\x00b.html"):
        with pytest.raises(WarehouseSettingError, match="FUNNEL_REPORT_PATH"):
            ReportSettings.from_env(warehouse, {"FUNNEL_REPORT_PATH": wrong})


def test_report_renders_the_hand_made_copy(published: Path, tmp_path: Path) -> None:
    """The whole page from marts typed DECIMAL / BIGINT: Japanese first, the bottleneck named,
    targets with attainment, hostile text escaped, nothing that loads from elsewhere."""
    out = tmp_path / "report" / "funnel.html"
    result = write_report(published, out, {"reporting_tz": "Asia/Tokyo"})
    html = out.read_text("utf-8")
    assert result.path == out and [p.name for p in out.parent.iterdir()] == ["funnel.html"]
    assert result.bottlenecks["week"] == "初回接触 → トスアップ 40%"
    assert result.bottlenecks["month"] == "none"  # May, the last closed month, had nobody
    assert (
        "ファネルレポート" in html
        and '商談化率 <span class="en">Opportunity conversion rate' in html
    )
    assert html.count('class="chart-svg"') == result.charts > 40
    # KGI: May's fiscal year to date against the target, the company's and the rep's
    assert "年初来 達成率" in html and ">100%<" in html and ">75%<" in html
    # a rep name and a reject reason are data: escaped, never markup
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#39;rep&#39;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;予算なし" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html and not re.search(r"url\((?!#)", html)  # only url(#clip-id)


def test_report_says_what_the_published_copy_lacks(tmp_path: Path) -> None:
    missing = tmp_path / "missing.duckdb"
    with pytest.raises(data.PublishedCopyError, match="run the pipeline first"):
        write_report(missing, tmp_path / "r.html", {})
    old = tmp_path / "old.duckdb"
    with duckdb.connect(str(old)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.kpi_long (kpi varchar, grain varchar)")
    with pytest.raises(data.PublishedCopyError) as failure:
        write_report(old, tmp_path / "r.html", {})
    assert "marts.kpi_long lacks grain_key, period_grain" in str(failure.value)
    assert "no marts.fct_lead_lifecycle" in str(failure.value)
    assert not (tmp_path / "r.html").exists()
