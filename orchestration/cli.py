"""`python -m orchestration run`: the whole pipeline once, without the UI.

Runs the `full_pipeline` job (or another) in this process against the configured vendors and
warehouse (the environment; unset variables fall back to the embedded sandbox's defaults),
records the run in the Dagster instance of DAGSTER_HOME, prints what each stage did and the
funnel summary, and exits non-zero when the run fails (2 for a configuration error).
"""

import argparse
import os
import sys
import time

from rich.console import Console

from connectors.core.errors import ConfigurationError
from connectors.core.redact import redact
from connectors.registry import VENDORS
from connectors.settings import Settings
from dwh.settings import REPO_ROOT, WarehouseSettingError, WarehouseSettings
from orchestration.lib.run_report import RunReport, report_in_process_run, warehouse_label
from reporting.settings import ReportSettings

# Dagster's console logger prints every event at DEBUG; the report is per stage instead.
QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def console() -> Console:
    # Rich falls back to 80 columns when stdout is not a terminal (make, CI logs): too narrow.
    return Console() if sys.stdout.isatty() else Console(width=132)


def check_settings() -> WarehouseSettings:
    """Every vendor, warehouse and report setting, checked before the run starts."""
    Settings().validate(VENDORS.values())
    warehouse = WarehouseSettings.from_env()
    ReportSettings.from_env(warehouse)
    return warehouse


def print_report_location(warehouse: WarehouseSettings, out: Console) -> None:
    """Where this run's funnel report is, and how to open it."""
    report = ReportSettings.from_env(warehouse).path
    if report.exists():
        out.print(
            f"Funnel report (ファネルレポート): {report}\n  open it in a browser: {report.as_uri()}"
        )


def run_job(job_name: str = "full_pipeline", *, full_refresh: bool = False):  # type: ignore[no-untyped-def]
    """Execute one job in this process; returns Dagster's result (never raises on failure)."""
    import dagster as dg

    from orchestration.definitions import defs
    from orchestration.defs.automation.schedules import FULL_REFRESH_CONFIG

    os.environ.setdefault("DAGSTER_HOME", str(REPO_ROOT / ".dagster_home"))
    run_config = dict(QUIET_RUN_CONFIG)
    if full_refresh and job_name == "full_pipeline":
        run_config.update(FULL_REFRESH_CONFIG)
    job = defs().resolve_job_def(job_name)
    return job.execute_in_process(
        run_config=run_config, instance=dg.DagsterInstance.get(), raise_on_error=False
    )


def run_and_report(
    job_name: str, *, full_refresh: bool, out: Console
) -> tuple[bool, RunReport, WarehouseSettings]:
    warehouse = check_settings()
    out.print(f"Running {job_name} into {warehouse_label(warehouse)} …")
    started = time.perf_counter()
    result = run_job(job_name, full_refresh=full_refresh)
    report = report_in_process_run(result, warehouse_label(warehouse))
    for number, line in enumerate(report.lines()):
        style = "" if number else ("green" if report.succeeded else "red")
        out.print(f"[{style}]{line}[/{style}]" if style else line, highlight=False)
    elapsed = time.perf_counter() - started
    if report.succeeded:
        out.print(f"[green]{job_name} finished in {elapsed:.0f} s (run {result.run_id}).[/green]")
    else:
        out.print(
            f"[red]{job_name} failed in {elapsed:.0f} s (run {result.run_id}); the Dagster UI "
            "(make dev) shows its event log.[/red]"
        )
    return report.succeeded, report, warehouse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run a job once in this process and report")
    run.add_argument("--job", default="full_pipeline")
    run.add_argument("--full-refresh", action="store_true", help="rebuild every dbt model")
    run.add_argument("--no-summary", action="store_true", help="skip the funnel summary")
    args = parser.parse_args(argv)

    out = console()
    try:
        ok, _, warehouse = run_and_report(args.job, full_refresh=args.full_refresh, out=out)
    except (ConfigurationError, WarehouseSettingError) as exc:
        out.print(f"[red]configuration error:[/red] {redact(str(exc))}")
        return 2
    if ok and not args.no_summary and warehouse.published_path.exists():
        from orchestration.lib.summary import render_summary

        render_summary(warehouse.published_path, console=out)
    if ok:
        print_report_location(warehouse, out)
    return 0 if ok else 1
