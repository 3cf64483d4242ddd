"""How a vendor is declared: its settings, quotas, auth, reader and streams, as data.

Each package under `connectors/sources/` exports one `Vendor`; `connectors/registry.py` lists
them. Nothing outside a vendor's package names the vendor: the run, the CLI, the settings and
the orchestration iterate the registry.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from connectors.core.cursor import CursorProgress
from connectors.core.paging import Paginator, StreamBudget
from connectors.core.quota import DailyQuota
from connectors.core.state import StreamState

if TYPE_CHECKING:
    from connectors.core.http import Authenticator, HttpClient
    from connectors.settings import Settings


class ParseSetting(Protocol):
    def __call__(self, variable: str, value: str) -> Any: ...


@dataclass(frozen=True)
class Setting:
    """One environment variable: its default (the embedded sandbox's), meaning and check."""

    name: str
    default: str
    description: str
    parse: ParseSetting
    secret: bool = False


@dataclass(frozen=True)
class RateLimit:
    """A published quota window: `calls` per `seconds` (86,400 for a daily quota).

    `calls_setting` names a variable that overrides `calls` (a vendor whose limit depends on
    the customer's plan). `path` (a regular expression searched in the request path) makes the
    window apply to those requests only, on top of the vendor-wide ones (an endpoint with its
    own, lower limit). `margin` stretches the window the client paces to: a short window
    needs more, since a request's delay in transit eats a larger share of it."""

    calls: int
    seconds: float
    calls_setting: str | None = None
    path: str | None = None
    margin: float = 1.03


@dataclass
class Page:
    """Records of one answer and the stream state that covers them (None = unchanged).

    `rejects` are (reason, record) pairs the reader could not use (a lead-change activity
    whose lead id is not a number): they are quarantined with the page, never dropped."""

    records: list[Any]
    state: StreamState | None
    rejects: list[tuple[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class DeferredPage:
    """A page fetched but not yet parsed: `parse()` turns it into a `Page`.

    Pages are fetched ahead in another thread (connectors/core/prefetch.py). A parsed page of
    5,000 Bulk API records is ~15 MB of Python dicts and strings against ~2 MB of CSV, and
    each source held up to four at a time (two waiting, one being parsed, one being landed),
    so the bodies wait unparsed and the consumer parses each when it takes it. The consumer
    calls `parse()` once per page, in order, in its own thread: a reader may keep counts or a
    cursor's progress across its pages' `parse` without a lock. `parse` makes no call and
    reads nothing the reader's thread may be changing (a describe, say): whatever it needs
    from the vendor is fetched before the page is handed over.
    """

    parse: Callable[[], Page]


class SourceReader(Protocol):
    client: "HttpClient"

    def close(self) -> None: ...


@dataclass(frozen=True)
class StreamRun:
    """One run of one stream, as its reader sees it."""

    stream: "Stream"
    state: StreamState  # the committed state it resumes from
    budget: StreamBudget  # pages and seconds it may spend (paging.paginate enforces them)
    started_at: datetime  # when the run began: no cursor is committed past it
    passes: list[CursorProgress] = field(default_factory=list)

    def progress(self, start: datetime | None, cursor_field: str | None = None) -> CursorProgress:
        """A cursor pass of this run, capped at its start (see CursorProgress)."""
        field_path = cursor_field or self.stream.cursor_field
        assert field_path is not None, f"{self.stream.name} has no cursor field"
        tracker = CursorProgress(start, field_path, ceiling=self.started_at)
        self.passes.append(tracker)
        return tracker

    @property
    def future_dated(self) -> int:
        return sum(p.future_dated for p in self.passes)


ReadStream = Callable[[Any, StreamRun], Iterator[Page | DeferredPage]]


@dataclass(frozen=True)
class Stream:
    """One stream: where its records come from and how they are keyed, ordered and paged.

    `read` is the reader method that turns (stream, state) into pages; simple streams share
    one, vendors with special incremental rules (Marketo's lead changes, Gong's lookback) bring
    their own. `endpoint` is an API path or, for Salesforce, the SObject name.
    """

    name: str
    description: str
    primary_key: str  # dotted path into the record, e.g. "metaData.id"
    cursor_field: str | None  # dotted path; None = full refresh
    endpoint: str
    records_path: str  # dotted path of the record list in an answer
    paginator: Paginator
    read: ReadStream
    method: str = "GET"


@dataclass(frozen=True)
class Vendor:
    """Everything the run needs to know about one vendor."""

    name: str  # source name: raw tables are raw.<name>__<stream>
    title: str  # for people: "Salesforce"
    base_url_setting: str  # named when the host cannot be reached or is refused
    settings: tuple[Setting, ...]
    streams: tuple[Stream, ...]
    auth: Callable[["Settings"], "Authenticator"]
    reader: Callable[["Settings", "HttpClient"], SourceReader]
    # Published per-window quotas the client paces itself to (none: the vendor reports usage).
    rate_limits: tuple[RateLimit, ...] = ()
    credential_settings: tuple[str, ...] = ()  # named when the vendor refuses the credentials
    # The vendor's daily quota (counted per vendor day in meta.api_usage), if it has one.
    daily_quota: DailyQuota | None = None
    # Off unless selected in CONNECTORS_SOURCES (a vendor most companies do not use).
    on_by_default: bool = True

    def stream(self, name: str) -> Stream:
        for stream in self.streams:
            if stream.name == name:
                return stream
        known = [s.name for s in self.streams]
        raise KeyError(f"unknown stream {self.name}.{name}; known: {known}")

    @property
    def secret_settings(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.settings if s.secret)
