"""Extract one stream (or every stream of a source) into a destination.

Pages are buffered and committed in batches (`BatchPolicy`), each batch with the stream
state of its last page in one transaction: the committed state always covers exactly the
rows committed with it, so a crash at any point loses only uncommitted pages, which the
resumed cursor reads again. loaded + quarantined always equals sent.
"""

import logging
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from pyrate_limiter import Rate

from connectors.batching import (
    DEFAULT_BATCH_POLICY,
    BatchBudget,
    BatchPolicy,
    PendingBatch,
)
from connectors.core.errors import ResponseDeadlineError, UntrustedOriginError
from connectors.core.http import HttpClient, HttpStats, scaled_rate
from connectors.core.malloc import tune_allocators
from connectors.core.paging import PagingError, StreamBudget, StreamBudgetSpent
from connectors.core.prefetch import prefetched
from connectors.core.quota import QuotaLedger
from connectors.core.state import StreamState
from connectors.core.timeutil import to_iso, utcnow
from connectors.core.vendor import DeferredPage, SourceReader, StreamRun, Vendor
from connectors.landing.base import Destination
from connectors.landing.rows import rejected_rows, split_page
from connectors.registry import get_vendor
from connectors.settings import Settings

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
    # Why the stream stopped before its end (page or time budget spent), else None.
    stopped_early: str | None = None
    # Records whose cursor value lay in the future: landed, the cursor capped at the run start.
    future_dated: int = 0

    @property
    def quarantined_share(self) -> float:
        return self.quarantined / self.records_sent if self.records_sent else 0.0


PageCallback = Callable[[StreamResult], None]
# Errors about one answer of a vendor: their message gets the stream that met them.
NAMED_BY_STREAM = (UntrustedOriginError, ResponseDeadlineError, PagingError)


def _rates(vendor: Vendor, settings: Settings, path: str | None = None) -> list[Rate]:
    """The vendor's published quotas, so normal runs never see a 429 (those of one endpoint
    `path`, or the vendor-wide ones). Per-second windows speed up with CONNECTORS_RATE_SCALE
    (a sandbox with a faster clock); daily ones do not."""
    scale = settings.value("CONNECTORS_RATE_SCALE")
    rates = []
    for limit in vendor.rate_limits:
        if limit.path != path:
            continue
        calls = settings.value(limit.calls_setting) if limit.calls_setting else limit.calls
        if limit.seconds >= 86_400:
            rates.append(Rate(int(calls), int(limit.seconds * 1000)))
        else:
            rates.append(scaled_rate(int(calls), limit.seconds, scale, limit.margin))
    return rates


def _ledger(vendor: Vendor, settings: Settings) -> QuotaLedger | None:
    quota = vendor.daily_quota
    if quota is None:
        return None

    def limit(name: str | None, unit: int = 1) -> int | None:
        return int(float(settings.value(name)) * unit) if name else None

    return QuotaLedger(
        vendor.name,
        quota.timezone,
        calls_limit=limit(quota.calls_setting),
        export_bytes_limit=limit(quota.export_mb_setting, 2**20),
        reserve_share=settings.value("CONNECTORS_QUOTA_RESERVE_SHARE"),
    )


def _new_reader(vendor: Vendor, settings: Settings) -> SourceReader:
    settings.validate([vendor])
    client = HttpClient(
        vendor.name,
        base_url_setting=vendor.base_url_setting,
        origins=[settings.value(vendor.base_url_setting)],
        rates=_rates(vendor, settings),
        path_rates=[
            (path, _rates(vendor, settings, path))
            for path in dict.fromkeys(r.path for r in vendor.rate_limits if r.path)
        ],
        connect_timeout=settings.value("CONNECTORS_CONNECT_TIMEOUT"),
        read_timeout=settings.value("CONNECTORS_READ_TIMEOUT"),
        response_deadline=settings.value("CONNECTORS_RESPONSE_DEADLINE_SECONDS"),
        max_response_bytes=settings.value("CONNECTORS_MAX_RESPONSE_MB") * 2**20,
        max_attempts=settings.value("CONNECTORS_MAX_ATTEMPTS"),
        connect_attempts=settings.value("CONNECTORS_CONNECT_ATTEMPTS"),
        backoff_max=settings.value("CONNECTORS_BACKOFF_MAX"),
    )
    client.auth = vendor.auth(settings)
    client.ledger = _ledger(vendor, settings)
    return vendor.reader(settings, client)


