"""HubSpot CRM v3: owners, deal pipelines, and CRM objects by the search API.

An object stream reads every record modified since its cursor through
`POST /crm/v3/objects/{type}/search`, sorted ascending on the modification property with a
`GTE` filter (ties at the boundary are read again; staging keeps the newest copy of an id), in
pages of up to 200. By default (HUBSPOT_SEARCH_PAGING=keyset) every page is a new query from
the latest time read: search pages by offset, so a record modified during a pass would move to
the end of the results and shift a record that was not modified across a page boundary (a gap
no later run repairs); a query per page has no offset to shift, and costs the same calls. With
`after`, pages follow `paging.next.after` within a query. HubSpot refuses to page past the 10,000th
result of one query, so before a query would reach that cap the pass starts a new query from the
last modification time it read (the time window is split where the data is); when one
millisecond alone holds more than a query can page through, that millisecond is read in
`hs_object_id` order (`EQ` time, `GT` last id). The cursor is committed with every page.

Deleted (archived) records are not in search: every pass lists `archived=true` records and
lands those archived since the last pass. Properties come from the properties API (custom ones
included), contacts get `propertiesWithHistory.hubspot_owner_id` from batch reads, and deals
and engagements their associations from v4 batch reads, attached in the v3 inline shape.
"""

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from connectors.core.cursor import CursorProgress
from connectors.core.errors import (
    ConfigurationError,
    QuotaExhaustedError,
    RateLimitedError,
    TokenExpiredError,
    VendorError,
)
from connectors.core.http import HttpClient, Response
from connectors.core.paging import (
    Answer,
    PagingError,
    Request,
    StreamBudget,
    TokenPaginator,
    dig,
    paginate,
)
from connectors.core.redact import register_secret
from connectors.core.state import StreamState, fields_if_fresh
from connectors.core.timeutil import BadTimestamp, parse_datetime, to_iso, utcnow
from connectors.core.vendor import Page, StreamRun

if TYPE_CHECKING:
    from connectors.settings import Settings

log = logging.getLogger("connectors.hubspot")

CREDENTIALS = ("HUBSPOT_ACCESS_TOKEN",)
SEARCH_PATH = r"/crm/v3/objects/[^/]+/search$"
MAX_SEARCH_PAGE = 200
LIST_PAGE = 100
# Batch reads with property history take at most 50 inputs; v4 association reads 1,000.
HISTORY_BATCH = 50
ASSOCIATION_BATCH = 1000
# Pages of one record's associations beyond the first (v4 pages them by 500).
MAX_ASSOCIATION_PAGES = 100
# A list URL naming more properties than this many characters asks for the cursor only.
MAX_PROPERTIES_IN_URL = 6000
ARCHIVED = "archived"
OBJECT_ID = "hs_object_id"
# GET lists (archived records, further associations): `after` as a query parameter.
LIST_PAGING = TokenPaginator(cursor_path="paging.next.after", param="after")
PROPERTY_NAME = re.compile(r"^[A-Za-z0-9_]{1,200}$")

# What each object stream attaches: owner history (contacts) and associations by type.
HISTORY: dict[str, tuple[str, ...]] = {"contacts": ("hubspot_owner_id",)}
ASSOCIATIONS: dict[str, tuple[str, ...]] = {
    "deals": ("contacts", "companies"),
    "calls": ("contacts", "companies", "deals"),
    "meetings": ("contacts", "companies", "deals"),
    "emails": ("contacts", "companies", "deals"),
}
# The singular HubSpot uses in association type names (`deal_to_contact`).
SINGULAR = {
    "contacts": "contact",
    "companies": "company",
    "deals": "deal",
    "calls": "call",
    "meetings": "meeting_event",
    "emails": "email",
}


class StaticBearer:
    """A private app's access token: sent as a Bearer token, never refreshed."""

    def __init__(self, token: str) -> None:
        register_secret(token)
        self._value = token

    def headers(self, client: HttpClient) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._value}"}

    def invalidate(self) -> None:
        """A private-app token cannot be refreshed; a second refusal is a configuration error."""


def epoch_ms(moment: datetime) -> str:
    return str(int(moment.timestamp() * 1000))


