"""Where a run spends its time and memory: `python -m bench.profile --leads 100000`.

One cached world, the fakes in their own process (left out of every figure), then:

1. **extraction alone** (`extract_sources`, all sources side by side, as the pipeline runs
   them) into a scratch DuckDB: seconds per stream and per vendor, peak RSS of this process;
2. **the whole pipeline** (Dagster `full_pipeline`, in-process) on a fresh warehouse, and
3. **a 1% re-run** after `mutate` (as scenario c).

For 2 and 3, the RSS of this process (Dagster, the connectors, GX) and of its children (dbt)
is sampled every 0.2 s and attributed to the Dagster step running at that moment; dbt's own
time per model comes from the run's `run_results.json`. Written to
`bench/results/profile-<leads>-<stamp>.json` and printed. For CPU stacks, run it under
`py-spy record --subprocesses --format raw -o stacks.txt -- python -m bench.profile ...` and
summarise with `python -m bench.profile --stacks stacks.txt`.
"""

import argparse
import json
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

import psutil

from bench.measure import Sampler, children_rss
from bench.pipeline import dbt_node_seconds

RESULTS_DIR = Path(__file__).resolve().parent / "results"


class RssTimeline(Sampler):
    """(monotonic time, RSS of this process, RSS of its children) every `interval` seconds;
    the sandbox's pids (NOT_MEASURED) and their subtrees are left out."""

    def __init__(self, interval: float = 0.2) -> None:
        super().__init__(interval, name="rss-timeline")
        self.samples: list[tuple[float, int, int]] = []

    def _sample(self) -> tuple[float, int, int]:
        me = psutil.Process(os.getpid())
        return time.time(), me.memory_info().rss, children_rss(me)

    def tick(self) -> None:
        self.samples.append(self._sample())

    def peak(self, start: float = 0.0, end: float = float("inf")) -> dict[str, float]:
        inside = [s for s in self.samples if start <= s[0] <= end] or self.samples[-1:]
        return {
            "process_mb": max(s[1] for s in inside) / 2**20,
            "children_mb": max(s[2] for s in inside) / 2**20,
            "tree_mb": max(s[1] + s[2] for s in inside) / 2**20,
        }


def _step_windows(run_id: str, instance: Any) -> dict[str, tuple[float, float]]:
    starts: dict[str, float] = {}
    windows: dict[str, tuple[float, float]] = {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None:
            continue
        if event.event_type_value == "STEP_START":
            starts[event.step_key] = entry.timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE") and (
            event.step_key in starts
        ):
            windows[event.step_key] = (starts[event.step_key], entry.timestamp)
    return windows


def _pipeline(timeline: RssTimeline) -> dict[str, Any]:
    import dagster as dg

    from bench.pipeline import QUIET_RUN_CONFIG
    from connectors.run import close_readers
    from orchestration.definitions import defs

    job = defs().resolve_job_def("full_pipeline")
    started = time.time()
    with dg.DagsterInstance.ephemeral() as instance:
        try:
            result = job.execute_in_process(
                run_config=QUIET_RUN_CONFIG, instance=instance, raise_on_error=False
            )
        finally:
            close_readers()
        windows = _step_windows(result.run_id, instance)
    ended = time.time()
    steps = {
        key: {"seconds": end - start, **timeline.peak(start, end)}
        for key, (start, end) in sorted(windows.items(), key=lambda kv: kv[1][0])
    }
    return {
        "success": result.success,
        "seconds": ended - started,
        "peak": timeline.peak(started, ended),
        "steps": steps,
        "dbt": dbt_node_seconds(started),
    }


def _extraction_alone(env: dict[str, str], path: Path, timeline: RssTimeline) -> dict[str, Any]:
    from connectors.landing.duckdb import DuckDBDestination
    from connectors.registry import STREAMS
    from connectors.run import close_readers, extract_sources

    path.unlink(missing_ok=True)
    started = time.time()
    outcomes = extract_sources(
        dict.fromkeys(STREAMS), destination=DuckDBDestination(path), run_id="profile", env=env
    )
    ended = time.time()
    close_readers()
    path.unlink(missing_ok=True)
    streams = {
        f"{r.source}.{r.stream}": {"seconds": r.seconds, "records": r.records_sent}
        for o in outcomes
        for r in o.results
    }
    vendors: dict[str, dict[str, float]] = {}
    for name, figures in streams.items():
        v = vendors.setdefault(name.split(".")[0], {"seconds": 0.0, "records": 0})
        v["seconds"] += figures["seconds"]
        v["records"] += figures["records"]
    return {
        "errors": [str(o.error) for o in outcomes if o.error is not None],
        "seconds": ended - started,
        "peak": timeline.peak(started, ended),
        "vendors": vendors,
        "streams": streams,
    }


