"""Gong fake: HTTP Basic, /v2/users, /v2/calls, /v2/calls/extensive with cursors, 3 req/s.

Calls are held as their compact JSON (UTF-8, nulls dropped) plus a few columns for paging, not
as dicts: a page parses only the calls it serves, so memory stays near the size of calls.jsonl.
"""

import base64
import binascii
import bisect
import hashlib
import json
import random
from array import array
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, overload

from sandbox.fakes.base import (
    DEEP,
    NOT_UTF8,
    ApiError,
    FakeServer,
    Request,
    Response,
    SlidingWindow,
    dumps,
    json_response,
)
from sandbox.fakes.data_files import drop_nulls, iter_jsonl, read_jsonl, without_nulls
from sandbox.fakes.faults import FaultConfig

DEFAULT_CREDENTIALS = {"access_key": "sandbox-gong-key", "access_key_secret": "sandbox-gong-secret"}
PAGE_SIZE = 100
DRIFT_FIELD = "sandboxDrift"
DRIFT_SUFFIX = f',"{DRIFT_FIELD}":"drift"}}'.encode()
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


def instant_micros(moment: datetime) -> int:
    """Microseconds since the epoch: what cursors name, and what date windows bisect on."""
    return int(moment.timestamp()) * 1_000_000 + moment.microsecond


def serialise_call(call: dict[str, Any]) -> tuple[bytes, int, int]:
    """The call's compact JSON and the span of its metaData text in it (what /v2/calls serves)."""
    text = dumps(call).encode()
    meta = dumps(call["metaData"]).encode()
    # Any match of the prefix plus that exact text spans that text, so the first one will do.
    start = text.index(b'"metaData":' + meta) + len(b'"metaData":')
    return text, start, start + len(meta)


class CallStore:
    """Calls in (start instant, id) order, each its JSON text plus small columns for paging.

    A dict per call cost ~8x the file's size; the text is ~0.9x, the columns ~200 bytes a call.
    """

    def __init__(self) -> None:
        self.texts: list[bytes] = []
        # Start instants: times carry offsets (+09:00), so calls are ordered by these, not by
        # the strings; sorted, so date windows bisect on them.
        self.micros = array("q")
        self.ids: list[str] = []
        self.meta_start = array("I")  # where metaData lies in texts[i]
        self.meta_end = array("I")
        self.index: dict[str, int] = {}  # id -> position

    def __len__(self) -> int:
        return len(self.texts)

    def key(self, position: int) -> tuple[int, str]:
        return self.micros[position], self.ids[position]

    def call(self, position: int) -> dict[str, Any]:
        return json.loads(self.texts[position])

    def basic_text(self, position: int) -> bytes:
        """What /v2/calls serves: the call's metaData."""
        return self.texts[position][self.meta_start[position] : self.meta_end[position]]

    def append(self, call: dict[str, Any]) -> None:
        """Add a call at the end; settle() puts it in its place."""
        text, start, end = serialise_call(call)
        self.texts.append(text)
        self.micros.append(instant_micros(parse_datetime(call["metaData"]["started"])))
        self.ids.append(call["metaData"]["id"])
        self.meta_start.append(start)
        self.meta_end.append(end)

    def rewrite(self, position: int, call: dict[str, Any]) -> None:
        """New content for the call at `position`, whose id and start stay the same."""
        text, start, end = serialise_call(call)
        self.texts[position] = text
        self.meta_start[position] = start
        self.meta_end[position] = end

    def delete(self, positions: set[int]) -> None:
        if positions:
            self._take([i for i in range(len(self)) if i not in positions])

    def settle(self, first_new: int = 0) -> None:
        """Restore key order after calls were appended from `first_new` on; rebuild the index."""
        if any(self.key(i - 1) > self.key(i) for i in range(max(1, first_new), len(self))):
            # Stable, as a sort of the old list with the new calls at its end would be.
            self._take(sorted(range(len(self)), key=self.key))
        else:
            self.index = {call_id: i for i, call_id in enumerate(self.ids)}

    def _take(self, rows: list[int]) -> None:
        """Keep only these rows, in this order."""
        self.texts = [self.texts[i] for i in rows]
        self.ids = [self.ids[i] for i in rows]
        self.micros = array("q", (self.micros[i] for i in rows))
        self.meta_start = array("I", (self.meta_start[i] for i in rows))
        self.meta_end = array("I", (self.meta_end[i] for i in rows))
        self.index = {call_id: i for i, call_id in enumerate(self.ids)}


