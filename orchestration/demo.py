"""`make demo`: generate a sandbox world, serve its fake APIs, run the whole pipeline through
Dagster into a local DuckDB file, and print a funnel summary.

Usage: python -m orchestration.demo [--leads N] [--seed S] [--keep-warehouse]
"""

import argparse
import os
import sys
import time
from pathlib import Path

from rich.console import Console

from orchestration.env import WarehouseSettings, resolve_path, setting, warehouse_settings
from orchestration.lib.run_report import report_in_process_run, warehouse_label

# Rich falls back to 80 columns when stdout is not a terminal (make, CI logs): too narrow.
console = Console() if sys.stdout.isatty() else Console(width=132)
# Dagster's console logger prints every event at DEBUG; the demo reports per stage instead.
QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def _report_run(result, settings: WarehouseSettings) -> bool:  # type: ignore[no-untyped-def]
    """Print the run report (orchestration.lib.run_report); True when the run succeeded."""
    report = report_in_process_run(result, warehouse_label(settings))
    for number, line in enumerate(report.lines()):
        style = "" if number else ("green" if report.succeeded else "red")
        console.print(f"[{style}]{line}[/{style}]" if style else line, highlight=False)
    return report.succeeded


def _ensure_world(data_dir: Path, leads: int, seed: int) -> None:
    import json

    from sandbox.world import generate

    manifest = data_dir / "manifest.json"
    if manifest.exists():
        meta = json.loads(manifest.read_text())
        if meta.get("leads") == leads and meta.get("seed") == seed:
            console.print(f"[dim]Reusing the sandbox world in {data_dir}[/dim]")
            return
    console.print(
        f"Generating a sandbox company with {leads:,} leads (seed {seed}) in {data_dir} …"
    )
    started = time.perf_counter()
    generate(data_dir, leads=leads, seed=seed)
    console.print(f"  done in {time.perf_counter() - started:.1f} s")


def _reset_warehouse(path: Path) -> None:
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--leads", type=int, default=int(os.environ.get("DEMO_LEADS", "3000")))
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--keep-warehouse", action="store_true", help="run incrementally on the existing warehouse"
    )
    args = parser.parse_args(argv)

    os.environ.setdefault("DAGSTER_HOME", str(resolve_path(".dagster_home")))
    os.environ.setdefault("DO_NOT_TRACK", "1")
    data_dir = resolve_path(setting("SANDBOX_DATA_DIR"))
    _ensure_world(data_dir, args.leads, args.seed)
    settings = warehouse_settings()
    settings.path.parent.mkdir(parents=True, exist_ok=True)
    if not args.keep_warehouse:
        _reset_warehouse(settings.path)

    import dagster as dg

    from sandbox.serve import running

    with running(data_dir) as sandbox:
        console.print("Sandbox fakes of Salesforce, Marketo and Gong are serving on 127.0.0.1")
        os.environ.update(sandbox.env)  # the pipeline reads them exactly as it would real ones
        from orchestration.definitions import defs

        definitions = defs()
        job = definitions.resolve_job_def("full_pipeline")
        started = time.perf_counter()
        console.print(
            "Running the Dagster job full_pipeline: extract → raw → dbt build → checks → publish …"
        )
        result = job.execute_in_process(
            run_config=QUIET_RUN_CONFIG,
            instance=dg.DagsterInstance.get(),
            raise_on_error=False,
        )
        elapsed = time.perf_counter() - started
    console.print("Sandbox fakes stopped.")
    if not _report_run(result, settings):
        failed = [event.step_key for event in result.all_events if event.is_step_failure]
        console.print(
            f"[red]The pipeline failed in {elapsed:.0f} s at steps {failed}; "
            "see the Dagster event log above (make dev opens the UI).[/red]"
        )
        return 1

    from orchestration.lib.summary import render_summary

    console.print(f"[green]Pipeline finished in {elapsed:.0f} s.[/green]")
    render_summary(settings.published_path, console=console)
    oldest_reader = settings.published_storage_version.removeprefix("v").replace("latest", "2.0")
    console.print(
        f"\nWarehouse (read-write, pipeline only): {warehouse_label(settings)}\n"
        f"Published copy for BI tools (read-only): {settings.published_path}\n"
        f"Data quality: dq.expectation_results in the warehouse; GX Data Docs in "
        f"{settings.data_docs_dir / 'index.html'}\n"
        f"Open the published copy read-only with DuckDB {oldest_reader} or later (CLI, Python, "
        "Evidence, Superset: README, 'For BI tools'):\n"
        f"  duckdb -readonly {settings.published_path} -c 'from marts.kpi_monthly_long limit 20'\n"
        "Explore runs and lineage in the Dagster UI: make dev"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
