"""Marketo REST: errors inside HTTP 200, paging tokens, leads found through their changes.

Leads changed since the cursor: Marketo's REST Lead Database has no "leads updated since"
query; the documented way is to read the lead-change activities (New Lead = 12, Change Data
Value = 13) from a paging token taken at the cursor, then fetch those leads by id
(`leads.json?filterType=id`, at most 300 ids a call). See connectors/README.md.
"""

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from connectors.core.errors import (
    RateLimitedError,
    RetryableError,
    TokenExpiredError,
    VendorError,
)
from connectors.core.http import HttpClient, Response
from connectors.core.paging import Answer, Request, dig, paginate
from connectors.core.state import StreamState, fields_if_fresh, is_fresh
from connectors.core.timeutil import to_iso_seconds, utcnow
from connectors.core.vendor import DeferredPage, Page, StreamRun
from connectors.sources.marketo.auth import token_refused
from connectors.sources.marketo.bulk import MarketoBulk

if TYPE_CHECKING:
    from connectors.settings import Settings

EPOCH = "1970-01-01T00:00:00Z"
PAGE_SIZE = 300
TYPE_IDS_PER_CALL = 10  # the API accepts at most 10 activityTypeIds per request
TYPES_MAX_AGE = 3600.0  # seconds a types.json answer is reused within one process
LEAD_CHANGE_TYPES = (12, 13)  # New Lead, Change Data Value
TOKEN_CODES = {"601", "602"}
THROTTLE_CODES = {"606", "615"}
TRANSIENT_CODES = {"604", "608", "611", "713"}
# Lead fields asked for when describe is unavailable; Marketo returns only a handful otherwise.
FALLBACK_LEAD_FIELDS = [
    "id",
    "email",
    "firstName",
    "lastName",
    "company",
    "title",
    "phone",
    "leadSource",
    "leadStatus",
    "leadScore",
    "createdAt",
    "updatedAt",
    "sfdcLeadId",
    "sfdcContactId",
    "sfdcAccountId",
]


