"""HTTP plumbing shared by the fakes: routing, stats, admin endpoints, clock and fault hooks."""

import contextlib
import json
import re
import socket
import sys
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from sandbox.fakes.faults import FaultConfig, FaultDice

# Placeholders of hostile answers, swapped for raw bytes after serialisation.
DEEP = "@@sandbox-deep@@"
NOT_UTF8 = "@@sandbox-not-utf8@@"
JSON_TYPE = "application/json;charset=UTF-8"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Message
    body: bytes
    path_params: dict[str, str] = field(default_factory=dict)

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def params(self, name: str) -> list[str]:
        """A comma list or a repeated parameter, flattened."""
        return [v for raw in self.query.get(name, []) for v in raw.split(",") if v != ""]

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = JSON_TYPE
    # Set by fault injection: how the handler should misbehave while sending.
    truncate: bool = False
    drop: bool = False
    trickle_seconds: float = 0.0  # hostile mode: one byte of the body at a time


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(status, body, dict(headers or {}))


def dumps(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


class ApiError(Exception):
    """Raised by endpoint code; each fake turns it into its vendor's error shape."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass
class Route:
    method: str
    pattern: re.Pattern[str]
    template: str
    handler: Callable[[Request], Response]
    is_api: bool = True  # counts for limits, token expiry and faults
    needs_auth: bool = True


class FakeClock:
    """Starts just after the world's as_of and advances at clock_speed times real time."""

    def __init__(self, start: datetime, clock_speed: float) -> None:
        self._start = start
        self._t0 = time.monotonic()
        self.speed = clock_speed
        self._last = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            moment = self._start + timedelta(seconds=(time.monotonic() - self._t0) * self.speed)
            # Strictly increasing, so two mutations never share a timestamp.
            if moment <= self._last:
                moment = self._last + timedelta(milliseconds=1)
            self._last = moment
            return moment

    def real_seconds(self, fake_seconds: float) -> float:
        return fake_seconds / self.speed


class SlidingWindow:
    """Counts events in the last `window` real seconds (thread-safe)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._events: deque[float] = deque()
        self._lock = threading.Lock()

    def admit(self) -> float | None:
        """Record one event; return None if admitted, else seconds until a slot frees."""
        now = time.monotonic()
        with self._lock:
            while self._events and self._events[0] <= now - self.window:
                self._events.popleft()
            if len(self._events) >= self.limit:
                return self._events[0] + self.window - now
            self._events.append(now)
            return None


class FakeServer:
    """One vendor fake. Subclasses register routes and implement the vendor's error shapes."""

    source = "base"
    default_credentials: ClassVar[dict[str, str]] = {}
    default_daily_quota: ClassVar[int] = 0
    # The connectors' variables that point at this fake: its base URL's, and each credential's
    # (variable -> key in `credentials`).
    base_url_variable: ClassVar[str] = ""
    credential_variables: ClassVar[dict[str, str]] = {}

    def connector_env(self) -> dict[str, str]:
        """The connectors' settings that point them at this running fake."""
        credentials = {var: self.credentials[key] for var, key in self.credential_variables.items()}
        return {self.base_url_variable: self.base_url, **credentials}

    def __init__(
        self,
        data_dir: Path,
        clock: FakeClock,
        faults: FaultConfig | None = None,
        enforce_limits: bool = False,
        credentials: dict[str, str] | None = None,
        daily_quota: int | None = None,
        base_url_host: str = "127.0.0.1",
    ) -> None:
        self.credentials = {**self.default_credentials, **(credentials or {})}
        self.daily_quota = self.default_daily_quota if daily_quota is None else daily_quota
        self.calls_today = 0  # API calls counted against the daily quota
        self.enforce_limits = enforce_limits
        self.clock = clock
        self.host = base_url_host
        self.lock = threading.RLock()
        self.routes: list[Route] = []
        self._stats_lock = threading.Lock()
        self._reset_counters()
        self.set_faults(faults or FaultConfig())
        self.in_flight = 0
        self.httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._add_admin_routes()
        self.load(data_dir)

    def load(self, data_dir: Path) -> None:
        """Read the vendor's files of the data directory and register its routes."""
        raise NotImplementedError

    # ---------------------------------------------------------------- lifecycle
    def start(self, port: int = 0) -> None:
        self.httpd = _Server((self.host, port), _Handler)
        self.httpd.fake = self
        self._thread = threading.Thread(
            # A short poll interval keeps shutdown (and so each test's teardown) fast.
            target=self.httpd.serve_forever,
            kwargs={"poll_interval": 0.02},
            name=f"fake-{self.source}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    @property
    def port(self) -> int:
        assert self.httpd is not None, "server not started"
        return int(self.httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # ---------------------------------------------------------------- routing
    def route(
        self,
        method: str,
        template: str,
        handler: Callable[[Request], Response],
        *,
        is_api: bool = True,
        needs_auth: bool = True,
    ) -> None:
        """`template` uses {name} for a path segment and {name:path} for the rest of the path."""
        regex = re.sub(r"\{(\w+):path\}", r"(?P<\1>.+)", template)
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", regex)
        self.routes.append(
            Route(method, re.compile(f"^{regex}$"), template, handler, is_api, needs_auth)
        )

    def _add_admin_routes(self) -> None:
        admin = {"is_api": False, "needs_auth": False}
        self.route("GET", "/__sandbox/stats", lambda r: json_response(200, self.stats()), **admin)
        self.route("POST", "/__sandbox/stats/reset", self._admin_reset, **admin)
        self.route("GET", "/__sandbox/faults", self._admin_get_faults, **admin)
        self.route("POST", "/__sandbox/faults", self._admin_set_faults, **admin)
        self.route("POST", "/__sandbox/mutate", self._admin_mutate, **admin)

    def _admin_reset(self, request: Request) -> Response:
        self.reset_stats()
        return json_response(200, {"ok": True})

    def _admin_get_faults(self, request: Request) -> Response:
        return json_response(200, self.faults.to_dict())

    def _admin_set_faults(self, request: Request) -> Response:
        try:
            config = FaultConfig.from_dict(request.json() or {})
        except (ValueError, TypeError) as exc:
            return json_response(400, {"error": str(exc)})
        self.set_faults(config)
        return json_response(200, config.to_dict())

    def _admin_mutate(self, request: Request) -> Response:
        spec = request.json() or {}
        try:
            touched = self.mutate(
                modify=int(spec.get("modify", 0)),
                delete=int(spec.get("delete", 0)),
                create=int(spec.get("create", 0)),
                seed=int(spec.get("seed", 0)),
            )
        except (ValueError, TypeError) as exc:
            return json_response(400, {"error": str(exc)})
        return json_response(200, touched)

    # ---------------------------------------------------------------- stats / faults
    def _reset_counters(self) -> None:
        with self._stats_lock:
            self.request_counts: Counter[str] = Counter()
            self.status_counts: Counter[str] = Counter()
            self.records_served = 0
            self.pages_served = 0

    def reset_stats(self) -> None:
        self._reset_counters()

    def stats(self) -> dict[str, Any]:
        with self._stats_lock:
            return {
                "requests": dict(self.request_counts),
                "total": sum(self.request_counts.values()),
                "status": dict(self.status_counts),
                "records_served": self.records_served,
                "pages_served": self.pages_served,
            }

    def set_faults(self, config: FaultConfig) -> None:
        with self.lock:
            self.faults = config
            self.dice = FaultDice(config, self.source)
            self.authenticated_requests = 0
            self.drift_active = False
            self.mutated_by_fault = False
            self.hostile_record_sent = False
            self.bulk_failures = 0

    def note_page(self, records: int) -> None:
        """Called by data endpoints after building a page: drives drift and mutate faults."""
        with self._stats_lock:
            self.records_served += records
            self.pages_served += 1
            served, pages = self.records_served, self.pages_served
        config = self.faults
        if not config.applies_to(self.source):
            return
        if config.schema_drift_after is not None and served >= config.schema_drift_after:
            self.drift_active = True
        if (
            config.mutate_after_pages is not None
            and pages >= config.mutate_after_pages
            and not self.mutated_by_fault
        ):
            self.mutated_by_fault = True
            self.mutate(
                modify=config.mutate_modify,
                delete=config.mutate_delete,
                create=config.mutate_create,
                seed=config.seed,
            )

    # ---------------------------------------------------------------- dispatch
    def dispatch(self, request: Request) -> Response:
        route, response = self._match(request)
        if route is None:
            assert response is not None
            self._count(request.path, response)
            return response
        template = route.template
        if not route.is_api:
            # Admin calls are not vendor traffic: they stay out of the stats.
            return route.handler(request)
        with self.lock:
            self.in_flight += 1
        try:
            response = self._dispatch_api(route, request)
        except ApiError as exc:
            response = self.error_response(exc)
        finally:
            with self.lock:
                self.in_flight -= 1
        self.decorate(response)
        self._count(template, response)
        return response

    def _dispatch_api(self, route: Route, request: Request) -> Response:
        dice = self.dice
        config = dice.config
        timeout = dice.roll(config.timeout_rate)
        server_error = dice.roll(config.server_error_rate)
        storm = dice.roll(config.rate_limit_rate)
        truncate = dice.roll(config.truncate_rate)
        which_error = dice.choice([500, 503])
        if timeout:
            if config.timeout_mode == "drop":
                return Response(0, b"", drop=True)
            time.sleep(config.timeout_seconds)
        if server_error:
            return self.server_error_response(which_error)
        if storm:
            return self.rate_limited_response(config.retry_after_seconds)
        if route.needs_auth:
            with self.lock:
                self.authenticated_requests += 1
                every = config.token_expiry_every
                if dice.active and every and self.authenticated_requests % every == 0:
                    self.expire_tokens()
            self.authenticate(request)
            limited = self.check_limits(request)
            if limited is not None:
                return limited
        response = route.handler(request)
        response.truncate = truncate and len(response.body) > 1
        if config.hostile and dice.active:
            response = self._hostile(config, route, request, response)
        return response

    # ---------------------------------------------------------------- hostile mode
    def _hostile(
        self, config: FaultConfig, route: Route, request: Request, response: Response
    ) -> Response:
        case = config.hostile
        if case == "redirect_foreign" and route.needs_auth:
            target = config.foreign_url + request.path
            return Response(302, b"", {"Location": target})
        if case == "trickle_body" and route.needs_auth:
            response.trickle_seconds = config.trickle_seconds
            return response
        if response.status != 200 or not response.body.startswith(b"{"):
            return response
        payload = json.loads(response.body)
        changed = self.hostile_answer(str(case), config, route.template, request, payload)
        if changed is None:
            return response
        body = json.dumps(changed, ensure_ascii=False, separators=(",", ":")).encode()
        body = body.replace(b'"' + DEEP.encode() + b'"', b"[" * 10_000 + b"]" * 10_000)
        body = body.replace(b'"' + NOT_UTF8.encode() + b'"', b'"bad \xff\xfe bytes"')
        return Response(response.status, body, response.headers, response.content_type)

    def hostile_answer(
        self, case: str, config: FaultConfig, template: str, request: Request, payload: Any
    ) -> Any:
        """The vendor's answer as a hostile or broken vendor would send it (None = as is).

        `DEEP` and `NOT_UTF8` placed as string values become a 10,000-level array and bytes
        that are not UTF-8 in the body sent. Record mutations are applied once (`bad_record`).
        """
        return None

    def take_bulk_failure(self) -> bool:
        """True while fewer than `bulk_fail_jobs` bulk jobs have been failed since the faults
        were set (and the faults apply to this vendor)."""
        with self.lock:
            if not self.dice.active or self.bulk_failures >= self.faults.bulk_fail_jobs:
                return False
            self.bulk_failures += 1
            return True

    def bad_record_once(self) -> bool:
        """True the first time a record mutation is asked for since the faults were set."""
        with self.lock:
            if self.hostile_record_sent:
                return False
            self.hostile_record_sent = True
            return True

    def _match(self, request: Request) -> tuple[Route | None, Response | None]:
        allowed = False
        for route in self.routes:
            match = route.pattern.match(request.path)
            if match is None:
                continue
            if route.method != request.method:
                allowed = True
                continue
            request.path_params = match.groupdict()
            return route, None
        if allowed:
            return None, self.error_response(
                ApiError(405, "METHOD_NOT_ALLOWED", "Method not allowed")
            )
        return None, self.error_response(
            ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        )

    def _count(self, template: str, response: Response) -> None:
        with self._stats_lock:
            self.request_counts[template] += 1
            self.status_counts["dropped" if response.drop else str(response.status)] += 1

    # ---------------------------------------------------------------- vendor hooks
    def authenticate(self, request: Request) -> None:
        """Raise ApiError when the request's credentials are missing or invalid."""

    def check_limits(self, request: Request) -> Response | None:
        return None

    def expire_tokens(self) -> None:
        """Invalidate issued tokens (fault `token_expiry_every`)."""

    def decorate(self, response: Response) -> None:
        """Add headers every response of this vendor carries."""

    def error_response(self, error: ApiError) -> Response:
        return json_response(error.status, {"error": error.code, "message": error.message})

    def server_error_response(self, status: int) -> Response:
        return self.error_response(ApiError(status, "SERVER_ERROR", "Service unavailable"))

    def rate_limited_response(self, retry_after: int) -> Response:
        response = self.error_response(ApiError(429, "RATE_LIMITED", "Too many requests"))
        response.headers["Retry-After"] = str(retry_after)
        return response

    def mutate(self, modify: int, delete: int, create: int, seed: int) -> dict[str, Any]:
        raise NotImplementedError

    # ---------------------------------------------------------------- helpers
    @staticmethod
    def new_request_id() -> str:
        return uuid.uuid4().hex[:16]


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64
    fake: FakeServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up (or a fault that cut the connection) is not a server error.
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    def _trickle(self, response: Response) -> None:
        """One byte at a time until the body is out or the client hangs up."""
        self.close_connection = True
        try:
            for byte in response.body:
                self.wfile.write(bytes((byte,)))
                self.wfile.flush()
                time.sleep(response.trickle_seconds)
        except OSError:
            pass

    protocol_version = "HTTP/1.1"  # keep-alive, so a client's Session reuses connections
    disable_nagle_algorithm = True  # otherwise each keep-alive response stalls ~40 ms
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request logging: it would dominate a benchmark and could leak tokens."""

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers=self.headers,
            body=body,
        )
        try:
            response = self.server.fake.dispatch(request)
        except Exception as exc:  # a bug in the fake must still answer, visibly
            response = json_response(500, {"error": "fake_internal_error", "message": repr(exc)})
        self._send(response)

    def _send(self, response: Response) -> None:
        if response.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.truncate:
            self.send_header("Connection", "close")
        self.end_headers()
        if response.trickle_seconds:
            self._trickle(response)
            return
        if response.truncate:
            self.wfile.write(response.body[: len(response.body) // 2])
            self.wfile.flush()
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(response.body)

    do_GET = _handle
    do_POST = _handle
    do_PATCH = _handle
    do_DELETE = _handle