# One reader (session, limiter, token) per source and configuration for the whole process:
# the orchestration calls extract_stream once per stream, and the vendor's quota is shared
# by all of them.
_READERS: dict[tuple[str, tuple[tuple[str, str], ...]], SourceReader] = {}


def reader_for(source: str, settings: Settings) -> SourceReader:
    key = (source, tuple(sorted(settings.items())))
    if key not in _READERS:
        _READERS[key] = _new_reader(get_vendor(source), settings)
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
    batch_policy: BatchPolicy = DEFAULT_BATCH_POLICY,
    budget: BatchBudget | None = None,
) -> StreamResult:
    """Land every new record of one stream; returns counts and the cursor movement.

    `budget`: the batch bytes this stream's source shares with sources extracted beside it
    (extract_sources); its batches commit at its share of it when that is below the policy's.
    """
    settings = Settings(env)
    vendor = get_vendor(source)
    spec = vendor.stream(stream)
    reader = reader_for(source, settings)
    requests_before = reader.client.stats.requests
    started = time.monotonic()
    with destination.session() as landing:
        state = landing.read_state(source, stream)
        result = StreamResult(source, stream, cursor_before=_cursor(state))
        result.cursor_after = result.cursor_before
        run = StreamRun(
            stream=spec,
            state=state,
            budget=StreamBudget(
                max_pages=settings.value("CONNECTORS_MAX_PAGES_PER_STREAM"),
                max_seconds=settings.value("CONNECTORS_MAX_STREAM_SECONDS"),
                label=f"{source}.{stream}",
            ),
            started_at=utcnow(),
        )

        ledger = reader.client.ledger
        if ledger is not None:  # what earlier runs spent today, read once per day
            today = ledger.day()
            if today not in ledger.recorded:
                ledger.remember(today, *landing.read_usage(source, today))

        def commit(pending: PendingBatch) -> PendingBatch:
            pending.commit(landing, source, stream, run_id, ledger)
            if pending.state is not None:
                result.cursor_after = _cursor(pending.state)
            return PendingBatch()

        pending = PendingBatch()
        pages = spec.read(reader, run)
        depth = int(settings.number("CONNECTORS_PREFETCH_PAGES"))
        if depth > 0:  # the next pages are fetched while this one lands
            pages = prefetched(pages, depth, name=f"prefetch-{source}.{stream}")
        try:
            for fetched in pages:
                page = fetched.parse() if isinstance(fetched, DeferredPage) else fetched
                rows, quarantine = split_page(spec, page.records)
                quarantine += rejected_rows(page.rejects)
                pending.add(rows, quarantine, page.state)
                result.pages += 1
                result.records_sent += len(page.records) + len(page.rejects)
                result.loaded += len(rows)
                result.quarantined += len(quarantine)
                policy = budget.policy(batch_policy) if budget is not None else batch_policy
                if pending.full(policy):
                    pending = commit(pending)
                result.requests = reader.client.stats.requests - requests_before
                result.seconds = time.monotonic() - started
                if on_page is not None:
                    on_page(result)
        except StreamBudgetSpent as spent:
            # Not a failure: what was read is committed below; the next run goes on from it.
            result.stopped_early = str(spent)
            log.warning("%s", spent)
        except BaseException as exc:
            # A vendor error or an interrupt: the pages already read are whole and their
            # state covers them, so they are kept (as with one commit per page) before the
            # error propagates. Only a hard kill loses them; the resumed cursor re-reads them.
            if not pending.failed:
                commit(pending)
            if isinstance(exc, NAMED_BY_STREAM) and f"{source}.{stream}" not in str(exc):
                raise type(exc)(f"{source}.{stream}: {exc}") from None  # say whose answer
            raise
        finally:
            close = getattr(pages, "close", None)
            if close is not None:
                close()  # stops the read-ahead thread at once, whatever happened
        commit(pending)
    result.requests = reader.client.stats.requests - requests_before
    result.seconds = time.monotonic() - started
    result.future_dated = run.future_dated
    if result.future_dated:
        log.warning(
            "%s.%s: %d records carry a %s later than this run's start; they landed, and the "
            "cursor stays at the run's start so no later change is skipped",
            source,
            stream,
            result.future_dated,
            spec.cursor_field,
        )
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
    batch_policy: BatchPolicy = DEFAULT_BATCH_POLICY,
) -> list[StreamResult]:
    """Every stream of one source (or `streams`), in turn; the first error propagates."""
    tune_allocators()  # as extract_sources does (connectors/core/malloc.py)
    results: list[StreamResult] = []
    _extract_streams(source, streams, results, destination, run_id, env, on_page, batch_policy)
    return results


