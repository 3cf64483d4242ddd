"""`make demo`: generate a sandbox company, serve its fake APIs, run the whole pipeline once
(`python -m orchestration run`, through Dagster) into a local warehouse, print the summary.

Usage: python -m sandbox demo [--leads N] [--seed S] [--profile P] [--keep-warehouse]

A profile with a configuration (sandbox/world/configs/<profile>: seeds and vars.yml, as
docs/configure.md tells a customer to write them) runs on a configured copy of the dbt project
(next to its data directory), and only the vendors its world has are extracted.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

from dwh.settings import WarehouseSettings, resolve_path
from orchestration.cli import console, print_report_location, run_and_report

SANDBOX_DATA_DIR_DEFAULT = "sandbox_data/default"
CONFIGS_DIR = Path(__file__).resolve().parent / "world" / "configs"
CONFIGURED_FLAG = "_SANDBOX_DEMO_CONFIGURED"


def _ensure_world(data_dir: Path, leads: int, seed: int, profile: str, out) -> None:  # type: ignore[no-untyped-def]
    from sandbox.world import generate, is_current

    if is_current(data_dir, leads, seed, profile):
        out.print(f"[dim]Reusing the sandbox world in {data_dir}[/dim]")
        return
    out.print(
        f"Generating the sandbox company {profile} with {leads:,} leads (seed {seed}) "
        f"in {data_dir} …"
    )
    started = time.perf_counter()
    generate(data_dir, leads=leads, seed=seed, profile=profile)
    out.print(f"  done in {time.perf_counter() - started:.1f} s")


def _configured_project(profile: str, data_dir: Path, out) -> Path | None:  # type: ignore[no-untyped-def]
    """The dbt project with the profile's seeds and vars applied (docs/configure.md: its seed
    files replace ours, its vars.yml is merged into dbt_project.yml `vars:`), parsed."""
    from dwh.settings import DBT_PROJECT_DIR

    config = CONFIGS_DIR / profile
    if not config.is_dir():
        return None
    project = data_dir.parent / f"{data_dir.name}-dbt_project"
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(
        DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages")
    )
    for seed in sorted((config / "seeds").glob("*.csv")):
        if not (project / "seeds" / seed.name).exists():
            raise FileNotFoundError(f"{seed} replaces no seed of the dbt project")
        shutil.copyfile(seed, project / "seeds" / seed.name)
    vars_file = config / "vars.yml"
    if vars_file.exists():
        settings = yaml.safe_load((project / "dbt_project.yml").read_text("utf-8"))
        settings.setdefault("vars", {}).update(yaml.safe_load(vars_file.read_text("utf-8")) or {})
        (project / "dbt_project.yml").write_text(
            yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    dbt = Path(sys.executable).with_name("dbt")
    command = [str(dbt), "parse", "--project-dir", str(project), "--profiles-dir", str(project)]
    parsed = subprocess.run(  # noqa: S603 - our own dbt on our own copy of the project
        [*command, "--quiet"],
        env={**os.environ, "DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        capture_output=True,
        text=True,
        check=False,
    )
    if parsed.returncode != 0:
        raise RuntimeError(f"dbt parse of {project} failed:\n{parsed.stdout[-3000:]}")
    out.print(f"The dbt project configured for {profile} (from {config}): {project}")
    return project


def _vendors(data_dir: Path) -> list[str] | None:
    manifest = json.loads((data_dir / "manifest.json").read_text("utf-8"))
    vendors = manifest.get("vendors")
    return list(vendors) if isinstance(vendors, list) and vendors else None


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
        "--profile",
        default=os.environ.get("PROFILE") or "default",
        help="sandbox company profile (default, custom-jp, hubspot-smb)",
    )
    parser.add_argument(
        "--keep-warehouse", action="store_true", help="run incrementally on the existing warehouse"
    )
    args = parser.parse_args(argv)

    out = console()
    os.environ.setdefault("DO_NOT_TRACK", "1")
    default_dir = SANDBOX_DATA_DIR_DEFAULT
    if args.profile != "default":
        default_dir = f"sandbox_data/{args.profile}"
    data_dir = resolve_path(os.environ.get("SANDBOX_DATA_DIR") or default_dir)
    if not os.environ.get(CONFIGURED_FLAG):
        _ensure_world(data_dir, args.leads, args.seed, args.profile, out)
        project = _configured_project(args.profile, data_dir, out)
        vendors = _vendors(data_dir)
        if project is not None or vendors is not None:
            # The dbt project and the vendors are fixed when the pipeline's modules load: run
            # it in a fresh process that sees them from the start.
            env = {**os.environ, CONFIGURED_FLAG: "1", "SANDBOX_DATA_DIR": str(data_dir)}
            if project is not None:
                env["DBT_PROJECT_DIR"] = str(project)
            if vendors is not None:
                env["CONNECTORS_SOURCES"] = ",".join(vendors)
            argv_child = [sys.executable, "-m", "sandbox", "demo", *(argv or sys.argv[2:])]
            # this same program with its own arguments, in a process that sees the env
            return subprocess.run(argv_child, env=env, check=False).returncode  # noqa: S603
    warehouse = WarehouseSettings.from_env()
    if not args.keep_warehouse:
        _reset_warehouse(warehouse)

    from sandbox.serve import running

    with running(data_dir) as sandbox:
        served = ", ".join(sorted(sandbox.fakes))
        out.print(f"Sandbox fakes of {served} are serving on 127.0.0.1")
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
