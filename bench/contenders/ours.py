"""Our connectors through their normal entry point (extract_source) into a fresh DuckDB file."""

import uuid
from pathlib import Path
from typing import Any

from connectors.destinations.duckdb import DuckDBDestination
from connectors.run import close_readers, extract_source
from connectors.streams import STREAMS


def extract(
    env: dict[str, str], duckdb_path: Path, streams: set[str] | None = None
) -> dict[str, Any]:
    for stale in (duckdb_path, duckdb_path.with_name(duckdb_path.name + ".wal")):
        stale.unlink(missing_ok=True)
    destination = DuckDBDestination(duckdb_path)
    records: dict[str, int] = {}
    requests = 0
    run_id = f"bench-{uuid.uuid4().hex[:8]}"
    try:
        for source, specs in STREAMS.items():
            names = [s.name for s in specs if streams is None or f"{source}.{s.name}" in streams]
            if not names:
                continue
            for result in extract_source(
                source, destination=destination, run_id=run_id, env=env, streams=names
            ):
                records[f"{source}.{result.stream}"] = result.records_sent
                requests += result.requests
    finally:
        close_readers()  # a fresh session and token per repetition, like a fresh process
    return {"records": records, "requests": requests}
