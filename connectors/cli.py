"""`python -m connectors extract --source salesforce|marketo|gong|all [--stream X]`.

Configuration comes from the environment (sandbox defaults, contracts section 1). Shows a
live progress display (records, pages, rate) and a summary table at the end.
"""

import argparse
import logging
import os
import sys
import uuid
from pathlib import Path

from rich.console import Console
from rich.live import Live
from rich.table import Table

from connectors.config import Settings
from connectors.core.errors import ConnectorError
from connectors.core.redact import redact
from connectors.destinations.base import Destination
from connectors.run import StreamResult, extract_stream
from connectors.streams import STREAMS


def destination_from_env(settings: Settings) -> Destination:
    if settings["WAREHOUSE_TARGET"] == "postgres":
        from connectors.destinations.postgres import PostgresDestination

        return PostgresDestination(settings["WAREHOUSE_POSTGRES_DSN"])
    from connectors.destinations.duckdb import DuckDBDestination

    return DuckDBDestination(Path(settings["WAREHOUSE_PATH"]))


def _table(results: list[StreamResult], title: str) -> Table:
    table = Table(title=title)
    for column in (
        "stream",
        "sent",
        "loaded",
        "quarantined",
        "pages",
        "requests",
        "rec/s",
        "cursor",
    ):
        table.add_column(column, justify="left" if column in ("stream", "cursor") else "right")
    for r in results:
        rate = r.records_sent / r.seconds if r.seconds > 0 else 0.0
        table.add_row(
            f"{r.source}.{r.stream}",
            str(r.records_sent),
            str(r.loaded),
            str(r.quarantined),
            str(r.pages),
            str(r.requests),
            f"{rate:,.0f}",
            str(r.cursor_after or "-"),
        )
    return table


class _RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m connectors")
    sub = parser.add_subparsers(dest="command", required=True)
    extract = sub.add_parser("extract", help="land new records of one source or all")
    extract.add_argument("--source", required=True, choices=[*STREAMS, "all"])
    extract.add_argument("--stream", help="one stream of the source (default: all)")
    extract.add_argument("--run-id", default=None)
    extract.add_argument("--quiet", action="store_true", help="no live display")
    args = parser.parse_args(argv)

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=os.environ.get("CONNECTORS_LOG_LEVEL", "WARNING"), handlers=[handler])

    settings = Settings()
    destination = destination_from_env(settings)
    run_id = args.run_id or f"cli-{uuid.uuid4().hex[:12]}"
    sources = list(STREAMS) if args.source == "all" else [args.source]
    if args.stream and len(sources) != 1:
        parser.error("--stream needs a single --source")
    plan = [
        (source, stream.name)
        for source in sources
        for stream in STREAMS[source]
        if not args.stream or stream.name == args.stream
    ]
    if not plan:
        parser.error(f"no stream {args.stream!r} in {args.source}")

    console = Console(stderr=True)
    done: list[StreamResult] = []
    try:
        with Live(console=console, refresh_per_second=4, transient=True) as live:
            for source, stream in plan:

                def show(current: StreamResult) -> None:
                    if not args.quiet:
                        live.update(_table([*done, current], f"extracting (run {run_id})"))

                done.append(
                    extract_stream(
                        source, stream, destination=destination, run_id=run_id, on_page=show
                    )
                )
    except ConnectorError as exc:
        console.print(_table(done, "partial summary"))
        console.print(f"[red]extract failed:[/red] {redact(str(exc))}")
        return 1
    Console().print(_table(done, f"summary (run {run_id})"))
    return 0
