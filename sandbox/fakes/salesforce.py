"""Salesforce fake: OAuth password grant, SOQL query/queryAll with paging, describe, limits.

Records are held as compact rows (see SObjectTable) and rendered page by page, so the fake
holds about the data files' size; extraction queries bisect rows kept in SystemModstamp order.
"""

import bisect
import itertools
import json
import random
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any, ClassVar, cast
from urllib.parse import parse_qs, urlencode

from sandbox.fakes import soql
from sandbox.fakes.base import (
    DEEP,
    NOT_UTF8,
    ApiError,
    FakeServer,
    Request,
    Response,
    dumps,
    json_response,
)
from sandbox.fakes.data_files import iter_jsonl
from sandbox.fakes.faults import FaultConfig
from sandbox.fakes.salesforce_bulk import BulkQueryJobs

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


def infer_field_types(records: Iterable[dict[str, Any]]) -> dict[str, str]:
    inference = FieldTypeInference()
    for record in records:
        inference.observe(record)
    return inference.result()


class FieldTypeInference:
    """infer_field_types one record at a time: a field's type is that of its first non-null
    value, a field only ever null is a string; fields keep the order they were first seen in."""

    def __init__(self) -> None:
        self.types: dict[str, str] = {}
        self._pending: list[str] = []  # fields without a type yet (only null values so far)

    def observe(self, record: dict[str, Any]) -> None:
        if record.keys() <= self.types.keys():  # no new field: only pending ones can change
            for name in [n for n in self._pending if record.get(n) is not None]:
                self._assign(name, record[name])
            return
        for name, value in record.items():
            if self.types.get(name, "anyType") != "anyType":
                continue
            if value is not None:
                self._assign(name, value)
            elif name not in self.types:
                self.types[name] = "anyType"
                self._pending.append(name)

    def _assign(self, name: str, value: Any) -> None:
        found = self.types[name] = _type_of(name, value)
        if found != "anyType" and name in self._pending:
            self._pending.remove(name)
        elif found == "anyType" and name not in self._pending:
            self._pending.append(name)

    def result(self) -> dict[str, str]:
        return {
            name: FIELD_TYPE_OVERRIDES.get(name, "string" if found == "anyType" else found)
            for name, found in self.types.items()
        }


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


# ---------------------------------------------------------------- rows
SEP = b"\0"  # between the values of a row: JSON text never has a raw control character
_CANONICAL_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000")


def _is_canonical_datetime(value: Any) -> bool:
    """The form records and format_datetime use, where string order is time order."""
    return type(value) is str and _CANONICAL_DATETIME.fullmatch(value) is not None


# The extraction cursors (the Salesforce streams' cursor fields): rows are sorted by them.
SEEK_FIELDS = ("SystemModstamp", "CreatedDate")
_KEPT = bytes([1]) + bytes(255)  # bytes.translate table: deleted flags to kept flags

SortKey = tuple[Any, Any]
# One encoder, not one per dumps() call: values joined by SEP (see _joined_values). Parsed
# JSON cannot be circular, and skipping that check is a quarter of the time.
_VALUES_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=("\0", ":"), check_circular=False)


def _joined_values(values: list[Any]) -> str | None:
    """The values' JSON texts joined by SEP, by one dumps, or None if a value is a container
    of several items (its own separators would be SEP too)."""
    text = _VALUES_ENCODER.encode(values)[1:-1]
    return text if text.count("\0") == max(0, len(values) - 1) else None


def decode(row: bytes, layout: tuple[str, ...]) -> dict[str, Any]:
    """The record of a row. A row may be shorter than a layout that grew after it was stored."""
    parts = zip(layout, row.split(SEP), strict=False)
    return {name: json.loads(part) for name, part in parts if part}


class _Projection(dict[str, Any]):
    """The fields a query's WHERE and ORDER BY read, of one row (which it keeps)."""

    __slots__ = ("row",)
    row: bytes