def hubspot_time(value: object) -> datetime:
    """A HubSpot datetime property: ISO-8601, or epoch milliseconds as a string."""
    if isinstance(value, str) and value.isdigit() and len(value) >= 10:
        return datetime.fromtimestamp(int(value) / 1000, UTC)
    return parse_datetime(value)


@dataclass(frozen=True)
class _Query:
    """One search query of a pass: its lower bound and how the bound compares."""

    lower: datetime | None
    strict: bool = False  # GT instead of GTE: the bound's millisecond is fully read
    tie_after_id: int | None = None  # reading one millisecond in hs_object_id order


@dataclass
class _Boundary:
    """The latest modification time a pass has read and the ids read at it: a new query
    starting at that time (GTE) reads them again, and they are not landed twice."""

    time: datetime | None = None
    ids: set[str] = field(default_factory=set)

    def seen(self, moment: datetime | None, key: str) -> bool:
        """True if this record was read before in this pass; notes it otherwise."""
        if moment is None:
            return False
        if self.time is None or moment > self.time:
            self.time, self.ids = moment, {key}
            return False
        if moment == self.time:
            if key in self.ids:
                return True
            self.ids.add(key)
        return False


class HubSpotReader:
    def __init__(self, settings: "Settings", client: HttpClient) -> None:
        self.base = settings.value("HUBSPOT_BASE_URL").rstrip("/")
        self.page_size = int(settings.value("HUBSPOT_SEARCH_PAGE_SIZE"))
        self.cap = int(settings.value("HUBSPOT_SEARCH_RESULT_CAP"))
        if settings.value("HUBSPOT_SEARCH_PAGING") == "keyset":
            # Every page a new query from the last time read: no offsets to shift.
            self.cap = self.page_size
        self.properties_ttl = float(settings.value("CONNECTORS_DESCRIBE_TTL_HOURS"))
        self.client = client
        client.classify = self._classify
        self._auth_refusals = 0

    def close(self) -> None:
        self.client.close()

    # ---------------------------------------------------------------- errors
    def _classify(self, response: Response) -> None:
        body = response.body if isinstance(response.body, dict) else {}
        if response.status == 429:
            if body.get("policyName") == "DAILY":
                raise QuotaExhaustedError(
                    "hubspot: the account's daily API limit is spent (HTTP 429, policy DAILY); "
                    "the next run goes on from the committed cursors"
                )
            retry_after = response.headers.get("Retry-After")
            raise RateLimitedError(
                f"hubspot: HTTP 429 rate limited ({body.get('policyName', 'unknown policy')})",
                retry_after=float(retry_after) if retry_after else None,
            )
        if response.status == 401:
            # A private-app token does not expire: one refusal may be a blip, two in a row
            # mean a wrong or revoked token, which no retry fixes.
            self._auth_refusals += 1
            if self._auth_refusals <= 1:
                raise TokenExpiredError("hubspot: request refused (HTTP 401)")
            raise ConfigurationError(
                f"hubspot: the access token is refused (HTTP 401): {body.get('message', '')}",
                CREDENTIALS,
            )
        if response.status < 400:
            self._auth_refusals = 0
        if response.status == 403:
            raise ConfigurationError(
                "hubspot: the private app lacks a scope (HTTP 403 "
                f"{body.get('category', '')}): {body.get('message', '')}",
                CREDENTIALS,
            )
        if 400 <= response.status < 500:
            raise VendorError(
                f"hubspot: HTTP {response.status} {body.get('category', '')} "
                f"{body.get('message', response.body)!s:.300} for {response.url}"
            )

    # ---------------------------------------------------------------- full refresh
    def read_owners(self, run: StreamRun) -> Iterator[Page]:
        """Active owners, then archived ones (deactivated reps keep their history)."""
        url = f"{self.base}{run.stream.endpoint}"
        for archived in ("false", "true"):
            request = Request("GET", url, params={"limit": LIST_PAGE, "archived": archived})
            for answer in paginate(self.client, request, run.stream.paginator, run.budget):
                records, rejects = self._results(answer)
                done = answer.last and archived == "true"
                state = run.state.evolve(cursor=None, full_refresh_at=utcnow()) if done else None
                yield Page(records, state, rejects)

    def read_pipelines(self, run: StreamRun) -> Iterator[Page]:
        request = Request("GET", f"{self.base}{run.stream.endpoint}")
        for answer in paginate(self.client, request, run.stream.paginator, run.budget):
            records, rejects = self._results(answer)
            state = run.state.evolve(cursor=None, full_refresh_at=utcnow())
            yield Page(records, state if answer.last else None, rejects)

    @staticmethod
    def _results(answer: Answer) -> tuple[list[Any], list[tuple[str, Any]]]:
        results = dig(answer.body, "results")
        if not isinstance(results, list):
            raise VendorError(
                f"hubspot: an answer without a results list from {answer.response.url}"
            )
        records = [r for r in results if isinstance(r, dict)]
        rejects = [("record is not a JSON object", r) for r in results if not isinstance(r, dict)]
        return records, rejects

    # ---------------------------------------------------------------- properties
    def _properties(self, run: StreamRun) -> tuple[list[str], StreamState]:
        """Every property of the object type (custom ones too), kept in the stream state for
        CONNECTORS_DESCRIBE_TTL_HOURS."""
        now = utcnow()
        kept = fields_if_fresh(run.state, self.properties_ttl, now)
        if kept:
            return list(kept), run.state
        object_type = run.stream.endpoint
        response = self.client.request("GET", f"{self.base}/crm/v3/properties/{object_type}")
        results = dig(response.body, "results")
        if not isinstance(results, list):
            raise VendorError(f"hubspot: the properties of {object_type} came without results")
        names: list[str] = []
        for item in results:
            name = item.get("name") if isinstance(item, dict) else None
            if isinstance(name, str) and PROPERTY_NAME.match(name):
                names.append(name)
            else:
                log.warning("hubspot.%s: property name %r skipped", object_type, name)
        cursor = run.stream.cursor_field.split(".", 1)[1] if run.stream.cursor_field else None
        for needed in (OBJECT_ID, cursor):
            if needed and needed not in names:
                names.append(needed)
        names = sorted(dict.fromkeys(names))
        return names, run.state.evolve(fields=tuple(names), described_at=now)

    # ---------------------------------------------------------------- objects
    def read_objects(self, run: StreamRun) -> Iterator[Page]:
        """Records modified since the cursor (search), then those archived since the last pass."""
        object_type = run.stream.endpoint
        cursor_field = run.stream.cursor_field
        assert cursor_field is not None
        cursor_property = cursor_field.split(".", 1)[1]
        properties, state = self._properties(run)
        progress = CursorProgress(
            run.state.cursor,
            cursor_field,
            value_of=lambda record: _iso_or_raw(dig(record, cursor_field)),
            ceiling=run.started_at,
        )
        run.passes.append(progress)
        boundary = _Boundary()
        query: _Query | None = _Query(lower=run.state.cursor)
        while query is not None:
            read_in_query = 0
            reached_cap = False
            last_id: int | None = None
            request = Request(
                "POST",
                f"{self.base}/crm/v3/objects/{object_type}/search",
                json=self._search_body(query, cursor_property, properties, run.started_at),
            )
            for answer in paginate(self.client, request, run.stream.paginator, run.budget):
                records, rejects = self._results(answer)
                read_in_query += len(records)
                fresh = []
                for record in records:
                    last_id = _int_or(record.get("id"), last_id)
                    moment = _time_or_none(dig(record, cursor_field))
                    if not boundary.seen(moment, str(record.get("id"))):
                        fresh.append(record)
                self._enrich(object_type, fresh)
                progress.observe(records)
                state = state.evolve(cursor=progress.committable())
                yield Page(fresh, state, rejects)
                if not answer.last and read_in_query + self.page_size > self.cap:
                    reached_cap = True
                    break
            query = self._next_query(query, reached_cap, boundary.time, last_id, object_type)
        # The pass is complete: its highest time (capped at the run's start) holds even when
        # records came out of order; it is committed with the archived pass's last page.
        state = state.evolve(cursor=progress.final())
        yield from self._archived(run, object_type, properties, state)

    def _next_query(
        self,
        query: _Query,
        reached_cap: bool,
        last: datetime | None,
        last_id: int | None,
        object_type: str,
    ) -> _Query | None:
        """What follows a query: nothing when it was read to its end (after a millisecond read
        in id order, the time after it); after one that reached the result cap, a query from
        the last time read, or, when the whole query held one millisecond, that millisecond
        in id order."""
        if not reached_cap:
            if query.tie_after_id is not None:
                return _Query(lower=query.lower, strict=True)
            return None
        if last is None:
            raise PagingError(f"hubspot.{object_type}: search results carry no modification time")
        if query.tie_after_id is not None:
            # Reading one millisecond in id order: on from the highest id read.
            if last_id is None or last_id <= query.tie_after_id:
                raise PagingError(
                    f"hubspot.{object_type}: search paging does not advance at {to_iso(last)}"
                )
            return _Query(lower=last, tie_after_id=last_id)
        if last == query.lower:
            # The whole query held one millisecond: read it from its lowest id (the ids read
            # so far are known and not landed twice; the order within a millisecond is not).
            log.info("hubspot.%s: one millisecond fills a query; read by id", object_type)
            return _Query(lower=last, tie_after_id=0)
        log.info("hubspot.%s: result cap reached; next query from %s", object_type, to_iso(last))
        return _Query(lower=last)

    def _search_body(
        self, query: _Query, cursor_property: str, properties: list[str], upper: datetime
    ) -> dict[str, Any]:
        filters: list[dict[str, Any]] = [
            {"propertyName": cursor_property, "operator": "LTE", "value": epoch_ms(upper)}
        ]
        sort = cursor_property
        if query.tie_after_id is not None and query.lower is not None:
            # One millisecond in id order: the tie the time filter cannot split.
            filters = [
                {"propertyName": cursor_property, "operator": "EQ", "value": epoch_ms(query.lower)},
                {"propertyName": OBJECT_ID, "operator": "GT", "value": str(query.tie_after_id)},
            ]
            sort = OBJECT_ID
        elif query.lower is not None:
            operator = "GT" if query.strict else "GTE"
            filters.append(
                {
                    "propertyName": cursor_property,
                    "operator": operator,
                    "value": epoch_ms(query.lower),
                }
            )
        return {
            "filterGroups": [{"filters": filters}],
            "sorts": [sort],  # ascending
            "properties": properties,
            "limit": self.page_size,
            "after": "0",
        }

    def _archived(
        self, run: StreamRun, object_type: str, properties: list[str], state: StreamState
    ) -> Iterator[Page]:
        """Records archived since the last pass. The list is in no time order, so its mark (the
        latest `archivedAt` read, on HubSpot's clock) is committed when the whole list was
        read; `GTE` on it lands a record archived in that very millisecond again, not never."""
        since = run.state.partition_cursors.get(ARCHIVED)
        mark = since
        wanted = ",".join(properties)
        if len(wanted) > MAX_PROPERTIES_IN_URL:
            wanted = ",".join([OBJECT_ID, *(run.stream.cursor_field or "").split(".")[1:]])
        params: dict[str, Any] = {"limit": LIST_PAGE, "archived": "true", "properties": wanted}
        history = HISTORY.get(object_type)
        if history:
            params["propertiesWithHistory"] = ",".join(history)
            params["limit"] = HISTORY_BATCH
        request = Request("GET", f"{self.base}/crm/v3/objects/{object_type}", params=params)
        for answer in paginate(self.client, request, LIST_PAGING, run.budget):
            records, rejects = self._results(answer)
            landed = []
            for record in records:
                archived_at = _time_or_none(record.get("archivedAt"))
                if archived_at is not None and (mark is None or archived_at > mark):
                    mark = archived_at
                # Without an archivedAt a record cannot be placed in time: it lands every pass.
                if since is None or archived_at is None or archived_at >= since:
                    landed.append(record)
            done = state.evolve(partition_cursors={**state.partition_cursors, ARCHIVED: mark})
            yield Page(landed, done if answer.last else None, rejects)

    # ---------------------------------------------------------------- enrichment
    def _enrich(self, object_type: str, records: list[dict[str, Any]]) -> None:
        ids = [str(r["id"]) for r in records if isinstance(r.get("id"), str | int)]
        if not ids:
            return
        history = HISTORY.get(object_type)
        if history:
            found = self._history(object_type, ids, history)
            for record in records:
                record["propertiesWithHistory"] = found.get(str(record.get("id")), {})
        for to_type in ASSOCIATIONS.get(object_type, ()):
            links = self._associations(object_type, to_type, ids)
            for record in records:
                linked = links.get(str(record.get("id")))
                if linked:
                    record.setdefault("associations", {})[to_type] = {"results": linked}

    def _history(
        self, object_type: str, ids: list[str], properties: tuple[str, ...]
    ) -> dict[str, Any]:
        found: dict[str, Any] = {}
        url = f"{self.base}/crm/v3/objects/{object_type}/batch/read"
        for start in range(0, len(ids), HISTORY_BATCH):
            body = {
                "inputs": [{"id": i} for i in ids[start : start + HISTORY_BATCH]],
                "properties": [OBJECT_ID],
                "propertiesWithHistory": list(properties),
            }
            response = self.client.request("POST", url, json=body)
            for result in dig(response.body, "results") or []:
                if isinstance(result, dict) and isinstance(
                    result.get("propertiesWithHistory"), dict
                ):
                    found[str(result.get("id"))] = result["propertiesWithHistory"]
        return found

    def _associations(
        self, from_type: str, to_type: str, ids: list[str]
    ) -> dict[str, list[dict[str, str]]]:
        """{from id: [{id, type}]} from v4 batch reads, in the v3 inline shape."""
        links: dict[str, list[dict[str, str]]] = {}
        url = f"{self.base}/crm/v4/associations/{from_type}/{to_type}/batch/read"
        default_type = f"{SINGULAR.get(from_type, from_type)}_to_{SINGULAR.get(to_type, to_type)}"
        for start in range(0, len(ids), ASSOCIATION_BATCH):
            body = {"inputs": [{"id": i} for i in ids[start : start + ASSOCIATION_BATCH]]}
            response = self.client.request("POST", url, json=body)
            for result in dig(response.body, "results") or []:
                if not isinstance(result, dict):
                    continue
                from_id = str(dig(result, "from.id"))
                targets = list(result.get("to") or [])
                after = dig(result, "paging.next.after")
                if after:
                    targets += self._more_associations(from_type, to_type, from_id, str(after))
                shaped = links.setdefault(from_id, [])
                known = {link["id"] for link in shaped}
                for target in targets:
                    to_id = target.get("toObjectId") if isinstance(target, dict) else None
                    if to_id is None or str(to_id) in known:
                        continue
                    known.add(str(to_id))
                    shaped.append({"id": str(to_id), "type": _type_name(target, default_type)})
        return {k: v for k, v in links.items() if v}

    def _more_associations(
        self, from_type: str, to_type: str, from_id: str, after: str
    ) -> list[dict[str, Any]]:
        """The further pages of one record's associations (more than v4 puts in a batch)."""
        url = (
            f"{self.base}/crm/v4/objects/{from_type}/{quote(from_id, safe='')}"
            f"/associations/{to_type}"
        )
        request = Request("GET", url, params={"limit": 500, "after": after})
        budget = StreamBudget(
            max_pages=MAX_ASSOCIATION_PAGES, max_seconds=600, label=f"hubspot.{from_type}"
        )
        more: list[dict[str, Any]] = []
        for answer in paginate(self.client, request, LIST_PAGING, budget):
            more += [r for r in dig(answer.body, "results") or [] if isinstance(r, dict)]
        return more


def _type_name(target: dict[str, Any], default: str) -> str:
    for kind in target.get("associationTypes") or []:
        if isinstance(kind, dict) and kind.get("label"):
            return str(kind["label"])
    return default


def _time_or_none(value: object) -> datetime | None:
    try:
        return hubspot_time(value)
    except BadTimestamp:
        return None


def _int_or(value: object, default: int | None) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return default


def _iso_or_raw(value: object) -> object:
    """An epoch-millisecond time as ISO-8601 (what the cursor tracker parses); else as is."""
    if isinstance(value, str) and value.isdigit() and len(value) >= 10:
        return to_iso(hubspot_time(value))
    return value
