"""Our connectors through their normal entry point (extract_sources, as the CLI's
`--source all` and the Dagster ingestion step use it) into a fresh DuckDB file."""

import uuid
from pathlib import Path
from typing import Any

from connectors.landing.duckdb import DuckDBDestination
from connectors.registry import STREAMS
from connectors.run import close_readers, extract_sources


def extract(
    env: dict[str, str], duckdb_path: Path, streams: set[str] | None = None
) -> dict[str, Any]:
    for stale in (duckdb_path, duckdb_path.with_name(duckdb_path.name + ".wal")):
        stale.unlink(missing_ok=True)
    destination = DuckDBDestination(duckdb_path)
    plan: dict[str, list[str] | None] = {}
    for source, specs in STREAMS.items():
        names = [s.name for s in specs if streams is None or f"{source}.{s.name}" in streams]
        if names:
            plan[source] = names
    records: dict[str, int] = {}
    requests = 0
    run_id = f"bench-{uuid.uuid4().hex[:8]}"
    try:
        outcomes = extract_sources(plan, destination=destination, run_id=run_id, env=env)
    finally:
        close_readers()  # a fresh session and token per repetition, like a fresh process
    for outcome in outcomes:
        if outcome.error is not None:
            raise outcome.error
        for result in outcome.results:
            records[f"{outcome.source}.{result.stream}"] = result.records_sent
            requests += result.requests
    return {"records": records, "requests": requests}
