"""`python -m connectors extract --source <source>|all [--stream X]`.

Configuration comes from the environment (sandbox defaults, contracts section 1), checked at
start. Shows a live progress display (records, pages, rate) and a summary table at the end.
"""

import argparse
import logging
import os
import sys
import uuid

from rich.console import Console
from rich.live import Live
from rich.table import Table

from connectors.core.errors import ConfigurationError, ConnectorError
from connectors.core.redact import redact
from connectors.core.timeutil import BadTimestamp, parse_datetime
from connectors.landing import Destination, destination_for
from connectors.registry import STREAMS, VENDORS
from connectors.resync import WarehouseBusyError, resync_stream
from connectors.run import StreamResult, extract_sources
from connectors.settings import Settings
from dwh.settings import WarehouseSettingError, WarehouseSettings


def destination_from_env(settings: Settings) -> Destination:
    """The landing destination of the warehouse the environment configures."""
    return destination_for(WarehouseSettings.from_env(), settings)


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


def _resync(args: argparse.Namespace) -> int:
    """Reset one stream (full re-read) or rewind it to --from; refused while the warehouse is
    written by another process."""
    console = Console(stderr=True)
    try:
        since = parse_datetime(args.from_time) if args.from_time else None
        done = resync_stream(
            WarehouseSettings.from_env(),
            args.source,
            args.stream,
            since=since,
            run_id=args.run_id or f"cli-resync-{uuid.uuid4().hex[:12]}",
        )
    except (ConfigurationError, WarehouseSettingError, BadTimestamp, KeyError) as exc:
        console.print(f"[red]re-sync refused:[/red] {redact(str(exc))}")
        return 2
    except WarehouseBusyError as exc:
        console.print(f"[red]{redact(str(exc))}[/red]")
        return 3
    Console().print(f"{done.describe()}; the next extraction reads it again")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m connectors")
    sub = parser.add_subparsers(dest="command", required=True)
    extract = sub.add_parser("extract", help="land new records of one source or all")
    extract.add_argument("--source", required=True, choices=[*STREAMS, "all"])
    extract.add_argument("--stream", help="one stream of the source (default: all)")
    extract.add_argument("--run-id", default=None)
    extract.add_argument("--quiet", action="store_true", help="no live display")
    resync = sub.add_parser(
        "resync", help="re-read one stream from scratch, or from --from (ISO-8601, UTC if naive)"
    )
    resync.add_argument("--source", required=True, choices=list(STREAMS))
    resync.add_argument("--stream", required=True)
    resync.add_argument("--from", dest="from_time", default=None)
    resync.add_argument("--run-id", default=None)
    args = parser.parse_args(argv)
    if args.command == "resync":
        return _resync(args)

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=os.environ.get("CONNECTORS_LOG_LEVEL", "WARNING"), handlers=[handler])

    settings = Settings()
    sources = list(STREAMS) if args.source == "all" else [args.source]
    try:  # every setting checked before anything is sent: a wrong one is never retried
        settings.validate([VENDORS[source] for source in sources])
        destination = destination_from_env(settings)
    except (ConfigurationError, WarehouseSettingError) as exc:
        Console(stderr=True).print(f"[red]configuration error:[/red] {redact(str(exc))}")
        return 2
    run_id = args.run_id or f"cli-{uuid.uuid4().hex[:12]}"
    if args.stream and len(sources) != 1:
        parser.error("--stream needs a single --source")
    plan: dict[str, list[str] | None] = {
        source: [s.name for s in STREAMS[source] if not args.stream or s.name == args.stream]
        for source in sources
    }
    if not any(plan.values()):
        parser.error(f"no stream {args.stream!r} in {args.source}")

    console = Console(stderr=True)
    progress: dict[tuple[str, str], StreamResult] = {}  # every stream seen, in start order
    with Live(console=console, refresh_per_second=4, transient=True) as live:

        def show(current: StreamResult) -> None:  # called under extract_sources' lock
            progress[(current.source, current.stream)] = current
            if not args.quiet:
                live.update(_table(list(progress.values()), f"extracting (run {run_id})"))

        outcomes = extract_sources(plan, destination=destination, run_id=run_id, on_page=show)
    done = [r for o in outcomes for r in o.results]
    failed = [o for o in outcomes if o.error is not None]
    title = f"summary (run {run_id})" if not failed else "partial summary"
    Console().print(_table(done, title))
    for outcome in failed:
        console.print(f"[red]{outcome.source} failed:[/red] {redact(str(outcome.error))}")
    if any(not isinstance(o.error, ConnectorError) for o in failed):
        raise next(o.error for o in failed if not isinstance(o.error, ConnectorError))  # type: ignore[misc]
    return 1 if failed else 0
