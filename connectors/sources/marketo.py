"""Marketo REST: client-credentials token, errors inside HTTP 200, paging tokens.

Leads changed since the cursor: Marketo's REST Lead Database has no "leads updated since"
query; the documented way is to read the lead-change activities (New Lead = 12, Change Data
Value = 13) from a paging token taken at the cursor, then fetch those leads by id
(`leads.json?filterType=id`, at most 300 ids a call). See connectors/README.md.
"""

import threading
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from connectors.config import Settings
from connectors.core.errors import (
    ConfigurationError,
    RateLimitedError,
    RetryableError,
    TokenExpiredError,
    VendorError,
)
from connectors.core.http import HttpClient, Response
from connectors.core.redact import register_secret
from connectors.core.timeutil import (
    parse_datetime,
    to_iso,
    to_iso_seconds,
    utcnow,
)
from connectors.sources.base import (
    CursorProgress,
    Page,
    cursor_state,
    describe_is_fresh,
    described_in_state,
    described_state,
    start_cursor,
)
from connectors.streams import Stream

EPOCH = "1970-01-01T00:00:00Z"
PAGE_SIZE = 300
TYPE_IDS_PER_CALL = 10  # the API accepts at most 10 activityTypeIds per request
TYPES_MAX_AGE = 3600.0  # seconds a types.json answer is reused within one process
LEAD_CHANGE_TYPES = (12, 13)  # New Lead, Change Data Value
TOKEN_CODES = {"601", "602"}
THROTTLE_CODES = {"606", "615"}
TRANSIENT_CODES = {"604", "608", "611", "713"}
# Lead fields asked for when describe is unavailable; Marketo returns only a handful otherwise.
FALLBACK_LEAD_FIELDS = (
    "id,email,firstName,lastName,company,title,phone,leadSource,leadStatus,leadScore,"
    "createdAt,updatedAt,sfdcLeadId,sfdcContactId,sfdcAccountId"
)


class MarketoAuth:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        with self._lock:
            self._token = None

    def headers(self, client: HttpClient) -> dict[str, str]:
        with self._lock:
            # Refresh a little early so a token never expires between send and arrival.
            if self._token is None or time.monotonic() > self._expires_at - 30:
                self._fetch(client)
            return {"Authorization": f"Bearer {self._token}"}

    def _fetch(self, client: HttpClient) -> None:
        s = self.settings
        # POST with a form body keeps the secret out of URLs (and so out of access logs).
        response = client.request(
            "POST",
            s["MARKETO_BASE_URL"].rstrip("/") + "/identity/oauth/token",
            authenticated=False,
            data={
                "grant_type": "client_credentials",
                "client_id": s["MARKETO_CLIENT_ID"],
                "client_secret": s["MARKETO_CLIENT_SECRET"],
            },
        )
        body = response.body
        if response.status != 200 or not isinstance(body, dict) or "access_token" not in body:
            raise ConfigurationError(
                f"marketo: token request refused (HTTP {response.status}): {body}",
                ("MARKETO_CLIENT_ID", "MARKETO_CLIENT_SECRET", "MARKETO_BASE_URL"),
            )
        self._token = str(body["access_token"])
        register_secret(self._token)
        self._expires_at = time.monotonic() + float(body.get("expires_in", 3600))


