"""Gong fake: HTTP Basic, /v2/users, /v2/calls, /v2/calls/extensive with cursors, 3 req/s."""

import base64
import binascii
import bisect
import copy
import hashlib
import json
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sandbox.fakes.base import (
    ApiError,
    FakeClock,
    FakeServer,
    Request,
    Response,
    SlidingWindow,
    dumps,
    json_response,
)
from sandbox.fakes.faults import FaultConfig
from sandbox.fakes.records import drop_nulls, read_jsonl

DEFAULT_CREDENTIALS = {"access_key": "sandbox-gong-key", "access_key_secret": "sandbox-gong-secret"}
PAGE_SIZE = 100
DRIFT_FIELD = "sandboxDrift"
NO_CALLS = "No calls found corresponding to the provided filters"
CONTENT_KEYS = (
    "structure",
    "topics",
    "trackers",
    "trackerOccurrences",
    "pointsOfInterest",
    "brief",
    "outline",
    "highlights",
    "callOutcome",
    "keyPoints",
)
# contentSelector.exposedFields.interaction flag -> key of CallData.interaction
INTERACTION_KEYS = {
    "speakers": "speakers",
    "video": "video",
    "personInteractionStats": "interactionStats",
    "questions": "questions",
}


def parse_datetime(text: str) -> datetime:
    text = text.strip().replace(" ", "+")
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class GongFake(FakeServer):
    source = "gong"
    default_credentials = DEFAULT_CREDENTIALS
    default_daily_quota = 10_000

    def __init__(
        self,
        data_dir: Path,
        clock: FakeClock,
        faults: FaultConfig | None = None,
        enforce_limits: bool = False,
        credentials: dict[str, str] | None = None,
        daily_quota: int | None = None,
    ) -> None:
        super().__init__(
            faults, enforce_limits, clock, credentials=credentials, daily_quota=daily_quota
        )
        self.window = SlidingWindow(3, clock.real_seconds(1))
        self.valid_keys = {self.credentials["access_key"]: self.credentials["access_key_secret"]}
        self.reject_next = False
        folder = data_dir / "gong"
        self.users = [drop_nulls(u) for u in read_jsonl(folder / "users.jsonl")]
        self.users_text = [dumps(u) for u in self.users]
        self.calls = [drop_nulls(c) for c in read_jsonl(folder / "calls.jsonl")]
        self._index_calls()
        self._created = 0
        self.route("GET", "/v2/users", self.list_users)
        self.route("GET", "/v2/calls", self.list_calls)
        self.route("POST", "/v2/calls/extensive", self.calls_extensive)

    def _index_calls(self) -> None:
        # Started times carry offsets (+09:00), so order by the instant, not the string.
        self.calls.sort(
            key=lambda c: (parse_datetime(c["metaData"]["started"]), c["metaData"]["id"])
        )
        self.call_starts = [parse_datetime(c["metaData"]["started"]) for c in self.calls]
        # (started in microseconds, id) per call, ascending: what cursors name and bisect on.
        self.call_keys = [self._call_key(i) for i in range(len(self.calls))]
        self.call_index = {c["metaData"]["id"]: i for i, c in enumerate(self.calls)}
        self.basic_text = [dumps(c["metaData"]) for c in self.calls]
        self.extensive_cache: dict[str, list[str]] = {}

    # ---------------------------------------------------------------- auth, limits, errors
    def authenticate(self, request: Request) -> None:
        status = 403 if request.path == "/v2/users" else 401
        header = request.headers.get("Authorization") or ""
        if not header.startswith("Basic "):
            raise ApiError(status, "unauthorized", "Missing Basic authorization")
        try:
            key, _, secret = base64.b64decode(header[6:]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise ApiError(status, "unauthorized", "Malformed Basic authorization") from exc
        with self.lock:
            valid = self.valid_keys.get(key) == secret and not self.reject_next
            self.reject_next = False
        if not valid:
            raise ApiError(status, "unauthorized", "Invalid access key or secret")

    def expire_tokens(self) -> None:
        # Gong keys do not expire; the closest event is one request refused as unauthorised.
        self.reject_next = True

    def check_limits(self, request: Request) -> Response | None:
        if not self.enforce_limits:
            return None
        wait = self.window.admit()
        with self.lock:
            self.calls_today += 1
            over_quota = self.calls_today > self.daily_quota
        if wait is not None:
            return self.rate_limited_response(max(1, round(wait + 0.499)))
        if over_quota:
            return self.rate_limited_response(3600)
        return None

    def error_response(self, error: ApiError) -> Response:
        return json_response(
            error.status, {"requestId": self.new_request_id(), "errors": [error.message]}
        )

    def server_error_response(self, status: int) -> Response:
        return self.error_response(ApiError(status, "server", "An error has occurred"))

    def rate_limited_response(self, retry_after: int) -> Response:
        response = self.error_response(ApiError(429, "limit", "API request limit exceeded"))
        response.headers["Retry-After"] = str(retry_after)
        return response

    # ---------------------------------------------------------------- paging helpers
    @staticmethod
    def _signature(parts: Any) -> str:
        return hashlib.sha1(dumps(parts).encode(), usedforsecurity=False).hexdigest()[:10]

    def _cursor_position(self, cursor: str | None, signature: str) -> str | None:
        """The position a cursor encodes, checked against the request it was issued for."""
        if not cursor:
            return None
        try:
            text = base64.urlsafe_b64decode(cursor + "==").decode()
        except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
            raise ApiError(400, "cursor", "Invalid cursor for this request") from exc
        found, _, position = text.partition(":")
        if found != signature or not position:
            raise ApiError(400, "cursor", "Invalid cursor for this request")
        return position

    @staticmethod
    def _cursor(signature: str, position: str) -> str:
        return base64.urlsafe_b64encode(f"{signature}:{position}".encode()).decode().rstrip("=")

    def _page(self, key: str, items: list[str], offset: int, next_cursor: str | None) -> Response:
        return self._page_of(
            key, items[offset : offset + PAGE_SIZE], offset, len(items), next_cursor
        )

    def _page_of(
        self, key: str, page: list[str], offset: int, total: int, next_cursor: str | None
    ) -> Response:
        if self.drift_active:
            page = [text[:-1] + f',"{DRIFT_FIELD}":"drift"}}' for text in page]
        records: dict[str, Any] = {
            "totalRecords": total,
            "currentPageSize": len(page),
            "currentPageNumber": offset // PAGE_SIZE,
        }
        if offset + PAGE_SIZE < total and next_cursor:
            records["cursor"] = next_cursor
        body = (
            f'{{"requestId":"{self.new_request_id()}","records":{dumps(records)},'
            f'"{key}":[' + ",".join(page) + "]}"
        )
        self.note_page(len(page))
        return Response(200, body.encode())

    def _call_page(
        self,
        key: str,
        indexes: range | list[int],
        texts: list[str],
        cursor: str | None,
        signature: str,
    ) -> Response:
        """A page of calls after the cursor's (started, id) position.

        The cursor names the last call served, not an offset, so calls created or deleted
        between two pages neither shift the next page nor skip a call. `indexes` are the
        selected calls in key order; a range (a date window) is bisected in place, so a page
        costs O(log n + page), not O(n).
        """
        position = self._cursor_position(cursor, signature)
        offset = 0
        if position is not None:
            micros, _, call_id = position.partition("|")
            try:
                after = (int(micros), call_id)
            except ValueError as exc:
                raise ApiError(400, "cursor", "Invalid cursor for this request") from exc
            if isinstance(indexes, range):
                found = bisect.bisect_right(self.call_keys, after, indexes.start, indexes.stop)
                offset = found - indexes.start
            else:
                offset = bisect.bisect_right([self.call_keys[i] for i in indexes], after)
        chosen = indexes[offset : offset + PAGE_SIZE]
        next_cursor = None
        if len(chosen):
            last = self.call_keys[chosen[-1]]
            next_cursor = self._cursor(signature, f"{last[0]}|{last[1]}")
        page = [texts[i] for i in chosen]
        return self._page_of(key, page, offset, len(indexes), next_cursor)

    def _call_key(self, index: int) -> tuple[int, str]:
        started = self.call_starts[index]
        micros = int(started.timestamp()) * 1_000_000 + started.microsecond
        return micros, self.calls[index]["metaData"]["id"]

    # ---------------------------------------------------------------- endpoints
    def list_users(self, request: Request) -> Response:
        signature = self._signature(["users"])
        position = self._cursor_position(request.param("cursor"), signature)
        if position is not None and not position.isdigit():
            raise ApiError(400, "cursor", "Invalid cursor for this request")
        offset = int(position or 0)
        return self._page(
            "users", self.users_text, offset, self._cursor(signature, str(offset + PAGE_SIZE))
        )

    def _select(
        self, from_text: str | None, to_text: str | None, call_ids: list[str] | None
    ) -> range | list[int]:
        """Indexes of the calls in [from, to) (and among call_ids), in key order."""
        try:
            start = parse_datetime(from_text) if from_text else None
            end = parse_datetime(to_text) if to_text else None
        except ValueError as exc:
            raise ApiError(400, "dates", "fromDateTime/toDateTime must be ISO-8601") from exc
        low = bisect.bisect_left(self.call_starts, start) if start is not None else 0
        high = bisect.bisect_left(self.call_starts, end) if end is not None else len(self.calls)
        chosen: range | list[int] = range(low, max(low, high))
        if call_ids:
            known = (self.call_index.get(str(i)) for i in dict.fromkeys(call_ids))
            chosen = sorted(i for i in known if i is not None and low <= i < high)
        if not len(chosen):
            raise ApiError(404, "not_found", NO_CALLS)
        return chosen

    def list_calls(self, request: Request) -> Response:
        from_text, to_text = request.param("fromDateTime"), request.param("toDateTime")
        signature = self._signature(["calls", from_text, to_text])
        with self.lock:
            indexes = self._select(from_text, to_text, None)
            return self._call_page(
                "calls", indexes, self.basic_text, request.param("cursor"), signature
            )

    def calls_extensive(self, request: Request) -> Response:
        try:
            body = request.json()
        except json.JSONDecodeError as exc:
            raise ApiError(400, "json", "Request body is not valid JSON") from exc
        if not isinstance(body, dict) or not isinstance(body.get("filter"), dict):
            raise ApiError(400, "filter", "filter is required")
        flt = body["filter"]
        call_ids = flt.get("callIds")
        if call_ids is not None and not isinstance(call_ids, list):
            raise ApiError(400, "filter", "callIds must be a list")
        selector = body.get("contentSelector") or {}
        signature = self._signature(["extensive", flt, selector])
        with self.lock:
            indexes = self._select(flt.get("fromDateTime"), flt.get("toDateTime"), call_ids)
            shaped = self._shaped_calls(selector)
            return self._call_page("calls", indexes, shaped, body.get("cursor"), signature)

    def _shaped_calls(self, selector: dict[str, Any]) -> list[str]:
        key = dumps(selector)
        cached = self.extensive_cache.get(key)
        if cached is None:
            cached = [dumps(project_call(call, selector)) for call in self.calls]
            self.extensive_cache[key] = cached
        return cached

    # ---------------------------------------------------------------- mutate
    def mutate(self, modify: int, delete: int, create: int, seed: int) -> dict[str, Any]:
        rng = random.Random(seed)
        touched: dict[str, list[str]] = {"modified": [], "deleted": [], "created": []}
        with self.lock:
            chosen = rng.sample(self.calls, min(len(self.calls), modify + delete))
            for index, call in enumerate(chosen):
                call_id = call["metaData"]["id"]
                if index < modify:
                    call["metaData"]["title"] = f"{call['metaData'].get('title') or ''} (updated)"
                    touched["modified"].append(call_id)
                else:
                    self.calls.remove(call)
                    touched["deleted"].append(call_id)
            for _ in range(create):
                if not self.calls:
                    break
                self._created += 1
                call = copy.deepcopy(rng.choice(self.calls))
                new_id = f"9{self._created:018d}"
                call["metaData"]["id"] = new_id
                call["metaData"]["started"] = self.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
                self.calls.append(call)
                touched["created"].append(new_id)
            self._index_calls()
        return {"calls": touched}


def project_call(call: dict[str, Any], selector: dict[str, Any]) -> dict[str, Any]:
    """Keep only what the contentSelector asks for, as Gong does."""
    exposed = selector.get("exposedFields") or {}
    shaped: dict[str, Any] = {"metaData": call["metaData"]}
    if selector.get("context") in ("Basic", "Extended") and "context" in call:
        shaped["context"] = call["context"]
    if exposed.get("parties") and "parties" in call:
        shaped["parties"] = call["parties"]
    if exposed.get("media") and "media" in call:
        shaped["media"] = call["media"]
    content_flags = exposed.get("content") or {}
    content = {k: v for k, v in (call.get("content") or {}).items() if content_flags.get(k)}
    if content:
        shaped["content"] = content
    interaction_flags = exposed.get("interaction") or {}
    interaction = {
        data_key: call["interaction"][data_key]
        for flag, data_key in INTERACTION_KEYS.items()
        if interaction_flags.get(flag) and data_key in (call.get("interaction") or {})
    }
    if interaction:
        shaped["interaction"] = interaction
    if (exposed.get("collaboration") or {}).get("publicComments") and "collaboration" in call:
        shaped["collaboration"] = call["collaboration"]
    return shaped
