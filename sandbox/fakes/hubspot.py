"""HubSpot fake: private-app Bearer token, CRM v3 objects (list, search, batch read), owners,
pipelines, properties, v4 associations; 100 calls / 10 s and search 4 / s when limits are on.

Serves the world's `hubspot/*.jsonl` payload files (contract section 2). Contacts and
pipelines follow the vendor's specs (hubspot-crm-contacts-v3, hubspot-crm-pipelines-v3); the
other object types share the contacts shapes, as HubSpot's per-object specs do. Owners,
properties and v4 associations have no spec file here: they follow vendor-apis.md section 2.
Every property value is a string; a property without a value is left out (the spec types
values as strings, see sandbox/README.md).
"""

import json
import random
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from sandbox.fakes.base import (
    DEEP,
    NOT_UTF8,
    ApiError,
    FakeServer,
    Request,
    Response,
    SlidingWindow,
    json_response,
)
from sandbox.fakes.data_files import read_jsonl
from sandbox.fakes.faults import FaultConfig

DEFAULT_CREDENTIALS = {"access_token": "sandbox-hubspot-token"}
OBJECT_TYPES = ("contacts", "companies", "deals", "calls", "meetings", "emails")
MODIFIED = {
    t: "lastmodifieddate" if t == "contacts" else "hs_lastmodifieddate" for t in OBJECT_TYPES
}
# Returned when a read names no properties (vendor-apis.md 2.2).
DEFAULT_PROPERTIES = {
    "contacts": (
        "createdate",
        "email",
        "firstname",
        "hs_object_id",
        "lastmodifieddate",
        "lastname",
    ),
}
DEFAULT_OTHER = ("createdate", "hs_object_id", "hs_lastmodifieddate")
SEARCH_MAX = 200
LIST_MAX = 100
LIST_DEFAULT = 10
BATCH_MAX = 100
HISTORY_BATCH_MAX = 50
ASSOCIATION_BATCH_MAX = 1000
ASSOCIATION_PAGE = 500
SEARCH_CAP = 10_000
MAX_FILTER_GROUPS = 6
MAX_FILTERS = 6
OPERATORS = {
    "EQ",
    "NEQ",
    "LT",
    "LTE",
    "GT",
    "GTE",
    "BETWEEN",
    "IN",
    "NOT_IN",
    "HAS_PROPERTY",
    "NOT_HAS_PROPERTY",
    "CONTAINS_TOKEN",
    "NOT_CONTAINS_TOKEN",
}
SINGULAR = {
    "contacts": "contact",
    "companies": "company",
    "deals": "deal",
    "calls": "call",
    "meetings": "meeting_event",
    "emails": "email",
}
# HUBSPOT_DEFINED association type ids for the pairs the world uses (illustrative values).
TYPE_IDS = {
    ("deals", "contacts"): 3,
    ("contacts", "deals"): 4,
    ("deals", "companies"): 5,
    ("companies", "deals"): 6,
    ("contacts", "companies"): 1,
    ("companies", "contacts"): 2,
}
DRIFT_PROPERTY = "sandbox_drift"
BURST_CALLS, BURST_SECONDS = 100, 10.0
SEARCH_CALLS, SEARCH_SECONDS = 4, 1.0