class SObjectTable:
    """One sObject's records, compact: a row is the JSON texts of a record's values in `layout`
    order joined by SEP, b"" for a field the record does not have; field names are held once
    per table and a query parses only the values it reads.

    Rows keep the data dir's order (SystemModstamp, Id) and mutations restore it. `rows` and
    `deleted` are replaced, never changed in place, so a query cursor keeps its rows as they
    were when it was answered.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.layout: tuple[str, ...] = ()
        self._position: dict[str, int] = {}
        self.rows: list[bytes] = []
        self.deleted = bytearray()  # per row: 1 if IsDeleted
        self.field_types: dict[str, str] = {}
        # The fields soql.seek may bisect (see there).
        self.sorted_by: frozenset[str] = frozenset()
        # Rows strictly increase by (SystemModstamp or "", Id), with str values: mutations
        # then re-sort by moving only the rows they changed.
        self.modstamp_order = False

    @classmethod
    def load(cls, path: Path) -> "SObjectTable":
        table = cls(path.stem)
        types = FieldTypeInference()
        order = _OrderCheck()
        for record in iter_jsonl(path, object_hook=None):
            table.rows.append(table.encode(record))
            table.deleted.append(bool(record.get("IsDeleted")))
            types.observe(record)
            order.observe(record)
        table.field_types = types.result()
        table.sorted_by, table.modstamp_order = order.result()
        return table

    def encode(self, record: dict[str, Any]) -> bytes:
        """The row of a record; fields new to the table join the end of the layout."""
        missing: list[int] = []
        if tuple(record) == self.layout:
            values = list(record.values())
        else:
            for name in record:
                if name not in self._position:
                    self._position[name] = len(self.layout)
                    self.layout += (name,)
            missing = [i for i, name in enumerate(self.layout) if name not in record]
            values = [record.get(name) for name in self.layout]
        joined = _joined_values(values)
        if joined is None:
            return "\0".join(dumps(record[n]) if n in record else "" for n in self.layout).encode()
        if missing:
            parts = joined.split("\0")
            for index in missing:
                parts[index] = ""
            joined = "\0".join(parts)
        return joined.encode()

    def record(self, position: int) -> dict[str, Any]:
        return decode(self.rows[position], self.layout)

    def values(self, row: bytes, names: list[str]) -> list[Any]:
        """Some values of a row, None for a field it does not have."""
        parts = row.split(SEP)
        out: list[Any] = []
        for name in names:
            index = self._position.get(name, len(parts))
            part = parts[index] if index < len(parts) else b""
            out.append(json.loads(part) if part else None)
        return out

    # -------------------------------------------------------------- query
    def select(self, plan: soql.Plan, include_deleted: bool) -> tuple[list[bytes], int, int]:
        """The answer as (rows, start, count): rows[start : start + count], in order."""
        bounds = soql.seek(plan, self.sorted_by)
        if bounds is None:
            selected = self._evaluate(plan, include_deleted)
            return selected, 0, len(selected)
        low, high = self._bisect(bounds)
        if include_deleted or self.deleted.find(1, low, high) < 0:
            rows, start, count = self.rows, low, high - low
        else:
            kept = self.deleted[low:high].translate(_KEPT)
            rows = list(itertools.compress(self.rows[low:high], kept))
            start, count = 0, len(rows)
        skipped = min(plan.offset, count)
        start, count = start + skipped, count - skipped
        if plan.limit is not None:
            count = min(count, plan.limit)
        return rows, start, count

    def _bisect(self, bounds: list[soql.Bound]) -> tuple[int, int]:
        low, high = 0, len(self.rows)
        for bound in bounds:

            def key(row: bytes, name: str = bound.field) -> Any:
                return self.values(row, [name])[0]

            if bound.op in ("=", ">="):
                low = max(low, bisect.bisect_left(self.rows, bound.value, key=key))
            elif bound.op == ">":
                low = max(low, bisect.bisect_right(self.rows, bound.value, key=key))
            if bound.op in ("=", "<="):
                high = min(high, bisect.bisect_right(self.rows, bound.value, key=key))
            elif bound.op == "<":
                high = min(high, bisect.bisect_left(self.rows, bound.value, key=key))
        return low, max(low, high)

    def _evaluate(self, plan: soql.Plan, include_deleted: bool) -> list[bytes]:
        """Any other query: WHERE and ORDER BY over the values they read, row by row."""
        names = plan.reads
        matching: list[dict[str, Any]] = []
        for row, deleted in zip(self.rows, self.deleted, strict=True):
            if deleted and not include_deleted:
                continue
            projection = _Projection(zip(names, self.values(row, names), strict=True))
            if plan.matches(projection):
                projection.row = row
                matching.append(projection)
        return [cast(_Projection, p).row for p in soql.arrange(plan, matching)]

    # -------------------------------------------------------------- mutate
    def store(self, edited: dict[int, dict[str, Any]], created: list[dict[str, Any]]) -> None:
        """Put back the records changed at their positions, append the created ones and
        restore the (SystemModstamp or "", Id) order, as a stable sort of them all would."""
        changed = {p: (self.encode(r), bool(r.get("IsDeleted"))) for p, r in edited.items()}
        added = [(self.encode(r), bool(r.get("IsDeleted"))) for r in created]
        if not (self.modstamp_order and self._reinsert(changed, added)):
            self._sort(changed, added)

    def _modstamp_key(self, row: bytes) -> SortKey:
        stamp, ident = self.values(row, ["SystemModstamp", "Id"])
        return (stamp or "", ident)

    def _reinsert(
        self, changed: dict[int, tuple[bytes, bool]], added: list[tuple[bytes, bool]]
    ) -> bool:
        """Bisect the changed and added rows into the others, which stay sorted. False, and
        nothing done, if a key is not a pair of strings or two rows share one: a stable sort
        orders equal keys by position, which moving rows loses."""
        moved = [(self._modstamp_key(row), row, flag) for row, flag in [*changed.values(), *added]]
        if not all(isinstance(a, str) and isinstance(b, str) for (a, b), _, _ in moved):
            return False
        moved.sort(key=itemgetter(0))
        if any(x[0] == y[0] for x, y in itertools.pairwise(moved)):
            return False
        rest, rest_deleted = self._without(sorted(changed))
        cuts = [bisect.bisect_left(rest, key, key=self._modstamp_key) for key, _, _ in moved]
        for cut, (key, _, _) in zip(cuts, moved, strict=True):
            if cut < len(rest) and self._modstamp_key(rest[cut]) == key:
                return False
        rows: list[bytes] = []
        deleted = bytearray()
        placed: list[int] = []
        previous = 0
        for cut, (_key, row, flag) in zip(cuts, moved, strict=True):
            rows += rest[previous:cut]
            deleted += rest_deleted[previous:cut]
            placed.append(len(rows))
            rows.append(row)
            deleted.append(flag)
            previous = cut
        rows += rest[previous:]
        deleted += rest_deleted[previous:]
        # SystemModstamp stays bisectable if every moved row fits it between its neighbours;
        # other fields' order is lost.
        keep = "SystemModstamp" in self.sorted_by and all(_fits(self, rows, p) for p in placed)
        self.sorted_by = frozenset({"SystemModstamp"}) if keep else frozenset()
        self.rows, self.deleted = rows, deleted
        return True

    def _without(self, positions: list[int]) -> tuple[list[bytes], bytearray]:
        """Rows and flags without those at `positions` (sorted); beyond the end: none."""
        rows: list[bytes] = []
        deleted = bytearray()
        previous = 0
        for position in [*(p for p in positions if p < len(self.rows)), len(self.rows)]:
            rows += self.rows[previous:position]
            deleted += self.deleted[previous:position]
            previous = position + 1
        return rows, deleted

    def _sort(
        self, changed: dict[int, tuple[bytes, bool]], added: list[tuple[bytes, bool]]
    ) -> None:
        rows = list(self.rows)
        deleted = bytearray(self.deleted)
        for position, (row, flag) in changed.items():
            rows[position], deleted[position] = row, flag
        for row, flag in added:
            rows.append(row)
            deleted.append(flag)
        keys = [self._modstamp_key(row) for row in rows]
        order = sorted(range(len(rows)), key=keys.__getitem__)
        check = _OrderCheck()
        for index in order:
            check.observe({"SystemModstamp": keys[index][0], "Id": keys[index][1]})
        self.sorted_by, self.modstamp_order = check.result()
        self.rows = [rows[i] for i in order]
        self.deleted = bytearray(deleted[i] for i in order)


def _fits(table: SObjectTable, rows: list[bytes], position: int) -> bool:
    """Whether the row at `position` keeps soql.seek's order with its neighbours."""
    keys = []
    for row in rows[max(0, position - 1) : position + 2]:
        stamp, ident = table.values(row, ["SystemModstamp", "Id"])
        if not (isinstance(ident, str) and _is_canonical_datetime(stamp)):
            return False
        keys.append((stamp, ident.lower()))
    return all(a < b for a, b in itertools.pairwise(keys))


