"""`python -m bench [--scenarios a,b,c,d,e,f,m,q] [--leads 10000,100000] [--reps 3] [--quick]`

Runs the benchmark scenarios of issues 7 and 21 in one process on cached sandbox worlds
(bench/.worlds/), prints medians [min-max] and ratios, and writes bench/results/<stamp>.json.
"""

import argparse
import itertools
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"
QUIET_ENV = {
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "GX_ANALYTICS_ENABLED": "False",
    "RUNTIME__DLTHUB_TELEMETRY": "false",
    "RUNTIME__LOG_LEVEL": "ERROR",
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--scenarios",
        default="a,b,c,d,e",
        help="comma list of a,b,c,d,e,f,m,q (f: first-load quota, m: extraction memory, "
        "q: Marketo's first load day by day at the default quotas)",
    )
    parser.add_argument("--leads", default="10000,100000", help="comma list of world sizes")
    parser.add_argument("--reps", type=int, default=3, help="repetitions per contender")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--quick", action="store_true", help="2,000 leads, 1 repetition")
    parser.add_argument("--no-dlt", action="store_true", help="scenario a without dlt")
    parser.add_argument(
        "--dlt-max-leads",
        type=int,
        default=100_000,
        help="skip dlt above this scale (dlt default runs ~1,300 records/s here)",
    )
    # x2: fast enough for a short run, slow enough that the quota, not the client, binds.
    parser.add_argument("--clock-speed", type=float, default=2.0, help="scenario e fake clock")
    parser.add_argument("--out", type=Path, help="JSON path (default bench/results/<stamp>.json)")
    args = parser.parse_args(argv)
    args.scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = set(args.scenarios) - set("abcdefmq")
    if unknown:
        parser.error(f"unknown scenarios {sorted(unknown)}; known: a,b,c,d,e,f,m,q")
    args.leads = sorted(int(n) for n in args.leads.split(","))
    if args.quick:
        args.leads, args.reps = [2000], 1
    if args.reps < 1:
        parser.error("--reps must be >= 1")
    return args


def run(args: argparse.Namespace) -> dict[str, Any]:
    from bench import scenarios
    from bench.measure import machine
    from bench.report import targets
    from bench.worlds import world

    results: dict[str, Any] = {
        "machine": machine(),
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "args": {
            "scenarios": args.scenarios,
            "leads": args.leads,
            "reps": args.reps,
            "seed": args.seed,
            "with_dlt": not args.no_dlt,
            "dlt_max_leads": args.dlt_max_leads,
            "clock_speed": args.clock_speed,
        },
        "worlds": {},
        "scenarios": {},
    }
    if wanted_pipeline := {"b", "c"} & set(args.scenarios):
        from dwh.settings import DBT_PROJECT_DIR

        manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
        if not manifest.exists():  # found only after the first scenarios' minutes otherwise
            raise SystemExit(
                f"scenarios {','.join(sorted(wanted_pipeline))} run the Dagster pipeline, which "
                f"needs {manifest}: run `make manifest` (or `make bench`) first"
            )
    for leads in args.leads:
        path, generated = world(leads, args.seed)
        results["worlds"][str(leads)] = {"path": str(path), "generated_seconds": generated}
        how = f"generated in {generated:.0f} s" if generated else "cached"
        print(f"world {leads} leads: {how}")
    scen = results["scenarios"]
    wanted = set(args.scenarios)
    for leads in args.leads:
        key = str(leads)
        if "a" in wanted:
            print(f"a: extraction at {leads} leads ...", flush=True)
            scen.setdefault("a", {})[key] = scenarios.extraction(
                leads,
                args.seed,
                args.reps,
                with_dlt=not args.no_dlt and leads <= args.dlt_max_leads,
            )
        if "m" in wanted:
            print(f"m: extraction memory at {leads} leads (child process) ...", flush=True)
            scen.setdefault("m", {})[key] = scenarios.extraction_memory(leads, args.seed)
        if "f" in wanted:
            print(f"f: first-load quota at {leads} leads, bulk vs REST ...", flush=True)
            scen.setdefault("f", {})[key] = scenarios.first_load_quota(leads, args.seed)
        if "q" in wanted:
            print(f"q: Marketo first load day by day at {leads} leads ...", flush=True)
            scen.setdefault("q", {})[key] = scenarios.marketo_days(leads, args.seed)
        if wanted & {"b", "c", "d"}:
            print(f"b/c: whole pipeline at {leads} leads ...", flush=True)
            out = scenarios.pipeline(leads, args.seed, args.reps, with_rerun="c" in wanted)
            scen.setdefault("b", {})[key] = out["b"]
            if "c" in out:
                scen.setdefault("c", {})[key] = out["c"]
    if "e" in wanted:
        leads = args.leads[0]
        print(f"e: throttled sandbox at {leads} leads, clock x{args.clock_speed} ...", flush=True)
        scen["e"] = {
            str(leads): {
                "clock_speed": args.clock_speed,
                "sources": scenarios.throttled(leads, args.seed, args.reps, args.clock_speed),
            }
        }
    if "d" in wanted:
        scen["d"] = peak_rss(scen)
    results["targets"] = targets(results)
    return results


def peak_rss(scen: dict[str, Any]) -> dict[str, Any]:
    """Peak RSS medians per scenario and scale, and the growth ratios between scales."""
    d: dict[str, Any] = {}
    for name in ("b", "c"):
        if name in scen:
            label = "pipeline" if name == "b" else "rerun"
            d[f"{label}_peak_rss_mb"] = {
                k: v["peak_rss_mb"]["median"] for k, v in scen[name].items()
            }
    if "m" in scen:
        d["extract_alone_peak_rss_mb"] = {k: v["peak_rss_mb"] for k, v in scen["m"].items()}
    for leads, a in scen.get("a", {}).items():
        for contender, figures in a["contenders"].items():
            d.setdefault(f"extract_{contender}_peak_rss_mb", {})[leads] = figures["peak_rss_mb"][
                "median"
            ]
    ratios = {}
    for key, by_scale in d.items():
        scales = sorted(by_scale, key=int)
        for low, high in itertools.pairwise(scales):
            ratios[f"{key}: {high}/{low}"] = by_scale[high] / by_scale[low]
    d["ratios"] = ratios
    return d


def main(argv: list[str] | None = None) -> int:
    for key, value in QUIET_ENV.items():
        os.environ.setdefault(key, value)
    repo = Path(__file__).resolve().parents[1]
    os.environ.setdefault("DAGSTER_HOME", str(repo / ".dagster_home"))
    args = parse_args(argv)
    started = time.perf_counter()
    results = run(args)
    results["total_seconds"] = time.perf_counter() - started
    out = args.out or RESULTS_DIR / f"{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1, sort_keys=False, default=str))
    from bench.report import print_report

    print_report(results)
    print(f"\nwrote {out} ({results['total_seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