def iso_ms(moment: datetime) -> str:
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def instant_ms(value: Any) -> int | None:
    """A datetime property value (ISO-8601 or epoch milliseconds) as epoch milliseconds."""
    if not isinstance(value, str) or not value:
        return None
    if value.isdigit():
        return int(value)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def _as_string(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return json.dumps(value) if isinstance(value, dict | list) else str(value)


class HubSpotFake(FakeServer):
    source = "hubspot"
    default_credentials = DEFAULT_CREDENTIALS
    base_url_variable = "HUBSPOT_BASE_URL"
    credential_variables: ClassVar[dict[str, str]] = {"HUBSPOT_ACCESS_TOKEN": "access_token"}
    default_daily_quota = 250_000

    def load(self, data_dir: Path) -> None:
        self.search_cap = SEARCH_CAP  # tests lower it to exercise the cap quickly
        self.burst = SlidingWindow(BURST_CALLS, self.clock.real_seconds(BURST_SECONDS))
        self.search_window = SlidingWindow(SEARCH_CALLS, self.clock.real_seconds(SEARCH_SECONDS))
        self.reject_next = False
        self._created = 0
        self._ids = threading.Lock()
        folder = data_dir / "hubspot"
        self.owners = self._read(folder / "owners.jsonl")
        self.pipelines = self._read(folder / "deal_pipelines.jsonl")
        self.objects: dict[str, dict[str, dict[str, Any]]] = {}
        for object_type in OBJECT_TYPES:
            records = self._read(folder / f"{object_type}.jsonl")
            self.objects[object_type] = {str(r["id"]): self._normalise(r) for r in records}
        self.property_defs = {t: self._property_defs(folder, t) for t in OBJECT_TYPES}
        self._index_associations()
        self.route("GET", "/crm/v3/owners", self.list_owners)
        self.route("GET", "/crm/v3/owners/", self.list_owners)
        self.route("GET", "/crm/v3/pipelines/{objectType}", self.list_pipelines)
        self.route("GET", "/crm/v3/properties/{objectType}", self.list_properties)
        self.route("GET", "/crm/v3/objects/{objectType}", self.list_objects)
        self.route("POST", "/crm/v3/objects/{objectType}/search", self.search)
        self.route("POST", "/crm/v3/objects/{objectType}/batch/read", self.batch_read)
        self.route("GET", "/crm/v3/objects/{objectType}/{objectId}", self.read_object)
        self.route(
            "POST", "/crm/v4/associations/{fromType}/{toType}/batch/read", self.associations_batch
        )
        self.route(
            "GET",
            "/crm/v4/objects/{fromType}/{objectId}/associations/{toType}",
            self.associations_page,
        )

    # ---------------------------------------------------------------- data
    @staticmethod
    def _read(path: Path) -> list[dict[str, Any]]:
        return read_jsonl(path) if path.exists() else []

    @staticmethod
    def _normalise(record: dict[str, Any]) -> dict[str, Any]:
        """Property values as strings (HubSpot sends strings), nulls left out."""
        record = dict(record)
        record["id"] = str(record["id"])
        record["properties"] = {
            k: _as_string(v) for k, v in (record.get("properties") or {}).items() if v is not None
        }
        record["properties"].setdefault("hs_object_id", record["id"])
        record.setdefault("archived", False)
        return record

    def _property_defs(self, folder: Path, object_type: str) -> list[dict[str, Any]]:
        path = folder / "properties" / f"{object_type}.json"
        if path.exists():
            data = json.loads(path.read_text("utf-8"))
            return list(data["results"] if isinstance(data, dict) else data)
        # No listing in the world: every property its records carry, typed by name.
        names = sorted(
            {name for r in self.objects[object_type].values() for name in r["properties"]}
        )
        return [
            {
                "name": name,
                "label": name,
                "type": "datetime" if "date" in name or name == "hs_timestamp" else "string",
                "fieldType": "text",
                "groupName": "sandbox",
                "options": [],
                "hubspotDefined": True,
            }
            for name in names
        ]

    def _index_associations(self) -> None:
        """from type -> to type -> from id -> to ids, both directions, from the inline ones."""
        links: dict[str, dict[str, dict[str, list[str]]]] = {}

        def add(a: str, b: str, a_id: str, b_id: str) -> None:
            targets = links.setdefault(a, {}).setdefault(b, {}).setdefault(a_id, [])
            if b_id not in targets:
                targets.append(b_id)

        for from_type, records in self.objects.items():
            for record in records.values():
                for to_type, group in (record.get("associations") or {}).items():
                    for item in (group or {}).get("results") or []:
                        add(from_type, to_type, record["id"], str(item["id"]))
                        add(to_type, from_type, str(item["id"]), record["id"])
        self.links = links

    def _datetime_properties(self, object_type: str) -> set[str]:
        return {
            d["name"]
            for d in self.property_defs.get(object_type, [])
            if d.get("type") in ("datetime", "date")
        } | {MODIFIED[object_type], "createdate"}

    # ---------------------------------------------------------------- auth, limits, errors
    def authenticate(self, request: Request) -> None:
        header = request.headers.get("Authorization") or ""
        with self.lock:
            valid = header == f"Bearer {self.credentials['access_token']}" and not self.reject_next
            self.reject_next = False
        if not valid:
            raise ApiError(
                401,
                "INVALID_AUTHENTICATION",
                "Authentication credentials not found. This API supports OAuth 2.0 "
                "authentication and you can find more details at https://developers.hubspot.com/",
            )

    def expire_tokens(self) -> None:
        # A private-app token does not expire; the closest event is one refused request.
        self.reject_next = True

    def check_limits(self, request: Request) -> Response | None:
        if not self.enforce_limits:
            return None
        wait = self.burst.admit()
        if wait is not None:
            return self._limited("TEN_SECONDLY_ROLLING", "ten_secondly_rolling", wait)
        if request.path.endswith("/search"):
            wait = self.search_window.admit()
            if wait is not None:
                return self._limited("SECONDLY", "secondly", wait)
        with self.lock:
            self.calls_today += 1
            if self.calls_today > self.daily_quota:
                return self._limited("DAILY", "daily", 3600)
        return None

    def _limited(self, policy: str, word: str, wait: float) -> Response:
        response = json_response(
            429,
            {
                "status": "error",
                "message": f"You have reached your {word} limit.",
                "errorType": "RATE_LIMIT",
                "correlationId": str(uuid.uuid4()),
                "policyName": policy,
                "requestId": str(uuid.uuid4()),
            },
        )
        response.headers["Retry-After"] = str(max(1, round(wait + 0.499)))
        return response

    def decorate(self, response: Response) -> None:
        if not self.enforce_limits:
            return
        used = len(self.burst._events)
        response.headers.update(
            {
                "X-HubSpot-RateLimit-Max": str(BURST_CALLS),
                "X-HubSpot-RateLimit-Remaining": str(max(0, BURST_CALLS - used)),
                "X-HubSpot-RateLimit-Interval-Milliseconds": str(int(BURST_SECONDS * 1000)),
                "X-HubSpot-RateLimit-Daily": str(self.daily_quota),
                "X-HubSpot-RateLimit-Daily-Remaining": str(
                    max(0, self.daily_quota - self.calls_today)
                ),
            }
        )

    def error_response(self, error: ApiError) -> Response:
        return json_response(
            error.status,
            {
                "status": "error",
                "message": error.message,
                "correlationId": str(uuid.uuid4()),
                "category": error.code,
            },
        )

    def server_error_response(self, status: int) -> Response:
        return self.error_response(ApiError(status, "INTERNAL_ERROR", "Internal error"))

    def rate_limited_response(self, retry_after: int) -> Response:
        return self._limited("TEN_SECONDLY_ROLLING", "ten_secondly_rolling", retry_after)

    # ---------------------------------------------------------------- helpers
    def _type(self, request: Request, name: str = "objectType") -> str:
        object_type = request.path_params[name]
        if object_type not in self.objects:
            raise ApiError(
                400, "VALIDATION_ERROR", f"Unable to infer object type from: {object_type}"
            )
        return object_type

    @staticmethod
    def _body(request: Request) -> dict[str, Any]:
        try:
            body = request.json()
        except json.JSONDecodeError as exc:
            raise ApiError(400, "VALIDATION_ERROR", "Invalid input JSON") from exc
        if not isinstance(body, dict):
            raise ApiError(400, "VALIDATION_ERROR", "Invalid input JSON: expected an object")
        return body

    @staticmethod
    def _int(value: Any, name: str, default: int) -> int:
        if value is None or value == "":
            return default
        try:
            number = int(str(value))
        except ValueError as exc:
            raise ApiError(400, "VALIDATION_ERROR", f"Invalid {name}: {value!r}") from exc
        if number < 0:
            raise ApiError(400, "VALIDATION_ERROR", f"Invalid {name}: {value!r}")
        return number

    def _shape(
        self,
        object_type: str,
        record: dict[str, Any],
        properties: list[str] | None,
        history: list[str] | None = None,
        associations: list[str] | None = None,
    ) -> dict[str, Any]:
        wanted = properties or list(DEFAULT_PROPERTIES.get(object_type, DEFAULT_OTHER))
        values = record["properties"]
        shaped: dict[str, Any] = {
            "id": record["id"],
            "properties": {k: values[k] for k in wanted if values.get(k) is not None},
            "createdAt": record["createdAt"],
            "updatedAt": record["updatedAt"],
            "archived": bool(record.get("archived")),
        }
        if record.get("archivedAt"):
            shaped["archivedAt"] = record["archivedAt"]
        if self.drift_active:
            shaped["properties"][DRIFT_PROPERTY] = "drift"
        if history:
            stored = record.get("propertiesWithHistory") or {}
            shaped["propertiesWithHistory"] = {
                name: stored.get(name)
                or (
                    [
                        {
                            "value": values[name],
                            "timestamp": record["updatedAt"],
                            "sourceType": "CRM_UI",
                        }
                    ]
                    if values.get(name) is not None
                    else []
                )
                for name in history
            }
        if associations:
            inline: dict[str, Any] = {}
            for to_type in associations:
                ids = self.links.get(object_type, {}).get(to_type, {}).get(record["id"])
                if ids:
                    kind = f"{SINGULAR[object_type]}_to_{SINGULAR.get(to_type, to_type)}"
                    inline[to_type] = {"results": [{"id": i, "type": kind} for i in ids]}
            if inline:
                shaped["associations"] = inline
        return shaped

    @staticmethod
    def _paging(end: int, total: int, link: str) -> dict[str, Any]:
        if end >= total:
            return {}
        return {"paging": {"next": {"after": str(end), "link": f"{link}?after={end}"}}}

    # ---------------------------------------------------------------- owners, pipelines, properties
    def list_owners(self, request: Request) -> Response:
        archived = request.param("archived", "false") == "true"
        limit = min(self._int(request.param("limit"), "limit", 100), 500) or 100
        after = self._int(request.param("after"), "after", 0)
        owners = [o for o in self.owners if bool(o.get("archived")) == archived]
        email = request.param("email")
        if email:
            owners = [o for o in owners if o.get("email") == email]
        page = owners[after : after + limit]
        self.note_page(len(page))
        return json_response(
            200, {"results": page, **self._paging(after + limit, len(owners), request.path)}
        )

    def list_pipelines(self, request: Request) -> Response:
        object_type = request.path_params["objectType"]
        results = self.pipelines if object_type == "deals" else []
        self.note_page(len(results))
        return json_response(200, {"results": results})

    def list_properties(self, request: Request) -> Response:
        object_type = self._type(request)
        return json_response(200, {"results": self.property_defs[object_type]})

    # ---------------------------------------------------------------- objects
    def list_objects(self, request: Request) -> Response:
        object_type = self._type(request)
        archived = request.param("archived", "false") == "true"
        history = request.params("propertiesWithHistory")
        limit = self._int(request.param("limit"), "limit", LIST_DEFAULT) or LIST_DEFAULT
        limit = min(limit, HISTORY_BATCH_MAX if history else LIST_MAX)
        after = self._int(request.param("after"), "after", 0)
        with self.lock:
            records = sorted(
                (r for r in self.objects[object_type].values() if bool(r["archived"]) == archived),
                key=lambda r: (int(r["id"]) if r["id"].isdigit() else 0, r["id"]),
            )
            page = [
                self._shape(
                    object_type,
                    r,
                    request.params("properties"),
                    history,
                    request.params("associations"),
                )
                for r in records[after : after + limit]
            ]
        self.note_page(len(page))
        paging = self._paging(after + limit, len(records), request.path)
        return json_response(200, {"results": page, **paging})

    def read_object(self, request: Request) -> Response:
        object_type = self._type(request)
        archived = request.param("archived", "false") == "true"
        record = self.objects[object_type].get(request.path_params["objectId"])
        if record is None or bool(record["archived"]) != archived:
            raise ApiError(404, "OBJECT_NOT_FOUND", "Object not found")
        return json_response(
            200,
            self._shape(
                object_type,
                record,
                request.params("properties"),
                request.params("propertiesWithHistory"),
                request.params("associations"),
            ),
        )

    def batch_read(self, request: Request) -> Response:
        object_type = self._type(request)
        body = self._body(request)
        inputs = body.get("inputs")
        history = body.get("propertiesWithHistory") or []
        if not isinstance(inputs, list) or not isinstance(body.get("properties", []), list):
            raise ApiError(400, "VALIDATION_ERROR", "inputs and properties must be lists")
        most = HISTORY_BATCH_MAX if history else BATCH_MAX
        if len(inputs) > most:
            raise ApiError(
                400,
                "VALIDATION_ERROR",
                f"Batch input of {len(inputs)} exceeds the limit of {most}"
                + (" when requesting property history" if history else ""),
            )
        archived = request.param("archived", "false") == "true"
        started = iso_ms(self.clock.now())
        results, missing = [], []
        with self.lock:
            for item in inputs:
                key = str(item.get("id")) if isinstance(item, dict) else None
                record = self.objects[object_type].get(key or "")
                if record is None or bool(record["archived"]) != archived:
                    missing.append(str(key))
                    continue
                results.append(self._shape(object_type, record, body.get("properties"), history))
        self.note_page(len(results))
        answer: dict[str, Any] = {
            "status": "COMPLETE",
            "results": results,
            "startedAt": started,
            "completedAt": iso_ms(self.clock.now()),
        }
        if missing:
            answer["numErrors"] = 1
            answer["errors"] = [
                {
                    "status": "error",
                    "category": "OBJECT_NOT_FOUND",
                    "message": "Could not get some objects, they may be deleted or not exist.",
                    "context": {"ids": missing},
                }
            ]
            return json_response(207, answer)
        return json_response(200, answer)

    # ---------------------------------------------------------------- search
    def search(self, request: Request) -> Response:
        object_type = self._type(request)
        body = self._body(request)
        groups = body.get("filterGroups") or []
        if not isinstance(groups, list) or len(groups) > MAX_FILTER_GROUPS:
            raise ApiError(400, "VALIDATION_ERROR", "filterGroups: at most 6 groups")
        limit = self._int(body.get("limit"), "limit", 10) or 10
        if limit > SEARCH_MAX:
            raise ApiError(400, "VALIDATION_ERROR", f"limit must be at most {SEARCH_MAX}")
        after = self._int(body.get("after"), "after", 0)
        if after >= self.search_cap:
            raise ApiError(
                400,
                "VALIDATION_ERROR",
                f"Search results are limited to {self.search_cap} per query; use filters to "
                "narrow the query",
            )
        properties = body.get("properties") or None
        if properties is not None and not isinstance(properties, list):
            raise ApiError(400, "VALIDATION_ERROR", "properties must be a list")
        dates = self._datetime_properties(object_type)
        tests = [self._group(g, dates) for g in groups]
        sort_key, descending = self._sort(body.get("sorts") or [], dates)
        with self.lock:
            matched = [
                r
                for r in self.objects[object_type].values()
                if not r["archived"] and (not tests or any(t(r) for t in tests))
            ]
            matched.sort(key=sort_key, reverse=descending)
            end = min(after + limit, len(matched))
            page = [self._shape(object_type, r, properties) for r in matched[after:end]]
        self.note_page(len(page))
        answer: dict[str, Any] = {"total": len(matched), "results": page}
        answer.update(self._paging(end, len(matched), request.path))
        return json_response(200, answer)

    def _group(self, group: Any, dates: set[str]) -> Callable[[dict[str, Any]], bool]:
        filters = group.get("filters") if isinstance(group, dict) else None
        if not isinstance(filters, list) or len(filters) > MAX_FILTERS:
            raise ApiError(400, "VALIDATION_ERROR", "each filter group holds 1 to 6 filters")
        tests = [self._filter(f, dates) for f in filters]
        return lambda record: all(t(record) for t in tests)

    def _filter(self, spec: Any, dates: set[str]) -> Callable[[dict[str, Any]], bool]:
        if not isinstance(spec, dict) or spec.get("operator") not in OPERATORS:
            raise ApiError(400, "VALIDATION_ERROR", f"Invalid filter: {spec!r}"[:300])
        name, operator = spec.get("propertyName"), spec["operator"]
        if not isinstance(name, str):
            raise ApiError(400, "VALIDATION_ERROR", "propertyName is required")

        def comparable(value: Any) -> Any:
            if name in dates:
                return instant_ms(value)
            if isinstance(value, str) and value.lstrip("-").isdigit():
                return int(value)
            return value

        if operator in ("HAS_PROPERTY", "NOT_HAS_PROPERTY"):
            present = operator == "HAS_PROPERTY"
            return lambda r: (r["properties"].get(name) is not None) == present
        if operator in ("IN", "NOT_IN"):
            values = {comparable(v) for v in spec.get("values") or []}
            inside = operator == "IN"
            return lambda r: (comparable(r["properties"].get(name)) in values) == inside
        if operator in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
            token = str(spec.get("value", "")).strip("*").lower()
            contains = operator == "CONTAINS_TOKEN"
            return lambda r: (token in str(r["properties"].get(name) or "").lower()) == contains
        target = comparable(spec.get("value"))
        if target is None:
            raise ApiError(
                400, "VALIDATION_ERROR", f"Invalid value for {name}: {spec.get('value')!r}"
            )
        high = comparable(spec.get("highValue")) if operator == "BETWEEN" else None

        def test(record: dict[str, Any]) -> bool:
            value = comparable(record["properties"].get(name))
            if value is None:
                return operator == "NEQ"
            try:
                if operator == "EQ":
                    return bool(value == target)
                if operator == "NEQ":
                    return bool(value != target)
                if operator == "LT":
                    return bool(value < target)
                if operator == "LTE":
                    return bool(value <= target)
                if operator == "GT":
                    return bool(value > target)
                if operator == "GTE":
                    return bool(value >= target)
                return bool(target <= value <= high)  # BETWEEN
            except TypeError:
                return False

        return test

    @staticmethod
    def _sort(sorts: Any, dates: set[str]) -> tuple[Callable[[dict[str, Any]], Any], bool]:
        """The spec types a sort as a string (`prop`, `-prop` descending); the docs send
        `{propertyName, direction}`: both are accepted. One sort, as HubSpot allows."""
        if not isinstance(sorts, list) or len(sorts) > 1:
            raise ApiError(400, "VALIDATION_ERROR", "sorts: at most one sort")
        if not sorts:
            return (lambda r: int(r["id"]) if r["id"].isdigit() else 0), False
        sort = sorts[0]
        if isinstance(sort, dict):
            name, descending = sort.get("propertyName"), sort.get("direction") == "DESCENDING"
        elif isinstance(sort, str):
            name, descending = sort.lstrip("-"), sort.startswith("-")
        else:
            raise ApiError(400, "VALIDATION_ERROR", f"Invalid sort: {sort!r}")

        def key(record: dict[str, Any]) -> tuple[Any, ...]:
            value = record["properties"].get(name)
            if name in dates:
                value = instant_ms(value)
            elif name == "hs_object_id" and isinstance(value, str) and value.isdigit():
                value = int(value)
            tie = int(record["id"]) if record["id"].isdigit() else 0
            return (value is None, value if value is not None else 0, tie)

        return key, descending

    # ---------------------------------------------------------------- associations (v4)
    def associations_batch(self, request: Request) -> Response:
        from_type, to_type = self._type(request, "fromType"), self._type(request, "toType")
        body = self._body(request)
        inputs = body.get("inputs")
        if not isinstance(inputs, list) or len(inputs) > ASSOCIATION_BATCH_MAX:
            raise ApiError(
                400, "VALIDATION_ERROR", f"inputs: a list of at most {ASSOCIATION_BATCH_MAX}"
            )
        started = iso_ms(self.clock.now())
        results, missing = [], []
        for item in inputs:
            key = str(item.get("id")) if isinstance(item, dict) else ""
            ids = self.links.get(from_type, {}).get(to_type, {}).get(key)
            if not ids:
                missing.append(key)
                continue
            result: dict[str, Any] = {
                "from": {"id": key},
                "to": [self._target(from_type, to_type, i) for i in ids[:ASSOCIATION_PAGE]],
            }
            if len(ids) > ASSOCIATION_PAGE:
                result["paging"] = {"next": {"after": str(ASSOCIATION_PAGE)}}
            results.append(result)
        answer: dict[str, Any] = {
            "status": "COMPLETE",
            "results": results,
            "startedAt": started,
            "completedAt": iso_ms(self.clock.now()),
        }
        if missing:
            answer["numErrors"] = len(missing)
            answer["errors"] = [
                {
                    "status": "error",
                    "category": "OBJECT_NOT_FOUND",
                    "subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
                    "message": f"No {to_type} is associated with {from_type} {key}.",
                    "context": {"fromObjectId": [key]},
                }
                for key in missing
            ]
            return json_response(207, answer)
        return json_response(200, answer)

    def associations_page(self, request: Request) -> Response:
        from_type, to_type = self._type(request, "fromType"), self._type(request, "toType")
        ids = (
            self.links.get(from_type, {}).get(to_type, {}).get(request.path_params["objectId"], [])
        )
        limit = min(self._int(request.param("limit"), "limit", ASSOCIATION_PAGE), ASSOCIATION_PAGE)
        after = self._int(request.param("after"), "after", 0)
        page = [self._target(from_type, to_type, i) for i in ids[after : after + limit]]
        answer: dict[str, Any] = {"results": page}
        if after + limit < len(ids):
            answer["paging"] = {"next": {"after": str(after + limit)}}
        return json_response(200, answer)

    @staticmethod
    def _target(from_type: str, to_type: str, to_id: str) -> dict[str, Any]:
        return {
            "toObjectId": int(to_id) if to_id.isdigit() else to_id,
            "associationTypes": [
                {
                    "category": "HUBSPOT_DEFINED",
                    "typeId": TYPE_IDS.get((from_type, to_type), 0),
                    "label": None,
                }
            ],
        }

    # ---------------------------------------------------------------- hostile mode
    def hostile_answer(
        self, case: str, config: FaultConfig, template: str, request: Request, payload: Any
    ) -> Any:
        results = payload.get("results") if isinstance(payload, dict) else None
        if not isinstance(results, list):
            return None
        paging = payload.get("paging")
        if case == "repeat_cursor":
            # The `after` asked with comes back as the next one: paging that never advances.
            asked = request.param("after")
            if asked is None and request.body:
                asked = (request.json() or {}).get("after")
            if asked is None or not paging:
                return None
            return {**payload, "paging": {"next": {"after": str(asked)}}}
        if case == "foreign_next_url":
            # The next page named by a link on another host (and an `after` that is a URL).
            if not paging:
                return None
            after = paging["next"]["after"]
            link = f"{config.foreign_url}{template}?after={after}"
            return {**payload, "paging": {"next": {"after": after, "link": link}}}
        if not results or not template.endswith("/search") or not self.bad_record_once():
            return None
        bad = json.loads(json.dumps(results[0]))
        object_type = template.split("/")[4] if template.count("/") >= 4 else "contacts"
        if case == "future_modstamp":
            name = MODIFIED.get(
                request.path_params.get("objectType", object_type), "hs_lastmodifieddate"
            )
            bad["properties"][name] = "2999-01-01T00:00:00.000Z"
        elif case == "deep_json":
            bad["sandboxDeep"] = DEEP
        elif case == "invalid_utf8":
            bad["properties"]["sandbox_text"] = NOT_UTF8
        elif case == "wrong_typed_ids":
            bad["id"] = [1, 2]
        else:
            return None
        return {**payload, "results": [bad, *results[1:]]}

    # ---------------------------------------------------------------- mutate
    def mutate(self, modify: int, delete: int, create: int, seed: int) -> dict[str, Any]:
        """Change contacts and deals as users would: edits (a new modification time),
        deletions (archived) and new records."""
        rng = random.Random(seed)
        touched: dict[str, Any] = {}
        with self.lock:
            for object_type in ("contacts", "deals"):
                live = sorted(k for k, r in self.objects[object_type].items() if not r["archived"])
                chosen = rng.sample(live, min(len(live), modify + delete))
                done: dict[str, list[str]] = {"modified": [], "deleted": [], "created": []}
                for key in chosen[:modify]:
                    record = self.objects[object_type][key]
                    self._touch(object_type, record)
                    done["modified"].append(key)
                for key in chosen[modify:]:
                    record = self.objects[object_type][key]
                    self._touch(object_type, record)
                    record["archived"] = True
                    record["archivedAt"] = record["updatedAt"]
                    done["deleted"].append(key)
                for _ in range(create if live else 0):
                    template = self.objects[object_type][rng.choice(live)]
                    record = json.loads(json.dumps(template))
                    self._created += 1
                    new_id = str(900_000_000 + self._created)
                    record["id"] = new_id
                    record["properties"]["hs_object_id"] = new_id
                    record.pop("associations", None)
                    record["createdAt"] = iso_ms(self.clock.now())
                    self._touch(object_type, record)
                    self.objects[object_type][new_id] = record
                    done["created"].append(new_id)
                touched[object_type] = done
        return touched

    def _touch(self, object_type: str, record: dict[str, Any]) -> None:
        now = iso_ms(self.clock.now())
        record["updatedAt"] = now
        record["properties"][MODIFIED[object_type]] = now