class _OrderCheck:
    """Follows records in stored order to find SObjectTable.sorted_by and .modstamp_order.

    The sorted_by candidates are the SEEK_FIELDS with a canonical datetime in the first record;
    one stays while its values are canonical datetimes and (value, lower-case Id) increases.
    """

    def __init__(self) -> None:
        self._fields: list[str] | None = None
        self._last: list[tuple[str, str]] = []  # per candidate: its value and the Id
        self._modstamp_last: SortKey | None = None
        self._modstamp_order = True

    def observe(self, record: dict[str, Any]) -> None:
        ident = record["Id"]
        if self._modstamp_order:
            key = (record.get("SystemModstamp") or "", ident)
            last, self._modstamp_last = self._modstamp_last, key
            if (
                type(key[0]) is not str
                or type(ident) is not str
                or not (last is None or last < key)
            ):
                self._modstamp_order = False
        if self._fields is None:
            candidates = SEEK_FIELDS if type(ident) is str else ()
            self._fields = [n for n in candidates if _is_canonical_datetime(record.get(n))]
            self._last = [(record[n], ident) for n in self._fields]
            return
        index = 0
        while index < len(self._fields):
            value = record.get(self._fields[index])
            previous, previous_id = self._last[index]
            # The lower-case Ids only matter on a tie, so they are only made then.
            if (
                _is_canonical_datetime(value)
                and type(ident) is str
                and (
                    previous < value or (previous == value and previous_id.lower() < ident.lower())
                )
            ):
                self._last[index] = (value, ident)
                index += 1
            else:
                del self._fields[index], self._last[index]

    def result(self) -> tuple[frozenset[str], bool]:
        return frozenset(self._fields or ()), self._modstamp_order


