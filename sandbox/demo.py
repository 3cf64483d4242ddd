"""`make demo`: generate a sandbox company, serve its fake APIs, run the whole pipeline once
(`python -m orchestration run`, through Dagster) into a local warehouse, print the summary.

Usage: python -m sandbox demo [--leads N] [--seed S] [--keep-warehouse]
"""

import argparse
import os
import sys
import time
from pathlib import Path

from dwh.settings import WarehouseSettings, resolve_path
from orchestration.cli import console, print_report_location, run_and_report

SANDBOX_DATA_DIR_DEFAULT = "sandbox_data/default"


def _ensure_world(data_dir: Path, leads: int, seed: int, out) -> None:  # type: ignore[no-untyped-def]
    from sandbox.world import generate, is_current

    if is_current(data_dir, leads, seed):
        out.print(f"[dim]Reusing the sandbox world in {data_dir}[/dim]")
        return
    out.print(f"Generating a sandbox company with {leads:,} leads (seed {seed}) in {data_dir} …")
    started = time.perf_counter()
    generate(data_dir, leads=leads, seed=seed)
    out.print(f"  done in {time.perf_counter() - started:.1f} s")


def _reset_warehouse(warehouse: WarehouseSettings) -> None:
    if warehouse.is_postgres:
        return  # a Postgres warehouse is the operator's; the run is incremental there
    for stale in (warehouse.path, warehouse.path.with_name(warehouse.path.name + ".wal")):
        stale.unlink(missing_ok=True)


def _screenshot_report(warehouse: WarehouseSettings, out) -> None:  # type: ignore[no-untyped-def]
    """A picture of the report beside it (funnel.png), as headless Chromium shows it."""
    from reporting.settings import ReportSettings
    from sandbox.browser import BrowserUnavailable, look_at

    report = ReportSettings.from_env(warehouse).path
    if not report.exists():
        return
    try:
        look = look_at(report, report.with_suffix(".png"))
    except BrowserUnavailable as exc:
        out.print(f"  [dim]no screenshot: {exc}[/dim]")
        return
    out.print(f"  screenshot ({len(look.charts)} charts): {look.screenshot}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox demo",
        description=__doc__,
        formatter_class=argparse.RawTextHelpFormatter,
    )
    parser.add_argument("--leads", type=int, default=int(os.environ.get("DEMO_LEADS", "3000")))
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--keep-warehouse", action="store_true", help="run incrementally on the existing warehouse"
    )
    args = parser.parse_args(argv)

    out = console()
    os.environ.setdefault("DO_NOT_TRACK", "1")
    data_dir = resolve_path(os.environ.get("SANDBOX_DATA_DIR") or SANDBOX_DATA_DIR_DEFAULT)
    _ensure_world(data_dir, args.leads, args.seed, out)
    warehouse = WarehouseSettings.from_env()
    if not args.keep_warehouse:
        _reset_warehouse(warehouse)

    from sandbox.serve import running

    with running(data_dir) as sandbox:
        out.print("Sandbox fakes of Salesforce, Marketo and Gong are serving on 127.0.0.1")
        os.environ.update(sandbox.env)  # the pipeline reads them exactly as it would real ones
        ok, _, warehouse = run_and_report("full_pipeline", full_refresh=False, out=out)
    out.print("Sandbox fakes stopped.")
    if not ok:
        return 1

    from orchestration.lib.summary import render_summary

    render_summary(warehouse.published_path, console=out)
    print_report_location(warehouse, out)
    _screenshot_report(warehouse, out)
    from expectations.runner import data_docs_dir
    from orchestration.lib.run_report import warehouse_label

    oldest_reader = warehouse.published_storage_version.removeprefix("v").replace("latest", "2.0")
    out.print(
        f"\nWarehouse (read-write, pipeline only): {warehouse_label(warehouse)}\n"
        f"Published copy for BI tools (read-only): {warehouse.published_path}\n"
        "Data quality: dq.expectation_results in the warehouse; GX Data Docs in "
        f"{data_docs_dir() / 'index.html'}\n"
        f"Open the published copy read-only with DuckDB {oldest_reader} or later (CLI, Python, "
        "Evidence, Superset: README, 'For BI tools'):\n"
        f"  duckdb -readonly {warehouse.published_path} -c 'from marts.kpi_monthly_long limit 20'\n"
        "Explore runs and lineage in the Dagster UI: make dev"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
