"""Records/s per source against the sandbox: `python -m bench.connector_speed --leads 2000`.

Generates a world, serves it with the fakes in their own process (limits off: this measures the
connector and the landing, not the vendor's quota), extracts each source alone into a fresh
DuckDB file and prints records, requests, seconds and records/s per source.
"""

import argparse
import contextlib
import json
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from bench.heap_peak import HeapPeak
from bench.heap_peak import describe as describe_heap
from bench.measure import own_peak_rss_mb
from bench.memory_parts import MemoryParts, describe
from connectors.landing.duckdb import DuckDBDestination
from connectors.registry import STREAMS
from connectors.run import StreamResult, close_readers, extract_source, extract_sources
from connectors.settings import Settings
from sandbox.remote import attached, serving
from sandbox.world import generate


def _row(label: str, results: list[StreamResult], seconds: float) -> str:
    records = sum(r.records_sent for r in results)
    requests = sum(r.requests for r in results)
    return f"| {label} | {records} | {requests} | {seconds:.2f} | {records / seconds:,.0f} |"


def _settings(pairs: list[str]) -> dict[str, str]:
    settings = dict(pair.split("=", 1) for pair in pairs if "=" in pair)
    if len(settings) != len(pairs):
        raise SystemExit(f"--setting takes NAME=VALUE, not {pairs}")
    return settings


def _cpu_seconds_of(pid: int) -> float:
    """User + system CPU seconds of another process so far (psutil, as bench/measure.py)."""
    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


def _usage(path: Path) -> dict[str, dict[str, int]]:
    """Calls and bulk export bytes per vendor, as the connectors' quota ledger recorded them."""
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "select vendor, sum(calls), sum(export_bytes) from meta.api_usage group by vendor"
        ).fetchall()
    return {vendor: {"calls": int(c), "export_bytes": int(b)} for vendor, c, b in rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.connector_speed")
    parser.add_argument("--leads", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", type=Path, help="an existing world instead of generating one")
    parser.add_argument(
        "--fakes",
        type=Path,
        metavar="FILE",
        help="what a running `python -m sandbox serve --data <world>` printed: extract from "
        "those fakes instead of starting them (a 1M world takes minutes to load)",
    )
    parser.add_argument("--rate-scale", default="1000", help="client limiter speed-up")
    parser.add_argument(
        "--together",
        action="store_true",
        help="all sources side by side (extract_sources), as the pipeline runs them",
    )
    parser.add_argument("--json", action="store_true", help="end with one JSON line of figures")
    parser.add_argument(
        "--memory-parts",
        action="store_true",
        help="sample what this process's RSS is made of and print it at its peak",
    )
    parser.add_argument(
        "--heap-peak",
        action="store_true",
        help="trace Python's allocations (tracemalloc, ~7x slower) and print whose are live "
        "at the heap's peak",
    )
    parser.add_argument(
        "--setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a connector setting for this run (e.g. MARKETO_DAILY_EXPORT_MB=1000000)",
    )
    args = parser.parse_args(argv)

    figures: dict[str, Any] = {}
    parts = MemoryParts() if args.memory_parts else contextlib.nullcontext()
    heap = HeapPeak() if args.heap_peak else contextlib.nullcontext()
    with tempfile.TemporaryDirectory() as tmp, parts, heap:
        world = args.data
        if world is None and args.fakes is None:
            world = Path(tmp) / "world"
            generate(world, leads=args.leads, seed=args.seed)
        fakes = attached(args.fakes) if args.fakes else serving(world)
        with fakes as sb:
            env = {**sb.env, "CONNECTORS_RATE_SCALE": args.rate_scale, **_settings(args.setting)}
            settings = Settings(env)
            dest = DuckDBDestination(
                Path(tmp) / "w.duckdb",
                memory_limit=settings.value("CONNECTORS_DUCKDB_MEMORY_LIMIT"),
                reopen_rows=settings.value("CONNECTORS_DUCKDB_REOPEN_ROWS"),
            )
            print(f"world={world or args.fakes}")
            print("| source | records | requests | seconds | records/s |")
            print("|---|---:|---:|---:|---:|")
            if args.together:
                fakes_cpu_before = _cpu_seconds_of(sb.pid)
                started = time.monotonic()
                plan: dict[str, list[str] | None] = dict.fromkeys(STREAMS)
                outcomes = extract_sources(plan, destination=dest, run_id="measure", env=env)
                for outcome in outcomes:
                    if outcome.error is not None:
                        raise outcome.error
                results = [r for o in outcomes for r in o.results]
                seconds = time.monotonic() - started
                print(_row("all, side by side", results, seconds))
                figures = {
                    "records": sum(r.records_sent for r in results),
                    "requests": sum(r.requests for r in results),
                    "seconds": seconds,
                    "usage": _usage(dest.path),
                    "fakes_cpu_seconds": _cpu_seconds_of(sb.pid) - fakes_cpu_before,
                    "landing_reopened": dest.shared.reopened,
                }
            else:
                for source in STREAMS:
                    started = time.monotonic()
                    results = extract_source(source, destination=dest, run_id="measure", env=env)
                    print(_row(source, results, time.monotonic() - started))
        close_readers()
    # The fakes run in a child process: this is the connectors' own peak, nothing else.
    peak_mb = own_peak_rss_mb()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    # CPU seconds of this process (the fakes' are theirs): what the extraction costs whatever
    # the cores, so seconds × cores can be set against it.
    cpu_seconds = usage.ru_utime + usage.ru_stime
    print(f"peak RSS of this process: {peak_mb:,.0f} MB, CPU {cpu_seconds:,.1f} s")
    if isinstance(parts, MemoryParts):
        print(describe(parts.peak))
        figures["memory_parts_at_peak"] = parts.peak
    if isinstance(heap, HeapPeak):
        print(describe_heap(heap))
        figures["heap_peak"] = {"traced_mb": heap.peak_bytes / 2**20, "top": heap.top()}
    if args.json and args.together:
        print(json.dumps({**figures, "peak_rss_mb": peak_mb, "cpu_seconds": cpu_seconds}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