def _batches(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _lead_ids(activities: list[Any]) -> tuple[list[int], list[tuple[str, Any]]]:
    """The distinct lead ids of lead-change activities, and the activities whose `leadId` is
    not a whole number (quarantined with the leads stream: it cannot follow that change)."""
    ids: dict[int, None] = {}
    rejects: list[tuple[str, Any]] = []
    for activity in activities:
        lead_id = activity.get("leadId") if isinstance(activity, dict) else None
        if isinstance(lead_id, int) and not isinstance(lead_id, bool):
            ids[lead_id] = None
        elif isinstance(lead_id, str) and lead_id.strip().isdigit():
            ids[int(lead_id)] = None
        else:
            reason = f"lead-change activity with a leadId that is not a number: {lead_id!r}"
            rejects.append((reason[:300], activity))
    return list(ids), rejects


class MarketoReader:
    def __init__(self, settings: "Settings", client: HttpClient) -> None:
        self.base = settings.value("MARKETO_BASE_URL")
        self.client = client
        client.classify = self._classify
        self.settings = settings
        self._lead_fields: list[str] | None = None
        self._lead_types: dict[str, str] = {}
        self._lead_fields_at: datetime | None = None
        self.bulk = MarketoBulk(self)
        self._types_cache: tuple[float, list[Any]] | None = None

    def close(self) -> None:
        self.client.close()

    def _classify(self, response: Response) -> None:
        body = response.body
        if isinstance(body, dict) and body.get("error") in ("invalid_client", "unauthorized"):
            # The identity endpoint's answer to a wrong client id or secret: no retry helps.
            raise token_refused(response.status, body)
        if response.status == 401:
            raise TokenExpiredError("marketo: HTTP 401")
        if response.status >= 500 or response.status == 429:
            return  # the core retries these
        if response.status >= 400:
            raise VendorError(f"marketo: HTTP {response.status} {body} for {response.url}")
        if isinstance(body, bytes):
            return  # an export file (CSV)
        if not isinstance(body, dict):
            raise RetryableError(f"marketo: unexpected answer from {response.url}")
        if body.get("success", True):
            return
        errors = body.get("errors") or []
        codes = {str(e.get("code")) for e in errors if isinstance(e, dict)}
        if codes & TOKEN_CODES:
            raise TokenExpiredError(f"marketo: token rejected {sorted(codes)}")
        if codes & THROTTLE_CODES:
            raise RateLimitedError(f"marketo: throttled {sorted(codes)}")
        if codes & TRANSIENT_CODES:
            raise RetryableError(f"marketo: transient error {sorted(codes)}")
        said = {str(e.get("code")): str(e.get("message")) for e in errors if isinstance(e, dict)}
        raise VendorError(f"marketo: request failed {errors} for {response.url}", said)

    def _get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        body: dict[str, Any] = self.client.request("GET", f"{self.base}{path}", params=params).body
        return body

    # -- paging tokens -----------------------------------------------------------------
    def paging_token(self, since: datetime | None) -> str:
        """A paging token at `since` (None: the beginning of time)."""
        start = to_iso_seconds(since) if since else EPOCH
        token = self._get("/rest/v1/activities/pagingtoken.json", {"sinceDatetime": start}).get(
            "nextPageToken"
        )
        if not token:
            raise VendorError("marketo: pagingtoken.json returned no nextPageToken")
        return str(token)

    def _token_pages(
        self, run: StreamRun, path: str, since: datetime | None, params: dict[str, Any]
    ) -> Iterator[Answer]:
        """The pages of one paging-token listing from `since` (while `moreResult` is true)."""
        first = Request(
            "GET",
            f"{self.base}{path}",
            params={**params, "nextPageToken": self.paging_token(since), "batchSize": PAGE_SIZE},
        )
        yield from paginate(self.client, first, run.stream.paginator, run.budget)

    @staticmethod
    def _records(run: StreamRun, answer: Answer) -> list[Any]:
        return list(dig(answer.body, run.stream.records_path) or [])

    # -- activity types ----------------------------------------------------------------
    def _types(self) -> list[Any]:
        """types.json, asked once for both streams that need it (activity_types, activities)
        and again only after TYPES_MAX_AGE seconds in a long-lived process."""
        if self._types_cache is None or time.monotonic() - self._types_cache[0] > TYPES_MAX_AGE:
            body = self._get("/rest/v1/activities/types.json")
            self._types_cache = (time.monotonic(), list(body.get("result") or []))
        return self._types_cache[1]

    def activity_type_ids(self) -> list[int]:
        return sorted(int(t["id"]) for t in self._types() if isinstance(t, dict) and "id" in t)

    def read_activity_types(self, run: StreamRun) -> Iterator[Page]:
        yield Page(self._types(), run.state.evolve(full_refresh_at=utcnow()))

    # -- activities --------------------------------------------------------------------
    def read_activities(self, run: StreamRun) -> Iterator[Page | DeferredPage]:
        """All types, 10 ids a call; each group keeps its own cursor so a crash resumes exactly.
        First loads and old backfills go through Bulk Extract instead (bulk.py), except the
        priority types (MARKETO_PRIORITY_ACTIVITY_TYPES): those are read over REST first, so
        the models that need them are whole on the first day even when the export files
        take several days of the allowance."""
        type_ids = self.activity_type_ids()
        bulk_types = self._bulk_types(run, type_ids) if self.bulk.wanted(run) else ()
        if bulk_types == ():  # no bulk pass, or every type is a priority one
            yield from self._rest_activities(run, type_ids, type_ids)
            return
        rest_types = [] if bulk_types is None else [t for t in type_ids if t not in bulk_types]
        state = run.state
        for page in self._rest_activities(run, rest_types, type_ids):
            state = page.state
            yield page
        yield from self.bulk.read(replace(run, state=state), "activities", bulk_types)

    def _bulk_types(self, run: StreamRun, type_ids: list[int]) -> tuple[int, ...] | None:
        """The types a bulk pass exports: those of the pass under way, else every type but the
        priority ones (None: every type, when no priority type exists here)."""
        if run.state.bulk is not None:
            return run.state.bulk.type_ids
        priority = set(self.settings.value("MARKETO_PRIORITY_ACTIVITY_TYPES"))
        if not priority & set(type_ids):
            return None
        return tuple(t for t in type_ids if t not in priority)

    def _rest_activities(
        self, run: StreamRun, read: list[int], type_ids: list[int]
    ) -> Iterator[Page]:
        """The activities of the types `read` (of all `type_ids`), by paging token from each
        group's cursor. A listing from the beginning that ends with no activity at all moves its
        types' cursors to the run's start: types nobody uses would otherwise keep their group,
        and the stream's cursor, at the beginning of time, read whole on every run."""
        partitions = dict(run.state.partition_cursors)
        for group in _batches(read, TYPE_IDS_PER_CALL):
            starts = [partitions.get(str(t), run.state.cursor) for t in group]
            since = None if any(s is None for s in starts) else min(s for s in starts if s)
            progress = run.progress(since)
            params = {"activityTypeIds": ",".join(str(t) for t in group)}
            for answer in self._token_pages(run, run.stream.endpoint, since, params):
                records = self._records(run, answer)
                progress.observe(records)
                if answer.last:
                    reached = progress.final() or run.started_at
                else:
                    reached = progress.committable()
                if reached is not None:
                    partitions.update({str(t): reached for t in group})
                yield Page(records, self._activities_state(run.state, partitions, type_ids))

    @staticmethod
    def _activities_state(
        state: StreamState, partitions: dict[str, datetime | None], type_ids: list[int]
    ) -> StreamState:
        values = [partitions.get(str(t)) for t in type_ids]
        known = [v for v in values if v]
        overall = min(known) if known and len(known) == len(values) else None
        return state.evolve(cursor=overall, partition_cursors=dict(partitions))

    def read_deleted_leads(self, run: StreamRun) -> Iterator[Page]:
        progress = run.progress(run.state.cursor)
        for answer in self._token_pages(run, run.stream.endpoint, run.state.cursor, {}):
            records = self._records(run, answer)
            progress.observe(records)
            reached = progress.final() if answer.last else progress.committable()
            yield Page(records, run.state.evolve(cursor=reached))

    # -- leads ---------------------------------------------------------------------------
    def lead_fields(self) -> list[str]:
        # A described list expires with the TTL; the fallback after a failed describe stays for
        # this reader (one describe per page would not heal it) and never reaches the state.
        ttl = float(self.settings.value("CONNECTORS_DESCRIBE_TTL_HOURS"))
        expired = self._lead_fields_at is not None and not is_fresh(
            self._lead_fields_at, ttl, utcnow()
        )
        if self._lead_fields is None or expired:
            try:
                body = self._get("/rest/v1/leads/describe.json")
                described = [f for f in body.get("result") or [] if isinstance(f, dict)]
                names = [(f.get("rest") or {}).get("name") for f in described]
                self._lead_types = {
                    str((f.get("rest") or {}).get("name")): str(f.get("dataType"))
                    for f in described
                }
                self._lead_fields = [str(n) for n in names if n] or list(FALLBACK_LEAD_FIELDS)
                self._lead_fields_at = utcnow()
            except VendorError:
                self._lead_fields = list(FALLBACK_LEAD_FIELDS)
                self._lead_fields_at = None
        return self._lead_fields

    def lead_types(self) -> dict[str, str]:
        """describe.json data types of the lead fields (a describe when none was read)."""
        if not self._lead_types:
            self._lead_fields = None
            self.lead_fields()
        return self._lead_types

    def _reuse_lead_fields(self, state: StreamState) -> None:
        """The field list the last run kept in the leads state, while it is fresh. A field
        Marketo no longer has is only missing from the answer, so a stale list costs no error."""
        if self._lead_fields is not None:
            return
        ttl = float(self.settings.value("CONNECTORS_DESCRIBE_TTL_HOURS"))
        kept = fields_if_fresh(state, ttl, utcnow())
        if kept is not None:
            self._lead_fields, self._lead_fields_at = list(kept), state.described_at

    def read_leads(self, run: StreamRun) -> Iterator[Page | DeferredPage]:
        """Lead-change activities since the cursor -> changed lead ids -> the leads themselves.
        First loads and old backfills go through Bulk Extract instead (bulk.py)."""
        if self.bulk.wanted(run):
            self._reuse_lead_fields(run.state)
            yield from self.bulk.read(run, "leads")
            return
        progress = run.progress(run.state.cursor, "activityDate")
        self._reuse_lead_fields(run.state)
        params = {"activityTypeIds": ",".join(str(t) for t in LEAD_CHANGE_TYPES)}
        for answer in self._token_pages(run, "/rest/v1/activities.json", run.state.cursor, params):
            activities = self._records(run, answer)
            progress.observe(activities)
            ids, rejects = _lead_ids(activities)
            # A page holds at most 300 activities, so at most one leads call per page; the
            # cursor moves only with the leads it covers.
            leads = self._fetch_leads(ids) if ids else []
            reached = progress.final() if answer.last else progress.committable()
            described = (
                {"fields": tuple(self._lead_fields or ()), "described_at": self._lead_fields_at}
                if self._lead_fields_at is not None
                else {}
            )
            yield Page(leads, run.state.evolve(cursor=reached, **described), rejects)

    def _fetch_leads(self, ids: list[int]) -> list[Any]:
        body = self._get(
            "/rest/v1/leads.json",
            {
                "filterType": "id",
                "filterValues": ",".join(str(i) for i in ids),
                "fields": ",".join(self.lead_fields()),
                "batchSize": PAGE_SIZE,
            },
        )
        return body.get("result") or []
