"""Marketo fake: identity token, activity types, paging tokens, activities, lead changes,
deleted leads and leads by filter, with Marketo's HTTP-200 error envelope and limits."""

import base64
import bisect
import heapq
import json
import random
import secrets
import time
from array import array
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs

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
from sandbox.fakes.data_files import iter_jsonl, read_jsonl, without_nulls
from sandbox.fakes.faults import FaultConfig
from sandbox.fakes.marketo_bulk import BulkExports

DEFAULT_CREDENTIALS = {"client_id": "sandbox-mkto-client", "client_secret": "sandbox-mkto-secret"}
TOKEN_LIFETIME_SECONDS = 3600
PAGE_SIZE = 300
# A page stops after scanning this many activities, as Marketo returns short pages with moreResult.
MAX_SCAN = PAGE_SIZE * 20
MAX_TYPE_IDS = 10
MAX_FILTER_VALUES = 300
MAX_LEAD_MATCHES = 1000
DEFAULT_LEAD_FIELDS = ["id", "email", "updatedAt", "createdAt", "firstName", "lastName"]
DRIFT_FIELD = "sandboxDrift"
NEW_LEAD, CHANGE_DATA_VALUE, DELETE_LEAD = 12, 13, 37
EDITABLE_LEAD_FIELDS = ("title", "leadScore", "phone")

ERROR_MESSAGES = {
    "601": "Access token invalid",
    "602": "Access token expired",
    "606": "Max rate limit '100' exceeded with in '20' secs",
    "607": "Daily quota reached",
    "608": "API Temporarily Unavailable",
    "611": "System error",
    "615": "Concurrent access limit reached",
}