def profile(leads: int, seed: int) -> dict[str, Any]:
    from bench.pipeline import pipeline_env, reset_warehouse
    from bench.scenarios import UNTHROTTLED_RATE_SCALE, WORK_DIR, _mutation_plan, sandbox
    from bench.worlds import world

    data_dir, _ = world(leads, seed)
    workdir = WORK_DIR / f"profile-{leads}"
    out: dict[str, Any] = {"leads": leads}
    with RssTimeline() as timeline, sandbox(data_dir) as sb:
        env = {**sb.env, "CONNECTORS_RATE_SCALE": UNTHROTTLED_RATE_SCALE}
        workdir.mkdir(parents=True, exist_ok=True)
        out["extraction_alone"] = _extraction_alone(env, workdir / "extract.duckdb", timeline)
        sb.reset_stats()
        with pipeline_env(workdir, sb.env, UNTHROTTLED_RATE_SCALE):
            reset_warehouse(workdir)
            out["full"] = _pipeline(timeline)
            for source, counts in _mutation_plan(data_dir).items():
                sb.mutate(source, seed=seed, **counts)
            out["rerun"] = _pipeline(timeline)
            reset_warehouse(workdir)
    out["rerun_over_full"] = out["rerun"]["seconds"] / out["full"]["seconds"]
    return out


AREAS = (  # first match wins, from the leaf up: where a sample of the pipeline process goes
    ("landing (DuckDB insert)", ("connectors/landing/duckdb.py",)),
    ("landing (rows, JSON re-encode)", ("connectors/landing/rows.py",)),
    ("Salesforce bulk CSV", ("connectors/sources/salesforce/bulk.py",)),
    ("Marketo bulk CSV", ("connectors/sources/marketo/bulk.py",)),
    ("HTTP + JSON decode", ("connectors/core/http.py",)),
    ("connectors (other)", ("connectors/",)),
    ("GX checks", ("expectations/", "great_expectations/")),
    ("funnel report", ("reporting/",)),
    ("publish", ("dwh/publish.py",)),
    ("Dagster (events, storage)", ("dagster/", "dagster_dbt/", "sqlalchemy/")),
    ("RSS sampler (bench)", ("psutil/",)),
)


def summarise_stacks(path: Path) -> dict[str, dict[str, float]]:
    """py-spy `--format raw --subprocesses` (collapsed stacks + count) -> share of the samples
    per process (pipeline, dbt, the fakes) and, in the pipeline process, per area (`AREAS`)."""
    processes: Counter[str] = Counter()
    areas: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        frames = stack.split(";")
        procs = [f for f in frames if f.startswith("process ")]
        total += n
        if any("sandbox serve" in f for f in procs):
            processes["sandbox fakes (not measured)"] += n
            continue
        if any("dbt build" in f or "/dbt " in f for f in procs):
            processes["dbt (child)"] += n
            continue
        if len(procs) > 1:
            processes["other children"] += n
            continue
        processes["pipeline process"] += n
        area = "other"
        for frame in reversed(frames):
            found = next((a for a, keys in AREAS if any(k in frame for k in keys)), None)
            if found:
                area = found
                break
        areas[area] += n
    pipeline = processes["pipeline process"] or 1
    return {
        "processes": {k: v / total for k, v in processes.most_common()},
        "pipeline_areas": {k: v / pipeline for k, v in areas.most_common()},
    }


def _print(out: dict[str, Any]) -> None:
    a = out["extraction_alone"]
    print(f"\n## {out['leads']:,} leads")
    print(
        f"extraction alone: {a['seconds']:.1f} s, peak RSS {a['peak']['process_mb']:,.0f} MB"
        f" (process) {a['peak']['children_mb']:,.0f} MB (children)"
    )
    for vendor, v in a["vendors"].items():
        print(f"  {vendor}: {v['seconds']:.1f} s (sum of its streams), {v['records']:,} records")
    for run in ("full", "rerun"):
        r = out[run]
        print(
            f"{run}: {r['seconds']:.1f} s success={r['success']} peak tree"
            f" {r['peak']['tree_mb']:,.0f} MB (process {r['peak']['process_mb']:,.0f},"
            f" children {r['peak']['children_mb']:,.0f})"
        )
        for key, s in r["steps"].items():
            print(
                f"  {key}: {s['seconds']:.1f} s, process {s['process_mb']:,.0f} MB,"
                f" children {s['children_mb']:,.0f} MB"
            )
        dbt = r["dbt"]
        if dbt:
            print(f"  dbt node seconds by kind: {dbt['node_seconds_by_kind']}")
            print(f"  dbt model seconds by layer: {dbt['model_seconds_by_layer']}")
            for uid, seconds in dbt["top_nodes"][:12]:
                print(f"    {seconds:6.2f} s  {uid}")
    print(f"re-run / full: {out['rerun_over_full']:.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--stacks", type=Path, help="summarise a py-spy raw file and exit")
    args = parser.parse_args(argv)
    if args.stacks:
        for part, shares in summarise_stacks(args.stacks).items():
            print(part)
            for name, share in shares.items():
                print(f"  {share:6.1%}  {name}")
        return 0
    from bench.__main__ import QUIET_ENV

    for key, value in QUIET_ENV.items():
        os.environ.setdefault(key, value)
    home = Path(__file__).resolve().parents[1] / ".dagster_home"
    os.environ.setdefault("DAGSTER_HOME", str(home))
    out = profile(args.leads, args.seed)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"profile-{args.leads}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(out, indent=1, default=str))
    _print(out)
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
