"""Records/s per source against the sandbox: `python -m connectors.tools.measure --leads 2000`.

Generates a world, serves it with the fakes in their own process (limits off: this measures the
connector and the landing, not the vendor's quota), extracts each source alone into a fresh
DuckDB file and prints records, requests, seconds and records/s per source.
"""

import argparse
import tempfile
import time
from pathlib import Path

from connectors.destinations.duckdb import DuckDBDestination
from connectors.run import close_readers, extract_source
from connectors.streams import STREAMS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m connectors.tools.measure")
    parser.add_argument("--leads", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rate-scale", default="1000", help="client limiter speed-up")
    args = parser.parse_args(argv)

    from sandbox.remote import serving
    from sandbox.world import generate

    with tempfile.TemporaryDirectory() as tmp:
        world = Path(tmp) / "world"
        generate(world, leads=args.leads, seed=args.seed)
        dest = DuckDBDestination(Path(tmp) / "w.duckdb")
        with serving(world) as sb:
            env = {**sb.env, "CONNECTORS_RATE_SCALE": args.rate_scale}
            print(f"leads={args.leads}")
            print("| source | records | requests | seconds | records/s |")
            print("|---|---:|---:|---:|---:|")
            for source in STREAMS:
                started = time.monotonic()
                results = extract_source(source, destination=dest, run_id="measure", env=env)
                seconds = time.monotonic() - started
                records = sum(r.records_sent for r in results)
                requests = sum(r.requests for r in results)
                print(
                    f"| {source} | {records} | {requests} | {seconds:.2f} | "
                    f"{records / seconds:,.0f} |"
                )
        close_readers()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
