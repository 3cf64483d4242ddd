"""Salesforce fake: OAuth password grant, SOQL query/queryAll with paging, describe, limits."""

import json
import random
import re
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from sandbox.fakes import soql
from sandbox.fakes.base import (
    ApiError,
    FakeClock,
    FakeServer,
    Request,
    Response,
    dumps,
    json_response,
)
from sandbox.fakes.faults import FaultConfig
from sandbox.fakes.records import read_jsonl

DEFAULT_CREDENTIALS = {
    "client_id": "sandbox-sf-client",
    "client_secret": "sandbox-sf-secret",
    "username": "etl@sandbox.example",
    "password": "sandbox-sf-password",
}
DEFAULT_BATCH = 2000
MIN_BATCH, MAX_BATCH = 200, 2000
DRIFT_FIELD = "Sandbox_Drift__c"
MUTABLE_OBJECTS = ("Account", "Contact", "Lead", "Opportunity", "Task", "Event")
KEY_PREFIXES = {
    "Account": "001",
    "Contact": "003",
    "Opportunity": "006",
    "Lead": "00Q",
    "User": "005",
    "Task": "00T",
    "Event": "00U",
    "UserRole": "00E",
}
EDITABLE_TEXT_FIELDS = ("Description", "Title", "Subject", "NextStep", "Phone")
MAX_OPEN_LOCATORS = 500

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ID = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")
# Types the data cannot tell apart (text vs picklist), fixed by the org configuration (5.2).
FIELD_TYPE_OVERRIDES = {
    "Challenge__c": "textarea",
    "Budget_Status__c": "picklist",
    "Authority__c": "picklist",
    "Handoff_Status__c": "picklist",
    "Handoff_Reject_Reason__c": "picklist",
    "Budget_Amount__c": "currency",
    "Timeframe__c": "string",
    "Amount": "currency",
    "StageName": "picklist",
    "Status": "picklist",
    "LeadSource": "picklist",
    "Type": "picklist",
    "TaskSubtype": "picklist",
    "CallType": "picklist",
    "ForecastCategory": "picklist",
    "Probability": "percent",
    "Email": "email",
    "Phone": "phone",
}


def infer_field_types(records: list[dict[str, Any]]) -> dict[str, str]:
    types: dict[str, str] = {}
    for record in records:
        for name, value in record.items():
            if (name in types and types[name] != "anyType") or value is None:
                types.setdefault(name, "anyType")
                continue
            types[name] = _type_of(name, value)
    for name, found in types.items():
        if found == "anyType":
            types[name] = "string"
        types[name] = FIELD_TYPE_OVERRIDES.get(name, types[name])
    return types


def _type_of(name: str, value: Any) -> str:
    if name == "Id":
        return "id"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        if _DATETIME.match(value):
            return "datetime"
        if _DATE.match(value):
            return "date"
        if name.endswith("Id") and _ID.match(value):
            return "reference"
        return "string"
    return "anyType"


def _label(name: str) -> str:
    base = name.removesuffix("__c").replace("_", " ")
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", base).strip()


