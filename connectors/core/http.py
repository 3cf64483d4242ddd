"""One HTTP client per source: session reuse, timeouts, client-side rate limit, retries.

Retries use tenacity (exponential backoff with jitter, or the server's Retry-After when it
gives one); the client-side limiter is pyrate-limiter set to the vendor's published quota so
a normal run never provokes a 429. Vendor conventions (Marketo errors inside HTTP 200,
daily-limit answers, ...) are decided by each source's `classify` hook.
"""

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

import orjson
import requests
import urllib3
from pyrate_limiter import Limiter, Rate
from requests.adapters import HTTPAdapter
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    wait_exponential_jitter,
)

from connectors.core.errors import (
    RateLimitedError,
    ResponseDeadlineError,
    RetryableError,
    TokenExpiredError,
    UnreachableError,
    UntrustedOriginError,
    VendorError,
)
from connectors.core.paging import Request
from connectors.core.quota import QuotaLedger
from connectors.core.redact import redact

log = logging.getLogger("connectors.http")

RETRY_AFTER_MAX = 300.0
_CHUNK = 1 << 18


def origin_of(url: str) -> str:
    """`scheme://host:port` of a URL (default ports made explicit), lower-cased."""
    parts = urlsplit(url)
    scheme = (parts.scheme or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    port = port or {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{(parts.hostname or '').lower()}:{port}"


LIMITER_BUFFER_MS = 5  # see HttpClient.__init__


class NonFinite(float):
    """NaN or ±Infinity read from a body: not JSON, but Python's parser accepts them.

    Marked so landing writes them back as they came (orjson would write null).
    """


_DECODER = json.JSONDecoder(parse_constant=NonFinite)

# Values nested deeper than this are cut out of a body (JSON records are a few levels deep;
# Python's parser fails near 1,000 and orjson at 1,024).
MAX_DEPTH = 200
_TOO_DEEP = "\x00too-deep\x00"
_EXCERPT = 200


class TooDeep:
    """Where a value nested deeper than MAX_DEPTH was: not JSON, so landing quarantines the
    record that holds it (with `excerpt`, the start of the value as sent)."""

    def __init__(self, excerpt: str) -> None:
        self.excerpt = excerpt


def _string_end(text: str, i: int) -> int:
    """Index of the quote closing the JSON string that opens at `text[i]`."""
    i += 1
    while i < len(text) and text[i] != '"':
        i += 2 if text[i] == "\\" else 1
    return i


def _value_end(text: str, i: int) -> int:
    """Index of the bracket closing the array or object that opens at `text[i]`."""
    nested = 0
    while i < len(text):
        char = text[i]
        if char == '"':
            i = _string_end(text, i)
        elif char in "[{":
            nested += 1
        elif char in "]}":
            nested -= 1
            if nested == 0:
                return i
        i += 1
    return i


def flatten_too_deep(text: str, limit: int) -> str:
    """`text` with every array or object opened below depth `limit` replaced by a marker
    string holding its first characters. Strings and escapes are skipped as JSON has them."""
    out: list[str] = []
    depth, i, last = 0, 0, 0
    while i < len(text):
        char = text[i]
        if char == '"':
            i = _string_end(text, i)
        elif char in "[{":
            depth += 1
            if depth > limit:
                out.append(text[last:i])
                out.append(json.dumps(_TOO_DEEP + text[i : i + _EXCERPT]))
                last = i = _value_end(text, i) + 1
                depth -= 1
                continue
        elif char in "]}":
            depth -= 1
        i += 1
    out.append(text[last:])
    return "".join(out)


def mark_too_deep(value: Any) -> Any:
    """Marker strings left by `flatten_too_deep` become `TooDeep` objects."""
    if isinstance(value, str) and value.startswith(_TOO_DEEP):
        return TooDeep(value[len(_TOO_DEEP) :])
    if isinstance(value, dict):
        return {k: mark_too_deep(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mark_too_deep(v) for v in value]
    return value


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
    `NonFinite`, lone surrogates kept), with orjson (~3x faster) whenever that is the same.

    A hostile or broken answer must cost one record, not the page: bytes that are not UTF-8
    become lone surrogates (the record holding them is quarantined as invalid UTF-8), and
    values nested deeper than MAX_DEPTH become `TooDeep` marks (their record is quarantined).
    """
    if not _may_hold_long_number(content):
        try:
            return orjson.loads(content)
        except orjson.JSONDecodeError:
            pass  # NaN, Infinity, lone surrogates, overflow, garbage: the stdlib decides
    text = content.decode(json.detect_encoding(content), "surrogateescape")
    try:
        return _DECODER.decode(text)
    except RecursionError:
        return mark_too_deep(_DECODER.decode(flatten_too_deep(text, MAX_DEPTH)))


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
        origins: Iterable[str] = (),
        rates: list[Rate] | None = None,
        path_rates: Iterable[tuple[str, list[Rate]]] = (),
        classify: Classifier | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        response_deadline: float = 300.0,
        max_response_bytes: int = 512 * 2**20,
        max_attempts: int = 8,
        connect_attempts: int = 3,
        backoff_max: float = 30.0,
    ) -> None:
        self.source = source
        self.base_url_setting = base_url_setting
        # Requests go only to these origins (the vendor's configured one, plus what the
        # vendor's auth proves, e.g. a Salesforce instance URL); an empty set allows any.
        self.origins: set[str] = {origin_of(o) for o in origins}
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=10, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        # pyrate-limiter sleeps `buffer_ms` past each freed slot (default 50 ms): at Gong's
        # 3 calls/s that alone leaves ~10% of the quota unused. scaled_rate's margin is the slack.
        self.limiter = Limiter(rates, buffer_ms=LIMITER_BUFFER_MS) if rates else None
        # Endpoints with a lower limit of their own (a search API): a request whose path
        # matches waits for its endpoint's window too.
        self.path_limiters = [
            (re.compile(pattern), Limiter(path_limit, buffer_ms=LIMITER_BUFFER_MS))
            for pattern, path_limit in path_rates
            if path_limit
        ]
        self.classify = classify
        self.timeout = (connect_timeout, read_timeout)
        self.response_deadline = response_deadline
        self.max_response_bytes = max_response_bytes
        self.max_attempts = max_attempts
        self.connect_attempts = connect_attempts
        self.backoff_max = backoff_max
        self.auth: Authenticator | None = None
        # Called before every request: raises (not retried) when the vendor's quota is spent.
        self.guard: Callable[[], None] | None = None
        # Counts every request against the vendor's daily quota (stops before the reserve).
        self.ledger: QuotaLedger | None = None
        self.stats = HttpStats()
        self._lock = threading.Lock()

    def close(self) -> None:
        self.session.close()

    # -- one attempt ---------------------------------------------------------------------
    def trust(self, url: str) -> None:
        """Allow requests to the origin of `url` (checked by the vendor before calling)."""
        self.origins.add(origin_of(url))

    def _check_origin(self, url: str, why: str = "") -> None:
        if self.origins and origin_of(url) not in self.origins:
            raise UntrustedOriginError(
                f"{self.source}: refused to send a request to {origin_of(url)}{why}: it is not "
                f"the vendor's origin ({', '.join(sorted(self.origins))}; {self.base_url_setting}"
                "); nothing was sent there"
            )

    def _send_once(
        self, method: str, url: str, authenticated: bool, decode: bool = True, **kwargs: Any
    ) -> Response:
        if self.guard is not None:
            self.guard()
        self._check_origin(url)
        if self.ledger is not None:
            self.ledger.spend_call()
        headers = dict(kwargs.pop("headers", None) or {})
        if authenticated and self.auth is not None:
            headers.update(self.auth.headers(self))
        if self.path_limiters:
            path = urlsplit(url).path
            for pattern, limiter in self.path_limiters:
                if pattern.search(path):
                    limiter.try_acquire(f"{self.source}:{pattern.pattern}")
        if self.limiter is not None:
            self.limiter.try_acquire(self.source)
        with self._lock:
            self.stats.requests += 1
        try:
            # Redirects are not followed: credentials and answers must not come from elsewhere.
            raw = self.session.request(
                method,
                url,
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,
                stream=True,
                **kwargs,
            )
            try:
                content = self._read_body(raw)  # may fail on a cut connection or a deadline
            finally:
                raw.close()
        except requests.ConnectTimeout as exc:
            raise UnreachableError(self._unreachable(exc)) from None
        except requests.Timeout as exc:
            raise RetryableError(f"{self.source}: {type(exc).__name__}: {exc}") from None
        except requests.ConnectionError as exc:
            # A refused or unresolvable host is not a cut response: say which setting points there.
            if _is_connect_failure(exc):
                raise UnreachableError(self._unreachable(exc)) from None
            raise RetryableError(f"{self.source}: {type(exc).__name__}: {exc}") from None
        except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
            raise RetryableError(f"{self.source}: {type(exc).__name__}: {exc}") from None
        with self._lock:
            self.stats.status[raw.status_code] = self.stats.status.get(raw.status_code, 0) + 1
        if raw.is_redirect:
            target = urljoin(url, raw.headers.get("Location", ""))
            self._check_origin(target, " (a redirect)")
            raise VendorError(
                f"{self.source}: HTTP {raw.status_code} redirect to {redact(target)}; the "
                f"connector does not follow redirects (check {self.base_url_setting})"
            )
        body: Any = None
        json_answer = "json" in raw.headers.get("Content-Type", "")
        if content and not decode and raw.status_code < 300 and not json_answer:
            body = content  # CSV results and export files: the caller parses them
        elif content:
            try:
                body = decode_json(content)
            except ValueError:
                declared = raw.headers.get("Content-Length")
                truncated = (
                    declared is not None and declared.isdigit() and int(declared) != len(content)
                )
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

    def _read_body(self, raw: requests.Response) -> bytes:
        """The whole body within `response_deadline` seconds and `max_response_bytes`.

        The socket's read timeout restarts with every byte, so a body that trickles would
        never time out; `read1` returns what has arrived, and the deadline is checked between.
        """
        deadline = time.monotonic() + self.response_deadline
        parts: list[bytes] = []
        size = 0
        while True:
            if time.monotonic() > deadline:
                raise ResponseDeadlineError(
                    f"{self.source}: the answer from {redact(raw.url)} did not complete within "
                    f"{self.response_deadline:.0f} s (CONNECTORS_RESPONSE_DEADLINE_SECONDS)"
                )
            chunk = raw.raw.read1(_CHUNK, decode_content=True)
            if not chunk:
                return b"".join(parts)
            parts.append(chunk)
            size += len(chunk)
            if size > self.max_response_bytes:
                raise VendorError(
                    f"{self.source}: the answer from {redact(raw.url)} exceeds "
                    f"{self.max_response_bytes // 2**20} MB (CONNECTORS_MAX_RESPONSE_MB)"
                )

    def _unreachable(self, exc: Exception) -> str:
        return (
            f"{self.source}: cannot connect ({type(exc).__name__}: {exc}); "
            f"check {self.base_url_setting}"
        )

    # -- with retries ------------------------------------------------------------------------
    def request(
        self,
        method: str,
        url: str,
        *,
        authenticated: bool = True,
        decode: bool = True,
        **kwargs: Any,
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

        def stop(state: RetryCallState) -> bool:
            # A host that refuses connections is more often a wrong setting than a blip: give
            # up after a few tries, so the message naming the setting comes within seconds.
            exc = state.outcome.exception() if state.outcome else None
            if isinstance(exc, UnreachableError) and state.attempt_number >= self.connect_attempts:
                return True
            return state.attempt_number >= self.max_attempts

        retrying = Retrying(
            retry=retry_if_exception_type(RetryableError),
            stop=stop,
            wait=wait,
            before_sleep=before_sleep,
            reraise=True,
        )
        for attempt in retrying:
            with attempt:
                return self._send_once(method, url, authenticated, decode, **dict(kwargs))
        raise VendorError(f"{self.source}: no attempt made")  # pragma: no cover

    def send(self, request: Request) -> Response:
        """`request()` for a paginator's Request."""
        return self.request(
            request.method,
            request.url,
            params=dict(request.params) if request.params else None,
            json=request.json,
            headers=dict(request.headers) if request.headers else None,
            decode=request.decode,
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
