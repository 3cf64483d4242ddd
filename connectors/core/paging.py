"""Paginators: one object per paging strategy, chosen explicitly per stream (never guessed).

A paginator only says what the next request is, given the last request and its answer.
`paginate` drives it and keeps the loop honest: a page token or URL the vendor already gave
is an error (the loop would never end), and each stream run has a budget of pages and wall
time (`StreamBudget`) after which it stops cleanly with what it has committed.
"""

import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urljoin

from connectors.core.errors import VendorError

if TYPE_CHECKING:
    from connectors.core.http import HttpClient, Response


def dig(record: object, path: str) -> object:
    """Value at a dotted path, or None."""
    value = record
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    params: Mapping[str, Any] | None = None
    json: Any = None
    headers: Mapping[str, str] | None = None
    decode: bool = True  # False: the body is kept as bytes (CSV results, export files)

    def with_value(self, name: str, value: str, *, in_body: bool) -> "Request":
        """The same request with one query parameter or top-level body field set."""
        if in_body:
            return replace(self, json={**(self.json or {}), name: value})
        return replace(self, params={**(self.params or {}), name: value})


class PagingError(VendorError):
    """The vendor's paging does not advance (a repeated token or URL) or is malformed."""


class Paginator(Protocol):
    def next_request(self, request: Request, response: "Response") -> Request | None:
        """The request for the next page, or None when `response` was the last page."""
        ...


@dataclass(frozen=True)
class SinglePage:
    """Everything comes in one answer."""

    def next_request(self, request: Request, response: "Response") -> Request | None:
        return None


@dataclass(frozen=True)
class NextUrlPaginator:
    """The answer names the next page's URL, usually relative (Salesforce `nextRecordsUrl`,
    with `done` true on the last page). The URL is resolved against the request's; the HTTP
    client refuses to send credentials anywhere but the vendor's origin."""

    next_field: str
    done_field: str | None = None

    def next_request(self, request: Request, response: "Response") -> Request | None:
        body = response.body
        url = dig(body, self.next_field)
        if not url or (self.done_field is not None and dig(body, self.done_field) is True):
            return None
        if not isinstance(url, str):
            raise PagingError(f"{self.next_field} is not a URL: {url!r}"[:200])
        return Request("GET", urljoin(request.url, url), headers=request.headers)


@dataclass(frozen=True)
class TokenPaginator:
    """The answer carries a token that the next request repeats, as a query parameter or a
    body field (Gong `records.cursor`, HubSpot `paging.next.after`). With `more_path`, the
    token is always present and a flag says whether there is more (Marketo `nextPageToken`
    with `moreResult`)."""

    cursor_path: str
    param: str
    in_body: bool = False
    more_path: str | None = None

    def next_request(self, request: Request, response: "Response") -> Request | None:
        body = response.body
        if self.more_path is not None and dig(body, self.more_path) is not True:
            return None
        token = dig(body, self.cursor_path)
        if token is None or token == "":
            if self.more_path is not None:
                raise PagingError(f"{self.more_path} is true but {self.cursor_path} is missing")
            return None
        if not isinstance(token, str | int):
            raise PagingError(f"{self.cursor_path} is not a token: {token!r}"[:200])
        return request.with_value(self.param, str(token), in_body=self.in_body)


@dataclass(frozen=True)
class HeaderTokenPaginator:
    """The answer's header carries the token of the next page, a literal end value on the
    last (Salesforce Bulk 2.0 results: `Sforce-Locator`, `null` when done)."""

    header: str
    param: str
    end_values: tuple[str, ...] = ("null", "")

    def next_request(self, request: Request, response: "Response") -> Request | None:
        token = response.headers.get(self.header)
        if token is None or token in self.end_values:
            return None
        return request.with_value(self.param, token, in_body=False)


class StreamBudgetSpent(Exception):
    """The stream run used its page or time budget: stop cleanly, keep what is committed."""


@dataclass
class StreamBudget:
    """Pages and wall time one stream run may spend (CONNECTORS_MAX_PAGES_PER_STREAM,
    CONNECTORS_MAX_STREAM_SECONDS): a runaway vendor cannot hold a run or a quota forever."""

    max_pages: int
    max_seconds: float
    label: str = "stream"
    pages: int = 0
    started: float = field(default_factory=time.monotonic)

    def spend_page(self) -> None:
        if self.pages >= self.max_pages:
            raise StreamBudgetSpent(
                f"{self.label}: stopped after {self.pages} pages (the cap); the next run "
                "goes on from the committed cursor"
            )
        elapsed = time.monotonic() - self.started
        if elapsed >= self.max_seconds:
            raise StreamBudgetSpent(
                f"{self.label}: stopped after {elapsed:.0f} s (the cap of {self.max_seconds:.0f} "
                "s); the next run goes on from the committed cursor"
            )
        self.pages += 1


def _progress_key(request: Request) -> str:
    """What must differ from one page request to the next: its URL, parameters and body."""
    return repr((request.url, sorted((request.params or {}).items()), request.json))


@dataclass(frozen=True)
class Answer:
    """One page's answer, and whether the paginator found no page after it."""

    response: "Response"
    last: bool

    @property
    def body(self) -> Any:
        return self.response.body


def paginate(
    client: "HttpClient",
    request: Request,
    paginator: Paginator,
    budget: StreamBudget,
) -> Iterator[Answer]:
    """Every page of one listing, in order. A request repeated within the listing means the
    vendor's paging does not advance: an error naming the stream, never an endless loop."""
    seen: set[int] = set()
    while True:
        key = hash(_progress_key(request))
        if key in seen:
            raise PagingError(
                f"{budget.label}: the vendor's paging repeats itself (page {budget.pages + 1} asks "
                "for a page already read); stopped to protect the quota"
            )
        seen.add(key)
        budget.spend_page()
        response = client.send(request)
        following = paginator.next_request(request, response)
        yield Answer(response, last=following is None)
        if following is None:
            return
        request = following