@dataclass
class SObjectTable:
    name: str
    records: list[dict[str, Any]]
    field_types: dict[str, str]
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    # (api version, fields) -> {Id: serialised record}; cleared when the table changes.
    serialised: dict[tuple[str, tuple[str, ...]], dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {r["Id"]: r for r in self.records}

    def serialise(self, version: str, fields: list[str], record: dict[str, Any]) -> str:
        cache = self.serialised.setdefault((version, tuple(fields)), {})
        text = cache.get(record["Id"])
        if text is None:
            shaped = {
                "attributes": {
                    "type": self.name,
                    "url": f"/services/data/v{version}/sobjects/{self.name}/{record['Id']}",
                }
            }
            for name in fields:
                shaped[name] = record.get(name)
            text = dumps(shaped)
            cache[record["Id"]] = text
        return text

    def changed(self) -> None:
        self.serialised.clear()
        # Keep the order the data dir promises: SystemModstamp, Id.
        self.records.sort(key=lambda r: (r.get("SystemModstamp") or "", r["Id"]))


@dataclass
class QueryCursor:
    sobject: str
    total: int
    records: list[str]
    batch: int


class SalesforceFake(FakeServer):
    source = "salesforce"
    default_credentials = DEFAULT_CREDENTIALS
    default_daily_quota = 100_000

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
        self.tokens: set[str] = set()
        self.cursors: OrderedDict[str, QueryCursor] = OrderedDict()
        self._cursor_lock = threading.Lock()
        self._created = 0
        self.tables: dict[str, SObjectTable] = {}
        for path in sorted((data_dir / "salesforce").glob("*.jsonl")):
            records = read_jsonl(path)
            self.tables[path.stem] = SObjectTable(path.stem, records, infer_field_types(records))
        self.route("POST", "/services/oauth2/token", self.token, needs_auth=False)
        self.route("GET", "/services/data/v{version}/query", self.query)
        self.route("GET", "/services/data/v{version}/queryAll", self.query_all)
        self.route("GET", "/services/data/v{version}/query/{locator}", self.query_more)
        self.route("GET", "/services/data/v{version}/queryAll/{locator}", self.query_more)
        self.route("GET", "/services/data/v{version}/sobjects", self.describe_global)
        self.route("GET", "/services/data/v{version}/sobjects/{sobject}/describe", self.describe)
        self.route("GET", "/services/data/v{version}/limits", self.limits)

    # ---------------------------------------------------------------- auth and limits
    def token(self, request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
        if form.get("grant_type") != "password":
            return json_response(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "grant type not supported",
                },
            )
        if (form.get("client_id"), form.get("client_secret")) != (
            self.credentials["client_id"],
            self.credentials["client_secret"],
        ):
            return json_response(
                400, {"error": "invalid_client", "error_description": "invalid client credentials"}
            )
        if (form.get("username"), form.get("password")) != (
            self.credentials["username"],
            self.credentials["password"],
        ):
            return json_response(
                400, {"error": "invalid_grant", "error_description": "authentication failure"}
            )
        token = "00DSANDBOX0000001!" + secrets.token_urlsafe(24)
        with self.lock:
            self.tokens.add(token)
        return json_response(
            200,
            {
                "access_token": token,
                "instance_url": self.base_url,
                "id": f"{self.base_url}/id/00DSANDBOX0000001AAA/005SANDBOX000001AAA",
                "token_type": "Bearer",
                "issued_at": str(int(time.time() * 1000)),
                "signature": secrets.token_urlsafe(32),
            },
        )

    def authenticate(self, request: Request) -> None:
        header = request.headers.get("Authorization") or ""
        token = header.removeprefix("Bearer ").removeprefix("OAuth ").strip()
        with self.lock:
            valid = token in self.tokens
        if not valid:
            raise ApiError(401, "INVALID_SESSION_ID", "Session expired or invalid")

    def check_limits(self, request: Request) -> Response | None:
        with self.lock:
            self.calls_today += 1
            over = self.enforce_limits and self.calls_today > self.daily_quota
        if over:
            return self.error_response(
                ApiError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
            )
        return None

    def expire_tokens(self) -> None:
        self.tokens.clear()

    def decorate(self, response: Response) -> None:
        response.headers["Sforce-Limit-Info"] = f"api-usage={self.calls_today}/{self.daily_quota}"

    def error_response(self, error: ApiError) -> Response:
        return json_response(error.status, [{"message": error.message, "errorCode": error.code}])

    def server_error_response(self, status: int) -> Response:
        code = "SERVER_UNAVAILABLE" if status == 503 else "UNKNOWN_EXCEPTION"
        return self.error_response(ApiError(status, code, "An unexpected error occurred."))

    def rate_limited_response(self, retry_after: int) -> Response:
        # Salesforce has no 429: limits are 403 REQUEST_LIMIT_EXCEEDED.
        response = self.error_response(
            ApiError(
                403,
                "REQUEST_LIMIT_EXCEEDED",
                "ConcurrentRequests (Concurrent API Requests) Limit exceeded.",
            )
        )
        response.headers["Retry-After"] = str(retry_after)
        return response

    # ---------------------------------------------------------------- query
    def query(self, request: Request) -> Response:
        return self._run_query(request, include_deleted=False)

    def query_all(self, request: Request) -> Response:
        return self._run_query(request, include_deleted=True)

    def _batch_size(self, request: Request) -> int:
        header = request.headers.get("Sforce-Query-Options") or ""
        match = re.search(r"batchSize\s*=\s*(\d+)", header)
        if not match:
            return DEFAULT_BATCH
        return max(MIN_BATCH, min(MAX_BATCH, int(match.group(1))))

    def _run_query(self, request: Request, include_deleted: bool) -> Response:
        text = request.param("q")
        if text is None:
            raise ApiError(400, "MALFORMED_QUERY", "A query string has to be specified")
        version = request.path_params["version"]
        try:
            parsed = soql.parse(text)
            with self.lock:
                table = self.tables.get(parsed.sobject) or self._table_ci(parsed.sobject)
                plan = soql.resolve(parsed, self._field_types(table))
                rows = (
                    table.records
                    if include_deleted
                    else [r for r in table.records if not r.get("IsDeleted")]
                )
                selected = soql.execute(plan, rows)
                serialised = [table.serialise(version, plan.fields, r) for r in selected]
        except soql.SoqlError as exc:
            raise ApiError(400, exc.code, exc.message) from exc
        cursor = QueryCursor(table.name, len(serialised), serialised, self._batch_size(request))
        return self._page(cursor, version, offset=0, locator=None)

    def _table_ci(self, name: str) -> SObjectTable:
        for table_name, table in self.tables.items():
            if table_name.lower() == name.lower():
                return table
        raise soql.SoqlError(
            "INVALID_TYPE",
            f"sObject type '{name}' is not supported. If you are attempting to use a custom "
            "object, be sure to append the '__c' after the entity name.",
        )

    def _field_types(self, table: SObjectTable) -> dict[str, str]:
        if self.drift_active:
            return {**table.field_types, DRIFT_FIELD: "string"}
        return table.field_types

    def query_more(self, request: Request) -> Response:
        version = request.path_params["version"]
        locator, _, offset_text = request.path_params["locator"].rpartition("-")
        with self._cursor_lock:
            cursor = self.cursors.get(locator)
        if cursor is None or not offset_text.isdigit():
            raise ApiError(
                400, "INVALID_QUERY_LOCATOR", "invalid query locator"
            )  # expired or never issued
        return self._page(cursor, version, int(offset_text), locator)

    def _page(
        self, cursor: QueryCursor, version: str, offset: int, locator: str | None
    ) -> Response:
        end = min(offset + cursor.batch, cursor.total)
        chunk = cursor.records[offset:end]
        if self.drift_active:
            chunk = [text[:-1] + f',"{DRIFT_FIELD}":"drift"}}' for text in chunk]
        head = f'{{"totalSize":{cursor.total},"done":{"true" if end >= cursor.total else "false"}'
        if end < cursor.total:
            if locator is None:
                locator = "01g" + secrets.token_hex(8)[:15].upper()
                with self._cursor_lock:
                    self.cursors[locator] = cursor
                    while len(self.cursors) > MAX_OPEN_LOCATORS:
                        self.cursors.popitem(last=False)
            head += f',"nextRecordsUrl":"/services/data/v{version}/query/{locator}-{end}"'
        elif locator is not None:
            with self._cursor_lock:
                self.cursors.pop(locator, None)
        body = (head + ',"records":[' + ",".join(chunk) + "]}").encode()
        self.note_page(len(chunk))
        return Response(200, body)

    # ---------------------------------------------------------------- describe
    def describe_global(self, request: Request) -> Response:
        version = request.path_params["version"]
        sobjects = [
            {
                "name": name,
                "label": name,
                "custom": name.endswith("__c"),
                "queryable": True,
                "urls": {
                    "sobject": f"/services/data/v{version}/sobjects/{name}",
                    "describe": f"/services/data/v{version}/sobjects/{name}/describe",
                },
            }
            for name in self.tables
        ]
        return json_response(200, {"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": sobjects})

    def describe(self, request: Request) -> Response:
        try:
            table = self.tables.get(request.path_params["sobject"]) or self._table_ci(
                request.path_params["sobject"]
            )
        except soql.SoqlError as exc:
            raise ApiError(404, "NOT_FOUND", exc.message) from exc
        fields = [
            {
                "name": name,
                "type": field_type,
                "label": _label(name),
                "custom": name.endswith("__c"),
                "nillable": name not in ("Id", "IsDeleted", "CreatedDate", "SystemModstamp"),
            }
            for name, field_type in self._field_types(table).items()
        ]
        return json_response(
            200,
            {
                "name": table.name,
                "label": table.name,
                "custom": False,
                "queryable": True,
                "fields": fields,
            },
        )

    def limits(self, request: Request) -> Response:
        remaining = max(0, self.daily_quota - self.calls_today)
        return json_response(
            200, {"DailyApiRequests": {"Max": self.daily_quota, "Remaining": remaining}}
        )

    # ---------------------------------------------------------------- mutate
    def mutate(self, modify: int, delete: int, create: int, seed: int) -> dict[str, Any]:
        rng = random.Random(seed)
        touched: dict[str, dict[str, list[str]]] = {}

        def note(sobject: str, action: str, record_id: str) -> None:
            touched.setdefault(sobject, {"modified": [], "deleted": [], "created": []})
            touched[sobject][action].append(record_id)

        with self.lock:
            pool = [
                (name, record)
                for name in MUTABLE_OBJECTS
                if name in self.tables
                for record in self.tables[name].records
                if not record.get("IsDeleted")
            ]
            chosen = rng.sample(pool, min(len(pool), modify + delete))
            for index, (name, record) in enumerate(chosen):
                stamp = soql.format_datetime(self.clock.now())
                record["SystemModstamp"] = stamp
                if "LastModifiedDate" in record:
                    record["LastModifiedDate"] = stamp
                if index < modify:
                    editable = [f for f in EDITABLE_TEXT_FIELDS if f in record]
                    if editable:
                        record[editable[0]] = f"{record[editable[0]] or ''} (updated)".strip()
                    note(name, "modified", record["Id"])
                else:
                    record["IsDeleted"] = True
                    note(name, "deleted", record["Id"])
            if create and "Lead" in self.tables:
                leads = self.tables["Lead"]
                templates = [r for r in leads.records if not r.get("IsDeleted")] or leads.records
                for _ in range(create):
                    record = self._new_lead(rng.choice(templates))
                    leads.records.append(record)
                    leads.by_id[record["Id"]] = record
                    note("Lead", "created", record["Id"])
            for name in touched:
                self.tables[name].changed()
        return touched

    def _new_lead(self, template: dict[str, Any]) -> dict[str, Any]:
        self._created += 1
        stamp = soql.format_datetime(self.clock.now())
        record = json.loads(json.dumps(template))
        number = self._created
        record.update(
            Id=f"00QSBX{number:09d}AAA",
            CreatedDate=stamp,
            LastModifiedDate=stamp,
            SystemModstamp=stamp,
            IsDeleted=False,
        )
        for name in ("IsConverted",):
            if name in record:
                record[name] = False
        for name in (
            "ConvertedDate",
            "ConvertedAccountId",
            "ConvertedContactId",
            "ConvertedOpportunityId",
            "Tossup_Date__c",
        ):
            if name in record:
                record[name] = None
        if "Email" in record:
            record["Email"] = f"sandbox.new{number}@example.com"
        return record