def format_marketo_datetime(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datetime(text: str) -> datetime:
    text = text.strip().replace(" ", "+")  # a '+' in a query string arrives as a space
    if len(text) >= 5 and text[-5] in "+-" and text[-3] != ":":
        text = text[:-2] + ":" + text[-2:]
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _encode_token(kind: str, position: int) -> str:
    raw = f"{kind}:{position}".encode()
    return base64.b32encode(raw).decode().rstrip("=")


def _decode_token(token: str, kind: str) -> int:
    try:
        padded = token + "=" * (-len(token) % 8)
        found, _, position = base64.b32decode(padded).decode().partition(":")
        if found != kind:
            raise ValueError(kind)
        return int(position)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(200, "1003", "Invalid value for nextPageToken") from exc


def _sorted_activities(path: Path) -> Iterator[tuple[tuple[float, int], dict[str, Any]]]:
    """((time, id), activity) in file order, checking the order the data dir promises."""
    previous: tuple[float, int] | None = None
    for activity in iter_jsonl(path, object_hook=without_nulls):
        key = (parse_datetime(activity["activityDate"]).timestamp(), int(activity["id"]))
        if previous is not None and key < previous:
            raise ValueError(f"{path}: not sorted by (activityDate, id) at id {activity['id']}")
        previous = key
        yield key, activity


ACTIVITY_LISTINGS = (
    "/rest/v1/activities.json",
    "/rest/v1/activities/deletedleads.json",
    "/rest/v1/activities/leadchanges.json",
)


class MarketoFake(FakeServer):
    source = "marketo"
    default_credentials = DEFAULT_CREDENTIALS
    base_url_variable = "MARKETO_BASE_URL"
    credential_variables: ClassVar[dict[str, str]] = {
        "MARKETO_CLIENT_ID": "client_id",
        "MARKETO_CLIENT_SECRET": "client_secret",
    }
    default_daily_quota = 50_000

    def load(self, data_dir: Path) -> None:
        self.window = SlidingWindow(100, self.clock.real_seconds(20))
        self.tokens: dict[str, float] = {}  # token -> monotonic expiry
        folder = data_dir / "marketo"
        self.activity_types = json.loads((folder / "activity_types.json").read_text("utf-8"))
        self.leads: list[dict[str, Any]] = read_jsonl(folder / "leads.jsonl")
        self.leads_by_id = {int(lead["id"]): lead for lead in self.leads}
        self.lead_fields = sorted({name for lead in self.leads for name in lead})
        # Activities are ~90 % of a world: kept as their JSON text plus compact columns for the
        # page scan (a dict per activity cost 3.3 GB at 100k leads; text and arrays ~0.5 GB).
        self.activity_text: list[str] = []
        self.activity_times = array("d")
        self.activity_type_ids = array("i")
        self.activity_lead_ids = array("q")
        self.max_activity_id = 0
        files = [folder / "activities.jsonl", folder / "deleted_leads.jsonl"]
        # Both files are sorted by (activityDate, id); the generator keeps Delete Lead
        # activities (type 37) in a file of their own, merged here into one stream.
        streams = [_sorted_activities(path) for path in files if path.exists()]
        for (moment, _), activity in heapq.merge(*streams, key=lambda item: item[0]):
            self._append_activity(activity, moment)
        self.route("GET", "/identity/oauth/token", self.token, needs_auth=False)
        self.route("POST", "/identity/oauth/token", self.token, needs_auth=False)
        self.route("GET", "/rest/v1/activities/types.json", self.types)
        self.route("GET", "/rest/v1/activities/pagingtoken.json", self.paging_token)
        self.route("GET", "/rest/v1/activities.json", self.activities_page)
        self.route("GET", "/rest/v1/activities/leadchanges.json", self.lead_changes)
        self.route("GET", "/rest/v1/activities/deletedleads.json", self.deleted_leads)
        self.route("GET", "/rest/v1/leads.json", self.leads_by_filter)
        self.route("GET", "/rest/v1/leads/describe.json", self.describe_leads)
        self.route("GET", "/rest/v1/lead/{lead_id}.json", self.lead_by_id)
        self.bulk = BulkExports(self)

    def _append_activity(self, activity: dict[str, Any], moment: float | None = None) -> None:
        """`moment`: activityDate as epoch seconds, when the caller parsed it already."""
        self.max_activity_id = max(self.max_activity_id, int(activity["id"]))
        if moment is None:
            moment = parse_datetime(activity["activityDate"]).timestamp()
        self.activity_times.append(moment)
        self.activity_type_ids.append(int(activity["activityTypeId"]))
        self.activity_lead_ids.append(int(activity["leadId"]))
        self.activity_text.append(dumps(activity))

    def _activity(self, index: int) -> dict[str, Any]:
        return json.loads(self.activity_text[index])

    def export_rows(
        self,
        kind: str,
        by: str,
        start: datetime,
        end: datetime,
        type_ids: set[int] | None,
    ) -> Iterator[dict[str, Any]]:
        """What a Bulk Extract job of `kind` exports: activities created in [start, end) (of
        the given types), or leads whose `by` (createdAt or updatedAt) lies in it."""
        if kind == "activities":
            with self.lock:
                first = bisect.bisect_left(self.activity_times, start.timestamp())
                last = bisect.bisect_left(self.activity_times, end.timestamp())
                picked = [
                    i
                    for i in range(first, last)
                    if type_ids is None or self.activity_type_ids[i] in type_ids
                ]
            for index in picked:
                yield self._activity(index)
            return
        with self.lock:
            leads = list(self.leads)
        for lead in leads:
            stamp = lead.get(by)
            if stamp and start <= parse_datetime(stamp) < end:
                yield lead

    # ---------------------------------------------------------------- auth, limits, errors
    def token(self, request: Request) -> Response:
        form = dict(request.query)
        if request.body:
            form.update(parse_qs(request.body.decode("utf-8", "replace")))
        value = {k: v[0] for k, v in form.items() if v}
        if value.get("grant_type") != "client_credentials" or (
            value.get("client_id"),
            value.get("client_secret"),
        ) != (self.credentials["client_id"], self.credentials["client_secret"]):
            return json_response(
                401, {"error": "invalid_client", "error_description": "Bad client credentials"}
            )
        now = time.monotonic()
        with self.lock:
            # Marketo hands back the same token, with its remaining life, until it expires.
            live = [(t, exp) for t, exp in self.tokens.items() if exp > now]
            if live:
                token, expiry = live[0]
            else:
                token = f"{secrets.token_hex(4)}-{secrets.token_hex(2)}-sandbox:int"
                expiry = now + self.clock.real_seconds(TOKEN_LIFETIME_SECONDS)
                self.tokens[token] = expiry
        remaining = max(0, int((expiry - now) * self.clock.speed))
        return json_response(
            200,
            {
                "access_token": token,
                "token_type": "bearer",
                "expires_in": remaining,
                "scope": "etl@sandbox.example",
            },
        )

    def authenticate(self, request: Request) -> None:
        header = request.headers.get("Authorization") or ""
        token = header.removeprefix("Bearer ").strip() or (request.param("access_token") or "")
        with self.lock:
            expiry = self.tokens.get(token)
        if expiry is None:
            raise ApiError(200, "601", ERROR_MESSAGES["601"])
        if expiry <= time.monotonic():
            raise ApiError(200, "602", ERROR_MESSAGES["602"])

    def expire_tokens(self) -> None:
        # Expired, not forgotten: the next call gets 602 as after 3600 s.
        now = time.monotonic()
        self.tokens = dict.fromkeys(self.tokens, now - 1)

    def check_limits(self, request: Request) -> Response | None:
        if not self.enforce_limits:
            return None
        with self.lock:
            busy = self.in_flight > 10
            self.calls_today += 1
            over_quota = self.calls_today > self.daily_quota
        if busy:
            return self.error_response(ApiError(200, "615", ERROR_MESSAGES["615"]))
        wait = self.window.admit()
        if wait is not None:
            return self.rate_limited_response(max(1, round(wait)))
        if over_quota:
            return self.error_response(ApiError(200, "607", ERROR_MESSAGES["607"]))
        return None

    def error_response(self, error: ApiError) -> Response:
        status = 200 if error.code.isdigit() else error.status
        return json_response(
            status,
            {
                "requestId": self.new_request_id(),
                "success": False,
                "result": [],
                "errors": [{"code": error.code, "message": error.message}],
                "warnings": [],
            },
        )

    def server_error_response(self, status: int) -> Response:
        code = "608" if status == 503 else "611"
        response = self.error_response(ApiError(status, code, ERROR_MESSAGES[code]))
        response.status = status
        return response

    def rate_limited_response(self, retry_after: int) -> Response:
        response = self.error_response(ApiError(200, "606", ERROR_MESSAGES["606"]))
        response.headers["Retry-After"] = str(retry_after)
        return response

    def _envelope(self, result_items: list[str], **extra: Any) -> Response:
        head = f'{{"requestId":"{self.new_request_id()}","success":true'
        for key, value in extra.items():
            head += f",{json.dumps(key)}:{json.dumps(value)}"
        body = head + ',"errors":[],"warnings":[],"result":[' + ",".join(result_items) + "]}"
        return Response(200, body.encode())

    def _drifted(self, items: list[str]) -> list[str]:
        if not self.drift_active:
            return items
        return [text[:-1] + f',"{DRIFT_FIELD}":"drift"}}' for text in items]

    # ---------------------------------------------------------------- activities
    def types(self, request: Request) -> Response:
        return self._envelope([dumps(t) for t in self.activity_types])

    def paging_token(self, request: Request) -> Response:
        since = request.param("sinceDatetime")
        if not since:
            raise ApiError(200, "701", "'sinceDatetime' cannot be blank")
        try:
            moment = parse_datetime(since).timestamp()
        except ValueError as exc:
            raise ApiError(200, "704", "Invalid date format for 'sinceDatetime'") from exc
        with self.lock:
            position = bisect.bisect_left(self.activity_times, moment)
        return self._envelope([], nextPageToken=_encode_token("A", position))

    def _scan(
        self, request: Request, type_ids: set[int], lead_ids: set[int] | None
    ) -> tuple[list[int], int, bool]:
        token = request.param("nextPageToken")
        if not token:
            raise ApiError(200, "701", "'nextPageToken' cannot be blank")
        position = _decode_token(token, "A")
        batch = int(request.param("batchSize") or PAGE_SIZE)
        batch = max(1, min(PAGE_SIZE, batch))
        found: list[int] = []
        with self.lock:
            end = len(self.activity_text)
            index = position
            limit = min(end, position + MAX_SCAN)
            kinds, leads = self.activity_type_ids, self.activity_lead_ids
            while index < limit and len(found) < batch:
                if kinds[index] in type_ids and (lead_ids is None or leads[index] in lead_ids):
                    found.append(index)
                index += 1
        return found, index, index < end

    def hostile_answer(
        self, case: str, config: FaultConfig, template: str, request: Request, payload: Any
    ) -> Any:
        records = payload.get("result")
        if template not in ACTIVITY_LISTINGS and template != "/rest/v1/leads.json":
            return None
        if not isinstance(records, list):
            return None
        if case == "repeat_cursor" and template in ACTIVITY_LISTINGS:
            # The token asked with comes back, with more to come: paging that never advances.
            token = request.param("nextPageToken") or payload.get("nextPageToken")
            return {**payload, "moreResult": True, "nextPageToken": token}
        if not records or not self.bad_record_once():
            return None
        bad = dict(records[0])
        if case == "future_modstamp" and "activityDate" in bad:
            bad["activityDate"] = "2999-01-01T00:00:00Z"
        elif case == "deep_json":
            bad["sandboxDeep"] = DEEP
        elif case == "invalid_utf8":
            bad["sandboxText"] = NOT_UTF8
        elif case == "wrong_typed_ids" and "leadId" in bad:
            bad["leadId"] = "abc"
        elif case == "wrong_typed_ids":
            bad["id"] = {"not": "an id"}
        else:
            self.hostile_record_sent = False  # not this page: the next one that fits
            return None
        return {**payload, "result": [bad, *records[1:]]}

    def activities_page(self, request: Request) -> Response:
        try:
            type_ids = {int(v) for v in request.params("activityTypeIds")}
            lead_ids = {int(v) for v in request.params("leadIds")} or None
        except ValueError as exc:
            raise ApiError(200, "1003", "activityTypeIds and leadIds must be integers") from exc
        if not type_ids:
            raise ApiError(200, "1003", "'activityTypeIds' is required")
        if len(type_ids) > MAX_TYPE_IDS:
            raise ApiError(200, "1003", f"At most {MAX_TYPE_IDS} activityTypeIds are allowed")
        found, next_position, more = self._scan(request, type_ids, lead_ids)
        items = self._drifted([self.activity_text[i] for i in found])
        self.note_page(len(items))
        return self._envelope(
            items, nextPageToken=_encode_token("A", next_position), moreResult=more
        )

    def deleted_leads(self, request: Request) -> Response:
        found, next_position, more = self._scan(request, {DELETE_LEAD}, None)
        items = []
        for index in found:
            activity = self._activity(index)
            items.append(
                dumps(
                    {
                        key: activity[key]
                        for key in (
                            "id",
                            "marketoGUID",
                            "leadId",
                            "activityDate",
                            "activityTypeId",
                            "primaryAttributeValueId",
                            "primaryAttributeValue",
                            "attributes",
                        )
                        if key in activity
                    }
                )
            )
        items = self._drifted(items)
        self.note_page(len(items))
        return self._envelope(
            items, nextPageToken=_encode_token("A", next_position), moreResult=more
        )

    def lead_changes(self, request: Request) -> Response:
        wanted = {_normalise(f) for f in request.params("fields")}
        if not wanted:
            raise ApiError(200, "701", "'fields' cannot be blank")
        found, next_position, more = self._scan(request, {NEW_LEAD, CHANGE_DATA_VALUE}, None)
        items = []
        for index in found:
            activity = self._activity(index)
            changes = []
            if activity["activityTypeId"] == CHANGE_DATA_VALUE:
                name = str(activity.get("primaryAttributeValue") or "")
                if _normalise(name) not in wanted:
                    continue
                attributes = {a["name"]: a.get("value") for a in activity.get("attributes", [])}
                changes.append(
                    {
                        "id": activity.get("primaryAttributeValueId") or 0,
                        "name": name,
                        "newValue": attributes.get("New Value"),
                        "oldValue": attributes.get("Old Value"),
                    }
                )
            item = {
                key: activity[key]
                for key in (
                    "id",
                    "marketoGUID",
                    "leadId",
                    "activityDate",
                    "activityTypeId",
                    "campaignId",
                    "attributes",
                )
                if key in activity
            }
            item["fields"] = changes
            items.append(dumps(item))
        items = self._drifted(items)
        self.note_page(len(items))
        return self._envelope(
            items, nextPageToken=_encode_token("A", next_position), moreResult=more
        )

    # ---------------------------------------------------------------- leads
    def _fields(self, request: Request) -> list[str]:
        fields = request.params("fields") or DEFAULT_LEAD_FIELDS
        known = {f.lower(): f for f in self.lead_fields}
        unknown = [f for f in fields if f.lower() not in known]
        if unknown:
            raise ApiError(200, "1006", f"Field '{unknown[0]}' not found")
        return [known[f.lower()] for f in fields]

    def _shape(self, lead: dict[str, Any], fields: list[str]) -> str:
        shaped = {"id": lead["id"]}
        for name in fields:
            shaped[name] = lead.get(name)
        if self.drift_active:
            shaped[DRIFT_FIELD] = "drift"
        return dumps(shaped)

    def leads_by_filter(self, request: Request) -> Response:
        filter_type = request.param("filterType")
        values = request.params("filterValues")
        if not filter_type or not values:
            raise ApiError(200, "1003", "filterType and filterValues are required")
        if len(values) > MAX_FILTER_VALUES:
            raise ApiError(200, "1003", f"At most {MAX_FILTER_VALUES} filterValues are allowed")
        fields = self._fields(request)
        known = {f.lower(): f for f in self.lead_fields}
        key = known.get(filter_type.lower())
        if key is None:
            raise ApiError(200, "1003", f"Invalid filterType '{filter_type}'")
        with self.lock:
            if key == "id":
                try:
                    ids = [int(v) for v in values]
                except ValueError as exc:
                    raise ApiError(200, "1003", "Invalid id value") from exc
                matches = [self.leads_by_id[i] for i in dict.fromkeys(ids) if i in self.leads_by_id]
            else:
                wanted = {v.lower() for v in values}
                matches = [lead for lead in self.leads if str(lead.get(key, "")).lower() in wanted]
            if len(matches) > MAX_LEAD_MATCHES:
                raise ApiError(200, "1003", "Too many results match the filter")
            offset = (
                _decode_token(request.param("nextPageToken"), "L")
                if request.param("nextPageToken")
                else 0
            )
            batch = max(1, min(PAGE_SIZE, int(request.param("batchSize") or PAGE_SIZE)))
            page = [self._shape(lead, fields) for lead in matches[offset : offset + batch]]
        self.note_page(len(page))
        extra: dict[str, Any] = {}
        if offset + batch < len(matches):
            extra = {"nextPageToken": _encode_token("L", offset + batch), "moreResult": True}
        return self._envelope(page, **extra)

    def lead_by_id(self, request: Request) -> Response:
        try:
            lead_id = int(request.path_params["lead_id"])
        except ValueError as exc:
            raise ApiError(200, "1003", "Invalid lead id") from exc
        fields = self._fields(request)
        with self.lock:
            lead = self.leads_by_id.get(lead_id)
            items = [self._shape(lead, fields)] if lead else []
        return self._envelope(items)

    def describe_leads(self, request: Request) -> Response:
        items = []
        sample = self.leads[0] if self.leads else {}
        for number, name in enumerate(self.lead_fields, start=1):
            value = sample.get(name)
            data_type = (
                "integer"
                if isinstance(value, int) and not isinstance(value, bool)
                else "boolean"
                if isinstance(value, bool)
                else "datetime"
                if name.endswith("At")
                else "string"
            )
            items.append(
                dumps(
                    {
                        "id": number,
                        "displayName": name,
                        "dataType": data_type,
                        "rest": {
                            "name": name,
                            "readOnly": name in ("id", "createdAt", "updatedAt"),
                        },
                        "soap": {
                            "name": name,
                            "readOnly": name in ("id", "createdAt", "updatedAt"),
                        },
                    }
                )
            )
        return self._envelope(items)

    # ---------------------------------------------------------------- mutate
    def _next_activity(self, lead: dict[str, Any], type_id: int, **fields: Any) -> None:
        next_id = self.max_activity_id + 1
        activity = {
            "id": next_id,
            "marketoGUID": f"00000000-0000-4001-8000-{next_id:012x}",
            "leadId": lead["id"],
            "activityDate": lead["updatedAt"],
            "activityTypeId": type_id,
            "attributes": [],
            **fields,
        }
        self._append_activity(activity)

    def mutate(self, modify: int, delete: int, create: int, seed: int) -> dict[str, Any]:
        rng = random.Random(seed)
        touched: dict[str, list[int]] = {"modified": [], "deleted": [], "created": []}
        with self.lock:
            chosen = rng.sample(self.leads, min(len(self.leads), modify + delete))
            for index, lead in enumerate(chosen):
                stamp = format_marketo_datetime(self.clock.now())
                if index < modify:
                    field = next((f for f in EDITABLE_LEAD_FIELDS if f in lead), None)
                    old = lead.get(field) if field else None
                    new: Any = None
                    if field is not None:
                        new = (old + 1) if isinstance(old, int) else f"{old or ''} (updated)"
                        lead[field] = new
                    lead["updatedAt"] = stamp
                    self._next_activity(
                        lead,
                        CHANGE_DATA_VALUE,
                        primaryAttributeValueId=0,
                        primaryAttributeValue=field or "updatedAt",
                        attributes=[
                            {"name": "New Value", "value": new},
                            {"name": "Old Value", "value": old},
                            {"name": "Reason", "value": "sandbox mutate"},
                        ],
                    )
                    touched["modified"].append(lead["id"])
                else:
                    self.leads.remove(lead)
                    del self.leads_by_id[int(lead["id"])]
                    lead = {**lead, "updatedAt": stamp}
                    self._next_activity(
                        lead,
                        DELETE_LEAD,
                        primaryAttributeValueId=lead["id"],
                        primaryAttributeValue=str(lead.get("email") or lead["id"]),
                        attributes=[{"name": "Source", "value": "sandbox mutate"}],
                    )
                    touched["deleted"].append(lead["id"])
            for _ in range(create):
                if not self.leads_by_id:
                    break
                template = rng.choice(self.leads)
                stamp = format_marketo_datetime(self.clock.now())
                new_id = max(self.leads_by_id) + 1
                lead = {**template, "id": new_id, "createdAt": stamp, "updatedAt": stamp}
                if "email" in lead:
                    lead["email"] = f"sandbox.new{new_id}@example.com"
                self.leads.append(lead)
                self.leads_by_id[new_id] = lead
                self._next_activity(
                    lead,
                    NEW_LEAD,
                    primaryAttributeValue=str(lead.get("email") or new_id),
                    attributes=[{"name": "Source Type", "value": "sandbox mutate"}],
                )
                touched["created"].append(new_id)
            self.leads.sort(key=lambda lead: (str(lead.get("updatedAt")), int(lead["id"])))
        return {"leads": touched}


def _normalise(name: str) -> str:
    return name.replace(" ", "").replace("_", "").lower()
