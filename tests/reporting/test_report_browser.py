"""The report as a person sees it: a small sandbox company run through the whole pipeline,
then its funnel report opened in headless Chromium (Debian's `chromium`, installed by
.ci/run): a screenshot, every chart drawn, no console error, no request but the file itself.
Skipped, saying why, only where no browser can be had."""

import re
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from reporting import data
from reporting.calendar import project_vars
from reporting.funnel import funnel_for, step_lags
from sandbox.browser import BrowserUnavailable, look_at
from sandbox.serve import running
from sandbox.world import generate


@pytest.fixture(scope="module")
def sandbox_run(tmp_path_factory: pytest.TempPathFactory, dbt_manifest) -> Iterator[dict]:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("report_run")
    world = generate(root / "world", leads=300, seed=7)
    with pytest.MonkeyPatch.context() as env, running(world, enforce_limits=False) as sandbox:
        env.setenv("WAREHOUSE_PATH", str(root / "warehouse.duckdb"))
        env.setenv("WAREHOUSE_PUBLISHED_PATH", str(root / "bi" / "published.duckdb"))
        env.setenv("DATA_DOCS_DIR", str(root / "docs"))
        env.delenv("FUNNEL_REPORT_PATH", raising=False)
        for name, value in sandbox.env.items():
            env.setenv(name, value)
        from orchestration.definitions import defs

        result = (
            defs()
            .resolve_job_def("full_pipeline")
            .execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
        )
        assert result.success, [e.message for e in result.all_events if e.is_failure][:3]
        yield {"root": root, "result": result, "published": root / "bi" / "published.duckdb"}


def test_report_written_after_each_run_beside_the_published_copy(sandbox_run: dict) -> None:
    (materialization,) = sandbox_run["result"].asset_materializations_for_node("funnel_report")
    metadata = materialization.metadata
    report = Path(metadata["path"].value)
    assert report == sandbox_run["root"] / "bi" / "report" / "funnel.html"
    assert report.is_file() and metadata["open"].value == report.as_uri()
    assert metadata["charts"].value > 100
    assert metadata["bottleneck_last_month"].value  # a step in words, or "none"


def test_report_funnel_tells_the_numbers_of_the_marts(sandbox_run: dict) -> None:
    """Counts and the one step conversion the marts also hold, for the last month: the same."""
    published = sandbox_run["published"]
    with data.connect(published) as con:
        calendar, notes = data.calendar_of(con, project_vars())
        info = data.publish_info(con)
        month = calendar.last_closed("month", calendar.local_date(info.as_of))
        funnel = funnel_for(con, calendar, month, info.as_of, step_lags(con))
        kpis = dict(
            con.execute(
                "select kpi, value from marts.kpi_long where grain = 'company' "
                "and period_grain = 'month' and period_start = ?",
                [month.start],
            ).fetchall()
        )
    assert notes == []
    rows = {row.stage.code: row for row in funnel.rows}
    assert rows["lead"].entered == kpis["leads"] > 0
    assert rows["mql"].entered == kpis.get("mqls", 0)
    assert rows["tossup"].entered == kpis.get("tossups", 0)
    # first touch → toss-up of the month's first-touch cohort is the mart's 商談化率
    assert rows["tossup"].conversion == pytest.approx(kpis["opportunity_conversion_rate"])


def test_report_of_a_sandbox_run_draws_in_chromium(sandbox_run: dict) -> None:
    report = sandbox_run["root"] / "bi" / "report" / "funnel.html"
    try:
        look = look_at(report, report.with_suffix(".png"), pdf=report.with_suffix(".pdf"))
    except BrowserUnavailable as exc:
        pytest.skip(f"no browser to look at the report with: {exc}")
    print(f"screenshot of the report: {look.screenshot}")
    assert look.title.startswith("ファネルレポート")
    assert len(look.charts) > 100 and look.blank_charts == []
    funnels = [c for c in look.charts if c["name"].startswith("funnel-")]
    assert len(funnels) == 2 and all(c["marks"] >= 14 for c in funnels)  # bars of 7 stages x2
    assert look.console_errors == []
    assert look.requests == [report.as_uri()]  # the page itself, nothing from the network
    from PIL import Image

    with Image.open(look.screenshot) as picture:
        width, height = picture.size
        colours = picture.convert("RGB").resize((200, 600)).getcolors(maxcolors=100_000) or []
    assert width == 1366 and height == look.page_height > 3000
    assert len(colours) > 50  # text, bars and lines, not a blank page
    # printable: A4 landscape pages (842 x 595 pt), a section per page
    printed = report.with_suffix(".pdf").read_bytes()
    assert len(re.findall(rb"/Type\s*/Page\b", printed)) >= 6
    assert re.search(rb"/MediaBox\s*\[\s*0 0 84[12](\.\d+)? 59[45](\.\d+)?\s*\]", printed)
    # the published copy was only read: still a valid DuckDB file nobody holds open
    duckdb.connect(str(sandbox_run["published"]), read_only=True).close()