class _Live(Sequence[int]):
    """The positions whose deleted flag is 0, in order, without listing them: the deleted
    positions are few, and the j-th live one is j plus the deleted ones before it."""

    def __init__(self, deleted: bytes | bytearray) -> None:
        self._size = len(deleted)
        gone = [m.start() for m in re.finditer(b"[^\0]", deleted)]
        self._shifts = [p - i for i, p in enumerate(gone)]  # live positions before each one

    def __len__(self) -> int:
        return self._size - len(self._shifts)

    def __getitem__(self, index: int) -> int:  # type: ignore[override]
        if not 0 <= index < len(self):
            raise IndexError(index)
        return index + bisect.bisect_right(self._shifts, index)


class _LivePool(Sequence[tuple[str, int]]):
    """(table, position) of every live row of some tables, table after table."""

    def __init__(self, tables: list[SObjectTable]) -> None:
        self._parts = [(table.name, _Live(table.deleted)) for table in tables]
        self._starts = list(itertools.accumulate((len(live) for _, live in self._parts), initial=0))

    def __len__(self) -> int:
        return self._starts[-1]

    def __getitem__(self, index: int) -> tuple[str, int]:  # type: ignore[override]
        if not 0 <= index < len(self):
            raise IndexError(index)
        part = bisect.bisect_right(self._starts, index) - 1
        name, live = self._parts[part]
        return name, live[index - self._starts[part]]