def _batches(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class MarketoReader:
    def __init__(self, settings: Settings, client: HttpClient) -> None:
        self.base = settings["MARKETO_BASE_URL"].rstrip("/")
        self.client = client
        client.auth = MarketoAuth(settings)
        client.classify = self._classify
        self.settings = settings
        self._lead_fields: str | None = None
        self._lead_fields_at: datetime | None = None
        self._types_cache: tuple[float, list[Any]] | None = None

    def close(self) -> None:
        self.client.close()

    def _classify(self, response: Response) -> None:
        body = response.body
        if isinstance(body, dict) and body.get("error") in ("invalid_client", "unauthorized"):
            # The identity endpoint's answer to a wrong client id or secret: no retry helps.
            raise ConfigurationError(
                f"marketo: token request refused (HTTP {response.status}): {body}",
                ("MARKETO_CLIENT_ID", "MARKETO_CLIENT_SECRET", "MARKETO_BASE_URL"),
            )
        if response.status == 401:
            raise TokenExpiredError("marketo: HTTP 401")
        if response.status >= 500 or response.status == 429:
            return  # the core retries these
        if response.status >= 400:
            raise VendorError(f"marketo: HTTP {response.status} {body} for {response.url}")
        if not isinstance(body, dict) or body.get("success", True):
            return
        errors = body.get("errors") or []
        codes = {str(e.get("code")) for e in errors if isinstance(e, dict)}
        if codes & TOKEN_CODES:
            raise TokenExpiredError(f"marketo: token rejected {sorted(codes)}")
        if codes & THROTTLE_CODES:
            raise RateLimitedError(f"marketo: throttled {sorted(codes)}")
        if codes & TRANSIENT_CODES:
            raise RetryableError(f"marketo: transient error {sorted(codes)}")
        raise VendorError(f"marketo: request failed {errors} for {response.url}")

    def _get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        body = self.client.request("GET", f"{self.base}{path}", params=params).body
        if not isinstance(body, dict):
            raise RetryableError(f"marketo: unexpected answer from {path}")
        return body

    def pages(self, stream: Stream, state: dict[str, Any] | None) -> Iterator[Page]:
        if stream.name == "activity_types":
            yield Page(self._types(), {"cursor": None, "full_refresh_at": to_iso(utcnow())})
        elif stream.name == "activities":
            yield from self._activities(stream, state)
        elif stream.name == "deleted_leads":
            yield from self._deleted_leads(stream, state)
        elif stream.name == "leads":
            yield from self._leads(stream, state)
        else:
            raise VendorError(f"marketo: no reader for stream {stream.name}")

    # -- paging tokens -----------------------------------------------------------------
    def _paging_token(self, since: str) -> str:
        body = self._get("/rest/v1/activities/pagingtoken.json", {"sinceDatetime": since})
        token = body.get("nextPageToken")
        if not token:
            raise VendorError("marketo: pagingtoken.json returned no nextPageToken")
        return str(token)

    def _token_pages(
        self, path: str, since: str, params: dict[str, Any] | None = None
    ) -> Iterator[tuple[list[Any], bool]]:
        """(records, last) per page, following nextPageToken while moreResult is true."""
        token = self._paging_token(since)
        while True:
            body = self._get(
                path, {**(params or {}), "nextPageToken": token, "batchSize": PAGE_SIZE}
            )
            more = bool(body.get("moreResult"))
            yield body.get("result") or [], not more
            if not more:
                return
            token = str(body.get("nextPageToken") or token)

    # -- activities --------------------------------------------------------------------
    def _types(self) -> list[Any]:
        """types.json, asked once for both streams that need it (activity_types, activities)
        and again only after TYPES_MAX_AGE seconds in a long-lived process."""
        if self._types_cache is None or time.monotonic() - self._types_cache[0] > TYPES_MAX_AGE:
            body = self._get("/rest/v1/activities/types.json")
            self._types_cache = (time.monotonic(), list(body.get("result") or []))
        return self._types_cache[1]

    def activity_type_ids(self) -> list[int]:
        return sorted(int(t["id"]) for t in self._types() if isinstance(t, dict) and "id" in t)

    def _activities(self, stream: Stream, state: dict[str, Any] | None) -> Iterator[Page]:
        """All types, 10 ids a call; each group keeps its own cursor so a crash resumes exactly."""
        type_cursors: dict[str, str | None] = dict((state or {}).get("type_cursors") or {})
        default = (state or {}).get("cursor")
        type_ids = self.activity_type_ids()
        for group in _batches(type_ids, TYPE_IDS_PER_CALL):
            starts = [type_cursors.get(str(t), default) for t in group]
            since = (
                None if any(s is None for s in starts) else min(parse_datetime(s) for s in starts)
            )  # type: ignore[arg-type]
            progress = CursorProgress(since, stream.cursor_field or "activityDate")
            pages = self._token_pages(
                "/rest/v1/activities.json",
                to_iso_seconds(since) if since else EPOCH,
                {"activityTypeIds": ",".join(str(t) for t in group)},
            )
            for records, last in pages:
                progress.observe(records)
                reached = progress.final() if last else progress.committable()
                if reached is not None:
                    for t in group:
                        type_cursors[str(t)] = to_iso(reached)
                yield Page(records, self._activities_state(type_cursors, type_ids))

    @staticmethod
    def _activities_state(
        type_cursors: dict[str, str | None], type_ids: list[int]
    ) -> dict[str, Any]:
        values = [type_cursors.get(str(t)) for t in type_ids]
        known = [parse_datetime(v) for v in values if v]
        overall = min(known) if known and len(known) == len(values) else None
        return {"cursor": to_iso(overall) if overall else None, "type_cursors": dict(type_cursors)}

    def _deleted_leads(self, stream: Stream, state: dict[str, Any] | None) -> Iterator[Page]:
        since = start_cursor(state)
        progress = CursorProgress(since, stream.cursor_field or "activityDate")
        pages = self._token_pages(
            "/rest/v1/activities/deletedleads.json", to_iso_seconds(since) if since else EPOCH
        )
        for records, last in pages:
            progress.observe(records)
            yield Page(records, cursor_state(progress.final() if last else progress.committable()))

    # -- leads ---------------------------------------------------------------------------
    def lead_fields(self) -> str:
        # A described list expires with the TTL; the fallback after a failed describe stays for
        # this reader (one describe per page would not heal it) and never reaches the state.
        expired = self._lead_fields_at is not None and not describe_is_fresh(
            self._lead_fields_at, self.settings
        )
        if self._lead_fields is None or expired:
            try:
                body = self._get("/rest/v1/leads/describe.json")
                names = [(f.get("rest") or {}).get("name") for f in body.get("result") or []]
                self._lead_fields = ",".join(n for n in names if n) or FALLBACK_LEAD_FIELDS
                self._lead_fields_at = utcnow()
            except VendorError:
                self._lead_fields = FALLBACK_LEAD_FIELDS
                self._lead_fields_at = None
        return self._lead_fields

    def _reuse_lead_fields(self, state: dict[str, Any] | None) -> None:
        """The field list the last run kept in the leads state, while it is fresh. A field
        Marketo no longer has is only missing from the answer, so a stale list costs no error."""
        kept = described_in_state(state, self.settings) if self._lead_fields is None else None
        if kept is not None and isinstance(kept[0], str):
            self._lead_fields, self._lead_fields_at = kept

    def _leads(self, stream: Stream, state: dict[str, Any] | None) -> Iterator[Page]:
        """Lead-change activities since the cursor -> changed lead ids -> the leads themselves."""
        since = start_cursor(state)
        progress = CursorProgress(since, "activityDate")
        self._reuse_lead_fields(state)
        pages = self._token_pages(
            "/rest/v1/activities.json",
            to_iso_seconds(since) if since else EPOCH,
            {"activityTypeIds": ",".join(str(t) for t in LEAD_CHANGE_TYPES)},
        )
        for activities, last in pages:
            progress.observe(activities)
            ids = list(
                dict.fromkeys(
                    int(a["leadId"])
                    for a in activities
                    if isinstance(a, dict) and a.get("leadId") is not None
                )
            )
            # A page holds at most 300 activities, so at most one leads call per page; the
            # cursor moves only with the leads it covers.
            leads = self._fetch_leads(ids) if ids else []
            reached = progress.final() if last else progress.committable()
            yield Page(
                leads,
                cursor_state(reached, **described_state(self._lead_fields, self._lead_fields_at)),
            )

    def _fetch_leads(self, ids: list[int]) -> list[Any]:
        body = self._get(
            "/rest/v1/leads.json",
            {
                "filterType": "id",
                "filterValues": ",".join(str(i) for i in ids),
                "fields": self.lead_fields(),
                "batchSize": PAGE_SIZE,
            },
        )
        return body.get("result") or []
