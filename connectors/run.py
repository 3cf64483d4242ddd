"""Extract one stream (or every stream of a source) into a destination, page by page.

Each page lands with the stream state that covers it in one transaction, so a crash at any
point resumes from the last committed cursor; loaded + quarantined always equals sent.
"""

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pyrate_limiter import Duration, Rate

from connectors.config import Settings
from connectors.core.http import HttpClient, HttpStats, scaled_rate
from connectors.core.redact import register_secret
from connectors.core.timeutil import utcnow
from connectors.destinations.base import Batch, Destination
from connectors.landing import split_page
from connectors.sources.base import SourceReader
from connectors.streams import STREAMS, get_stream

log = logging.getLogger("connectors.run")


@dataclass
class StreamResult:
    source: str
    stream: str
    records_sent: int = 0
    loaded: int = 0
    quarantined: int = 0
    pages: int = 0
    requests: int = 0
    seconds: float = 0.0
    cursor_before: str | None = None
    cursor_after: str | None = None


PageCallback = Callable[[StreamResult], None]


def _rates(source: str, scale: float) -> list[Rate]:
    """Each vendor's published quota (vendor-apis.md), so normal runs never see a 429."""
    if source == "marketo":  # 100 calls / 20 s per instance, 50,000 a day
        return [scaled_rate(100, 20, scale), Rate(50_000, Duration.DAY)]
    if source == "gong":  # 3 calls / s, 10,000 a day
        return [scaled_rate(3, 1, scale), Rate(10_000, Duration.DAY)]
    # Salesforce publishes no per-second rate; its daily quota is read from Sforce-Limit-Info.
    return []


def _new_reader(source: str, settings: Settings) -> SourceReader:
    client = HttpClient(
        source,
        rates=_rates(source, settings.number("CONNECTORS_RATE_SCALE")),
        connect_timeout=settings.number("CONNECTORS_CONNECT_TIMEOUT"),
        read_timeout=settings.number("CONNECTORS_READ_TIMEOUT"),
        max_attempts=int(settings.number("CONNECTORS_MAX_ATTEMPTS")),
        backoff_max=settings.number("CONNECTORS_BACKOFF_MAX"),
    )
    if source == "salesforce":
        from connectors.sources.salesforce import SalesforceReader

        return SalesforceReader(settings, client)
    if source == "marketo":
        from connectors.sources.marketo import MarketoReader

        return MarketoReader(settings, client)
    if source == "gong":
        from connectors.sources.gong import GongReader

        return GongReader(settings, client)
    raise KeyError(f"unknown source {source!r}; known: {sorted(STREAMS)}")


# One reader (session, limiter, token) per source and configuration for the whole process:
# the orchestration calls extract_stream once per stream, and the vendor's quota is shared
# by all of them.
_READERS: dict[tuple[str, tuple[tuple[str, str], ...]], SourceReader] = {}


def reader_for(source: str, settings: Settings) -> SourceReader:
    key = (source, tuple(sorted(settings.items())))
    if key not in _READERS:
        _READERS[key] = _new_reader(source, settings)
    return _READERS[key]


def http_stats() -> dict[str, HttpStats]:
    """Request, retry and throttling counters of this process's readers, per source."""
    totals: dict[str, HttpStats] = {}
    for (source, _), reader in _READERS.items():
        stats = totals.setdefault(source, HttpStats())
        stats.requests += reader.client.stats.requests
        stats.retries += reader.client.stats.retries
        stats.throttled += reader.client.stats.throttled
        stats.token_refreshes += reader.client.stats.token_refreshes
    return totals


def close_readers() -> None:
    for reader in _READERS.values():
        reader.close()
    _READERS.clear()


def extract_stream(
    source: str,
    stream: str,
    *,
    destination: Destination,
    run_id: str,
    env: Mapping[str, str] | None = None,
    on_page: PageCallback | None = None,
) -> StreamResult:
    """Land every new record of one stream; returns counts and the cursor movement."""
    settings = Settings(env)
    for secret in settings.secrets():
        register_secret(secret)
    spec = get_stream(source, stream)
    reader = reader_for(source, settings)
    requests_before = reader.client.stats.requests
    started = time.monotonic()
    state = destination.read_state(source, stream)
    result = StreamResult(source, stream, cursor_before=_cursor(state))
    result.cursor_after = result.cursor_before
    for page in reader.pages(spec, state):
        rows, quarantine = split_page(spec, page.records)
        destination.write_batch(
            Batch(
                source=source,
                stream=stream,
                rows=rows,
                quarantine=quarantine,
                state=page.state,
                run_id=run_id,
                extracted_at=utcnow(),
            )
        )
        result.pages += 1
        result.records_sent += len(page.records)
        result.loaded += len(rows)
        result.quarantined += len(quarantine)
        if page.state is not None:
            result.cursor_after = _cursor(page.state)
        result.requests = reader.client.stats.requests - requests_before
        result.seconds = time.monotonic() - started
        if on_page is not None:
            on_page(result)
    result.requests = reader.client.stats.requests - requests_before
    result.seconds = time.monotonic() - started
    log.info(
        "%s.%s: sent=%d loaded=%d quarantined=%d pages=%d requests=%d %.2fs",
        source,
        stream,
        result.records_sent,
        result.loaded,
        result.quarantined,
        result.pages,
        result.requests,
        result.seconds,
    )
    return result


def extract_source(
    source: str,
    *,
    destination: Destination,
    run_id: str,
    env: Mapping[str, str] | None = None,
    streams: list[str] | None = None,
    on_page: PageCallback | None = None,
) -> list[StreamResult]:
    names = streams or [s.name for s in STREAMS[source]]
    return [
        extract_stream(
            source, name, destination=destination, run_id=run_id, env=env, on_page=on_page
        )
        for name in names
    ]


def _cursor(state: dict[str, Any] | None) -> str | None:
    if not state:
        return None
    value = state.get("cursor")
    return str(value) if value is not None else None