def _extract_streams(
    source: str,
    streams: list[str] | None,
    results: list[StreamResult],
    destination: Destination,
    run_id: str,
    env: Mapping[str, str] | None,
    on_page: PageCallback | None,
    batch_policy: BatchPolicy,
    budget: BatchBudget | None = None,
) -> None:
    """The streams of one source in turn on one warehouse connection; each finished stream's
    result is appended as it ends, so a caller sees them even when a later stream fails."""
    names = streams or [s.name for s in get_vendor(source).streams]
    with destination.session():
        for name in names:
            results.append(
                extract_stream(
                    source,
                    name,
                    destination=destination,
                    run_id=run_id,
                    env=env,
                    on_page=on_page,
                    batch_policy=batch_policy,
                    budget=budget,
                )
            )


def _cursor(state: StreamState) -> str | None:
    return to_iso(state.cursor) if state.cursor is not None else None


@dataclass
class SourceOutcome:
    """What one source of `extract_sources` did: its finished streams, and its error if any."""

    source: str
    results: list[StreamResult] = field(default_factory=list)
    error: BaseException | None = None


def extract_sources(
    plan: Mapping[str, list[str] | None],
    *,
    destination: Destination,
    run_id: str,
    env: Mapping[str, str] | None = None,
    on_page: PageCallback | None = None,
    batch_policy: BatchPolicy = DEFAULT_BATCH_POLICY,
) -> list[SourceOutcome]:
    """Extract several sources side by side, one thread each; their streams in turn.

    The vendors' quotas are independent and most of a source's time is spent waiting on its
    API, so the sources overlap instead of queueing. Each thread has its own warehouse session
    (a transaction per batch, as always). A source that fails does not stop the others: every
    outcome is returned, and the caller decides (the CLI and Dagster report each, then fail).
    `plan` maps a source to its streams (None: all of them); `on_page` is called under a lock.
    The sources share one budget of batch bytes in flight (`CONNECTORS_BATCH_BUDGET_MB`,
    connectors/batching.py), so their batches together stay within it however long they
    overlap.
    """
    tune_allocators()  # before the source threads allocate (connectors/core/malloc.py)
    lock = threading.Lock()
    budget = BatchBudget(int(Settings(env).value("CONNECTORS_BATCH_BUDGET_MB") * 2**20))

    def report(result: StreamResult) -> None:
        if on_page is not None:
            with lock:
                on_page(result)

    def run_one(source: str, streams: list[str] | None) -> SourceOutcome:
        outcome = SourceOutcome(source)
        try:
            with budget.member():
                _extract_streams(
                    source,
                    streams,
                    outcome.results,
                    destination,
                    run_id,
                    env,
                    report,
                    batch_policy,
                    budget,
                )
        except Exception as exc:  # reported with the source; the others go on
            outcome.error = exc
        return outcome

    if len(plan) == 1:
        ((source, streams),) = plan.items()
        return [run_one(source, streams)]
    with ThreadPoolExecutor(max_workers=len(plan), thread_name_prefix="extract") as pool:
        futures = [pool.submit(run_one, source, streams) for source, streams in plan.items()]
        return [future.result() for future in futures]