# ---------------------------------------------------------------- answers
class RecordShape:
    """How one query renders a row: `attributes`, then the selected fields in the query's
    order, byte for byte what dumps() gives for the record shaped as that dict: spliced from
    the row's JSON texts, a field the row lacks being null as record.get() would have it."""

    def __init__(
        self, sobject: str, version: str, fields: list[str], layout: tuple[str, ...]
    ) -> None:
        self.sobject, self.version, self.fields, self.layout = sobject, version, fields, layout
        position = {name: i for i, name in enumerate(layout)}
        # A field no row has (the drift field) picks the null put after a row's values.
        picks = [position.get(name, len(layout)) for name in fields]
        self._pick = _picker(picks)
        self._nulls = [b"null"] * (len(layout) + 1)
        self._id = position.get("Id")
        self._splice = self._id is not None and "attributes" not in fields
        url = f"/services/data/v{version}/sobjects/{sobject}/"
        # The Id's JSON text minus its quotes is its escaped form inside the url string.
        self._head = f'{{"attributes":{{"type":{dumps(sobject)},"url":{dumps(url)[:-1]}'.encode()
        self._keys = [f",{dumps(name)}:".encode() for name in fields]

    def render(self, row: bytes) -> bytes:
        parts = row.split(SEP)
        if not self._splice or len(parts) > len(self.layout):
            return self._render_decoded(row)
        parts += self._nulls[len(parts) :]  # rows stored before the layout grew are shorter
        ident = parts[cast(int, self._id)]
        if ident[:1] != b'"':  # the url needs the Id as text: leave odd ones to str()
            return self._render_decoded(row)
        values = self._pick(parts)
        if b"" in values:
            values = [value or b"null" for value in values]
        fields = b"".join(map(bytes.__add__, self._keys, values))
        return b"".join((self._head, ident[1:-1], b'"}', fields, b"}"))

    def _render_decoded(self, row: bytes) -> bytes:
        record = decode(row, self.layout)
        url = f"/services/data/v{self.version}/sobjects/{self.sobject}/{record['Id']}"
        shaped: dict[str, Any] = {"attributes": {"type": self.sobject, "url": url}}
        for name in self.fields:
            shaped[name] = record.get(name)
        return dumps(shaped).encode()


def _picker(picks: list[int]) -> Callable[[list[bytes]], Sequence[bytes]]:
    if picks == list(range(len(picks))):
        return lambda parts: parts[: len(picks)]
    if len(picks) == 1:
        return lambda parts: (parts[picks[0]],)
    return cast(Callable[[list[bytes]], Sequence[bytes]], itemgetter(*picks))


@dataclass
class QueryCursor:
    """A query's answer, rows[start : start + total], rendered page by page."""

    shape: RecordShape
    rows: list[bytes]
    start: int
    total: int
    batch: int


