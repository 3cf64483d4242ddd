"""One HTTP client per source: session reuse, timeouts, client-side rate limit, retries.

Retries use tenacity (exponential backoff with jitter, or the server's Retry-After when it
gives one); the client-side limiter is pyrate-limiter set to the vendor's published quota so
a normal run never provokes a 429. Vendor conventions (Marketo errors inside HTTP 200,
daily-limit answers, ...) are decided by each source's `classify` hook.
"""

import json
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson
import requests
from pyrate_limiter import Limiter, Rate
from requests.adapters import HTTPAdapter
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from connectors.core.errors import (
    RateLimitedError,
    RetryableError,
    TokenExpiredError,
    UnreachableError,
    VendorError,
)
from connectors.core.paging import Request
from connectors.core.redact import redact

log = logging.getLogger("connectors.http")

RETRY_AFTER_MAX = 300.0

LIMITER_BUFFER_MS = 5  # see HttpClient.__init__


class NonFinite(float):
    """NaN or ±Infinity read from a body: not JSON, but Python's parser accepts them.

    Marked so landing writes them back as they came (orjson would write null).
    """


_DECODER = json.JSONDecoder(parse_constant=NonFinite)


# A number token of 19+ digits may not fit in 64 bits, and orjson would turn it into a float.
# Such a token follows `:`, `,` or `[` (whitespace aside). The body is mapped in one C pass
# (digits to 0, separators to `:`, whitespace dropped, the rest to x) and searched for that
# shape: 5-7x faster than a regex, and it errs only towards the exact stdlib parser.
def _shape_table() -> bytes:
    table = bytearray(b"x" * 256)
    for byte in b"0123456789":
        table[byte] = ord("0")
    for byte in b":,[":
        table[byte] = ord(":")
    table[ord("-")] = ord("-")
    return bytes(table)


_SHAPE = _shape_table()
_LONG_NUMBER = (b":" + b"0" * 19, b":-" + b"0" * 19)


def _may_hold_long_number(content: bytes) -> bool:
    shape = content.translate(_SHAPE, b" \t\r\n")
    return any(marker in shape for marker in _LONG_NUMBER)


def decode_json(content: bytes) -> Any:
    """Decode a body exactly as the stdlib would (big integers, NaN/Infinity marked as
    `NonFinite`, lone surrogates kept), with orjson (~3x faster) whenever that is the same."""
    if not _may_hold_long_number(content):
        try:
            return orjson.loads(content)
        except orjson.JSONDecodeError:
            pass  # NaN, Infinity, lone surrogates, overflow, garbage: the stdlib decides
    return _DECODER.decode(content.decode(json.detect_encoding(content), "surrogatepass"))


@dataclass
class Response:
    """What a source needs from an answer: status, headers and the decoded JSON body."""

    status: int
    headers: Mapping[str, str]
    body: Any
    url: str


class Authenticator(Protocol):
    def headers(self, client: "HttpClient") -> dict[str, str]: ...

    def invalidate(self) -> None: ...


Classifier = Callable[[Response], None]


@dataclass
class HttpStats:
    requests: int = 0
    retries: int = 0
    throttled: int = 0
    token_refreshes: int = 0
    status: dict[int, int] = field(default_factory=dict)