class CallsView(Sequence[dict[str, Any]]):
    """Read-only list of the calls: each parsed on access, so changing one changes nothing."""

    def __init__(self, store: CallStore) -> None:
        self._store = store

    def __len__(self) -> int:
        return len(self._store)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        texts = self._store.texts
        if isinstance(index, slice):
            return [json.loads(text) for text in texts[index]]
        return json.loads(texts[index])


class GongFake(FakeServer):
    source = "gong"
    default_credentials = DEFAULT_CREDENTIALS
    base_url_variable = "GONG_BASE_URL"
    credential_variables: ClassVar[dict[str, str]] = {
        "GONG_ACCESS_KEY": "access_key",
        "GONG_ACCESS_KEY_SECRET": "access_key_secret",
    }
    default_daily_quota = 10_000

    def load(self, data_dir: Path) -> None:
        self.window = SlidingWindow(3, self.clock.real_seconds(1))
        self.valid_keys = {self.credentials["access_key"]: self.credentials["access_key_secret"]}
        self.reject_next = False
        folder = data_dir / "gong"
        self.users = [drop_nulls(u) for u in read_jsonl(folder / "users.jsonl")]
        self.users_text = [dumps(u).encode() for u in self.users]
        self.store = CallStore()
        # Streamed: each call's dict lives only while its line is re-serialised.
        for call in iter_jsonl(folder / "calls.jsonl", object_hook=without_nulls):
            self.store.append(call)
        self.store.settle()
        self._created = 0
        self.route("GET", "/v2/users", self.list_users)
        self.route("GET", "/v2/calls", self.list_calls)
        self.route("POST", "/v2/calls/extensive", self.calls_extensive)

    @property
    def calls(self) -> CallsView:
        """The calls in key order, parsed on access (tests and tools; endpoints use the store)."""
        return CallsView(self.store)

    def remove_calls(self, call_ids: Iterable[str]) -> list[bytes]:
        """Take calls out as mutate() deletes them; restore_calls() takes the result back."""
        with self.lock:
            positions = {self.store.index[i] for i in call_ids if i in self.store.index}
            removed = [self.store.texts[i] for i in sorted(positions)]
            self.store.delete(positions)
            return removed

    def restore_calls(self, texts: list[bytes]) -> None:
        with self.lock:
            first_new = len(self.store)
            for text in texts:
                self.store.append(json.loads(text))
            self.store.settle(first_new)

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

    def _page(self, key: str, items: list[bytes], offset: int, next_cursor: str | None) -> Response:
        return self._page_of(
            key, items[offset : offset + PAGE_SIZE], offset, len(items), next_cursor
        )

    def _page_of(
        self, key: str, page: list[bytes], offset: int, total: int, next_cursor: str | None
    ) -> Response:
        if self.drift_active:
            page = [text[:-1] + DRIFT_SUFFIX for text in page]
        records: dict[str, Any] = {
            "totalRecords": total,
            "currentPageSize": len(page),
            "currentPageNumber": offset // PAGE_SIZE,
        }
        if offset + PAGE_SIZE < total and next_cursor:
            records["cursor"] = next_cursor
        head = f'{{"requestId":"{self.new_request_id()}","records":{dumps(records)},"{key}":['
        body = head.encode() + b",".join(page) + b"]}"
        self.note_page(len(page))
        return Response(200, body)

    def _call_page(
        self,
        key: str,
        indexes: range | list[int],
        render: Callable[[int], bytes],
        cursor: str | None,
        signature: str,
    ) -> Response:
        """A page of calls after the cursor's (started, id) position.

        The cursor names the last call served, not an offset, so calls created or deleted
        between two pages neither shift the next page nor skip a call. `indexes` are the
        selected calls in key order; a range (a date window) is bisected in place, so a page
        costs O(log n + page), not O(n). `render` gives the text of the call at a position.
        """
        position = self._cursor_position(cursor, signature)
        offset = 0
        if position is not None:
            micros, _, call_id = position.partition("|")
            try:
                after = (int(micros), call_id)
            except ValueError as exc:
                raise ApiError(400, "cursor", "Invalid cursor for this request") from exc
            offset = bisect.bisect_right(indexes, after, key=self.store.key)
        chosen = indexes[offset : offset + PAGE_SIZE]
        next_cursor = None
        if len(chosen):
            last = self.store.key(chosen[-1])
            next_cursor = self._cursor(signature, f"{last[0]}|{last[1]}")
        page = [render(i) for i in chosen]
        return self._page_of(key, page, offset, len(indexes), next_cursor)

    # ---------------------------------------------------------------- endpoints
    def hostile_answer(
        self, case: str, config: FaultConfig, template: str, request: Request, payload: Any
    ) -> Any:
        key = {"/v2/users": "users", "/v2/calls": "calls", "/v2/calls/extensive": "calls"}.get(
            template
        )
        items = payload.get(key) if key else None
        if not isinstance(items, list):
            return None
        if case == "repeat_cursor":
            # The cursor asked with comes back: paging that never advances.
            asked = request.param("cursor")
            if asked is None and request.body:
                asked = (request.json() or {}).get("cursor")
            cursor = asked or (payload.get("records") or {}).get("cursor")
            if cursor is None:
                return None
            return {**payload, "records": {**payload.get("records", {}), "cursor": cursor}}
        if key != "calls" or not items or not self.bad_record_once():
            return None
        bad = json.loads(json.dumps(items[0]))
        meta = bad.setdefault("metaData", {})
        if case == "future_modstamp":
            meta["started"] = "2999-01-01T00:00:00Z"
        elif case == "deep_json":
            bad["sandboxDeep"] = DEEP
        elif case == "invalid_utf8":
            meta["title"] = NOT_UTF8
        elif case == "wrong_typed_ids":
            meta["id"] = [1, 2]
        else:
            return None
        return {**payload, key: [bad, *items[1:]]}

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
        starts = self.store.micros
        low = bisect.bisect_left(starts, instant_micros(start)) if start is not None else 0
        high = bisect.bisect_left(starts, instant_micros(end)) if end is not None else len(starts)
        chosen: range | list[int] = range(low, max(low, high))
        if call_ids:
            known = (self.store.index.get(str(i)) for i in dict.fromkeys(call_ids))
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
                "calls", indexes, self.store.basic_text, request.param("cursor"), signature
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
            return self._call_page(
                "calls",
                indexes,
                lambda i: dumps(project_call(self.store.call(i), selector)).encode(),
                body.get("cursor"),
                signature,
            )

    # ---------------------------------------------------------------- mutate
    def mutate(self, modify: int, delete: int, create: int, seed: int) -> dict[str, Any]:
        # Draws from rng exactly as sampling and choosing among the call list did when calls
        # were dicts (sorted calls, the deleted taken out, the created appended), so a seed
        # touches the same calls as before.
        rng = random.Random(seed)
        touched: dict[str, list[str]] = {"modified": [], "deleted": [], "created": []}
        store = self.store
        with self.lock:
            chosen = rng.sample(range(len(store)), min(len(store), modify + delete))
            for position in chosen[:modify]:
                call = store.call(position)
                call["metaData"]["title"] = f"{call['metaData'].get('title') or ''} (updated)"
                store.rewrite(position, call)
                touched["modified"].append(store.ids[position])
            touched["deleted"] = [store.ids[i] for i in chosen[modify:]]
            store.delete(set(chosen[modify:]))
            first_new = len(store)
            for _ in range(create):
                if not len(store):
                    break
                self._created += 1
                call = json.loads(rng.choice(store.texts))  # a fresh copy of the template
                new_id = f"9{self._created:018d}"
                call["metaData"]["id"] = new_id
                call["metaData"]["started"] = self.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
                store.append(call)
                touched["created"].append(new_id)
            store.settle(first_new)
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