class SalesforceFake(FakeServer):
    source = "salesforce"
    default_credentials = DEFAULT_CREDENTIALS
    base_url_variable = "SALESFORCE_LOGIN_URL"
    credential_variables: ClassVar[dict[str, str]] = {
        "SALESFORCE_CLIENT_ID": "client_id",
        "SALESFORCE_CLIENT_SECRET": "client_secret",
        "SALESFORCE_USERNAME": "username",
        "SALESFORCE_PASSWORD": "password",
    }
    default_daily_quota = 100_000

    def load(self, data_dir: Path) -> None:
        self.tokens: set[str] = set()
        self.cursors: OrderedDict[str, QueryCursor] = OrderedDict()
        self._cursor_lock = threading.Lock()
        self._created = 0
        self.tables: dict[str, SObjectTable] = {}
        for path in sorted((data_dir / "salesforce").glob("*.jsonl")):
            self.tables[path.stem] = SObjectTable.load(path)
        self.route("POST", "/services/oauth2/token", self.token, needs_auth=False)
        self.route("GET", "/services/data/v{version}/query", self.query)
        self.route("GET", "/services/data/v{version}/queryAll", self.query_all)
        self.route("GET", "/services/data/v{version}/query/{locator}", self.query_more)
        self.route("GET", "/services/data/v{version}/queryAll/{locator}", self.query_more)
        self.route("GET", "/services/data/v{version}/sobjects", self.describe_global)
        self.route("GET", "/services/data/v{version}/sobjects/{sobject}/describe", self.describe)
        self.route("GET", "/services/data/v{version}/limits", self.limits)
        self.bulk = BulkQueryJobs(self)

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

    # ---------------------------------------------------------------- hostile mode
    def hostile_answer(
        self, case: str, config: FaultConfig, template: str, request: Request, payload: Any
    ) -> Any:
        if template == "/services/oauth2/token":
            if case == "foreign_instance_url":
                return {**payload, "instance_url": config.foreign_url}
            return None
        if "/query" not in template or not isinstance(payload.get("records"), list):
            return None
        if case == "foreign_next_url":
            locator = f"/services/data/v{request.path_params['version']}/query/01gFOREIGN-2000"
            return {**payload, "done": False, "nextRecordsUrl": config.foreign_url + locator}
        if case == "repeat_cursor":
            # The next page is the page just served: a vendor whose paging does not advance.
            here = request.path + (
                "?" + urlencode(request.query, doseq=True) if request.query else ""
            )
            return {**payload, "done": False, "nextRecordsUrl": here}
        records = payload["records"]
        if not records or not self.bad_record_once():
            return None
        bad = dict(records[0])
        if case == "future_modstamp":
            bad["SystemModstamp"] = "2999-01-01T00:00:00.000+0000"
        elif case == "deep_json":
            bad["Sandbox_Deep__c"] = DEEP
        elif case == "invalid_utf8":
            bad["Sandbox_Text__c"] = NOT_UTF8
        elif case == "wrong_typed_ids":
            bad["Id"] = {"not": "an id"}
        else:
            return None
        return {**payload, "records": [bad, *records[1:]]}

    @staticmethod
    def decode_row(row: bytes, layout: tuple[str, ...]) -> dict[str, Any]:
        return decode(row, layout)

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
                rows, start, total = table.select(plan, include_deleted)
                shape = RecordShape(table.name, version, plan.fields, table.layout)
        except soql.SoqlError as exc:
            raise ApiError(400, exc.code, exc.message) from exc
        if parsed.count:  # SELECT COUNT(): the count, no records
            return json_response(200, {"totalSize": total, "done": True, "records": []})
        cursor = QueryCursor(shape, rows, start, total, self._batch_size(request))
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
        rows = cursor.rows[cursor.start + offset : cursor.start + end]
        chunk = [cursor.shape.render(row) for row in rows]
        if self.drift_active:
            drift = f',"{DRIFT_FIELD}":"drift"}}'.encode()
            chunk = [text[:-1] + drift for text in chunk]
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
        body = (head + ',"records":[').encode() + b",".join(chunk) + b"]}"
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
            # The live rows of the mutable objects, in table order: the same draws as a list.
            pool = _LivePool([self.tables[n] for n in MUTABLE_OBJECTS if n in self.tables])
            chosen = rng.sample(pool, min(len(pool), modify + delete))
            edited: dict[str, dict[int, dict[str, Any]]] = {}
            for index, (name, position) in enumerate(chosen):
                record = self.tables[name].record(position)
                edited.setdefault(name, {})[position] = record
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
            created: list[dict[str, Any]] = []
            if create and "Lead" in self.tables:
                leads = self.tables["Lead"]
                changed = edited.get("Lead", {})
                flags = bytearray(leads.deleted)
                for position, record in changed.items():
                    flags[position] = bool(record.get("IsDeleted"))
                live = _Live(flags)
                templates: Sequence[int] = live if len(live) else range(len(leads.rows))
                for _ in range(create):
                    position = rng.choice(templates)
                    template = changed[position] if position in changed else leads.record(position)
                    record = self._new_lead(template)
                    created.append(record)
                    note("Lead", "created", record["Id"])
            for name in touched:
                self.tables[name].store(edited.get(name, {}), created if name == "Lead" else [])
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