class HttpClient:
    """Session + limiter + retry policy for one vendor."""

    def __init__(
        self,
        source: str,
        *,
        base_url_setting: str = "the base URL setting",
        rates: list[Rate] | None = None,
        classify: Classifier | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        max_attempts: int = 8,
        backoff_max: float = 30.0,
    ) -> None:
        self.source = source
        self.base_url_setting = base_url_setting
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=10, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        # pyrate-limiter sleeps `buffer_ms` past each freed slot (default 50 ms): at Gong's
        # 3 calls/s that alone leaves ~10% of the quota unused. scaled_rate's margin is the slack.
        self.limiter = Limiter(rates, buffer_ms=LIMITER_BUFFER_MS) if rates else None
        self.classify = classify
        self.timeout = (connect_timeout, read_timeout)
        self.max_attempts = max_attempts
        self.backoff_max = backoff_max
        self.auth: Authenticator | None = None
        # Called before every request: raises (not retried) when the vendor's quota is spent.
        self.guard: Callable[[], None] | None = None
        self.stats = HttpStats()
        self._lock = threading.Lock()

    def close(self) -> None:
        self.session.close()

    # -- one attempt ---------------------------------------------------------------------
    def _send_once(self, method: str, url: str, authenticated: bool, **kwargs: Any) -> Response:
        if self.guard is not None:
            self.guard()
        headers = dict(kwargs.pop("headers", None) or {})
        if authenticated and self.auth is not None:
            headers.update(self.auth.headers(self))
        if self.limiter is not None:
            self.limiter.try_acquire(self.source)
        with self._lock:
            self.stats.requests += 1
        try:
            raw = self.session.request(method, url, headers=headers, timeout=self.timeout, **kwargs)
            content = raw.content  # reading the body may itself fail on a cut connection
        except requests.ConnectTimeout as exc:
            raise UnreachableError(self._unreachable(exc)) from None
        except requests.Timeout as exc:
            raise RetryableError(f"{self.source}: {type(exc).__name__}: {exc}") from None
        except requests.ConnectionError as exc:
            # A refused or unresolvable host is not a cut response: say which setting points there.
            if _is_connect_failure(exc):
                raise UnreachableError(self._unreachable(exc)) from None
            raise RetryableError(f"{self.source}: {type(exc).__name__}: {exc}") from None
        except requests.RequestException as exc:
            raise RetryableError(f"{self.source}: {type(exc).__name__}: {exc}") from None
        with self._lock:
            self.stats.status[raw.status_code] = self.stats.status.get(raw.status_code, 0) + 1
        body: Any = None
        if content:
            try:
                body = decode_json(content)
            except ValueError:
                declared = raw.headers.get("Content-Length")
                truncated = declared is not None and int(declared) != len(content)
                if raw.status_code < 400 or raw.status_code >= 500 or truncated:
                    # A cut or garbled body is a transport failure: fetch the page again.
                    raise RetryableError(
                        f"{self.source}: unreadable JSON body (HTTP {raw.status_code}, "
                        f"{len(content)} bytes) from {raw.url}"
                    ) from None
                body = content.decode("utf-8", "replace")[:500]
        response = Response(raw.status_code, raw.headers, body, raw.url)
        if self.classify is not None:
            self.classify(response)
        if response.status >= 500:
            raise RetryableError(f"{self.source}: HTTP {response.status} from {response.url}")
        if response.status == 429:
            raise RateLimitedError(
                f"{self.source}: HTTP 429 from {response.url}",
                retry_after=_retry_after(response.headers),
            )
        return response

    def _unreachable(self, exc: Exception) -> str:
        return (
            f"{self.source}: cannot connect ({type(exc).__name__}: {exc}); "
            f"check {self.base_url_setting}"
        )

    # -- with retries ------------------------------------------------------------------------
    def request(
        self, method: str, url: str, *, authenticated: bool = True, **kwargs: Any
    ) -> Response:
        backoff = wait_exponential_jitter(multiplier=0.2, max=self.backoff_max, jitter=0.5)

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            if isinstance(exc, TokenExpiredError):
                return 0.0
            if isinstance(exc, RetryableError) and exc.retry_after is not None:
                # The server knows its window: wait as told (bounded against nonsense).
                return min(exc.retry_after, RETRY_AFTER_MAX)
            return backoff(state)

        def before_sleep(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            with self._lock:
                self.stats.retries += 1
                if isinstance(exc, RateLimitedError) or (
                    isinstance(exc, RetryableError) and exc.retry_after is not None
                ):
                    self.stats.throttled += 1
            if isinstance(exc, TokenExpiredError) and self.auth is not None:
                self.stats.token_refreshes += 1
                self.auth.invalidate()
            log.info(
                "%s: retry %d after %s",
                self.source,
                state.attempt_number,
                redact(str(exc)),
            )

        retrying = Retrying(
            retry=retry_if_exception_type(RetryableError),
            stop=stop_after_attempt(self.max_attempts),
            wait=wait,
            before_sleep=before_sleep,
            reraise=True,
        )
        for attempt in retrying:
            with attempt:
                return self._send_once(method, url, authenticated, **dict(kwargs))
        raise VendorError(f"{self.source}: no attempt made")  # pragma: no cover

    def send(self, request: Request) -> Response:
        """`request()` for a paginator's Request."""
        return self.request(
            request.method,
            request.url,
            params=dict(request.params) if request.params else None,
            json=request.json,
            headers=dict(request.headers) if request.headers else None,
        )


def _is_connect_failure(exc: requests.ConnectionError) -> bool:
    """True when no connection was made at all (refused, DNS), as opposed to one cut midway."""
    text = str(exc)
    return any(
        marker in text
        for marker in (
            "Connection refused",
            "Failed to establish a new connection",
            "Name or service",
        )
    )


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def scaled_rate(limit: int, seconds: float, scale: float, margin: float = 1.03) -> Rate:
    """`limit` calls per `seconds`, with a small safety margin, sped up by `scale`."""
    window_ms = max(1, int(seconds * 1000 * margin / max(scale, 1e-6)))
    return Rate(limit, window_ms)
