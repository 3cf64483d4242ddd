"""Salesforce REST: describe-driven SOQL through queryAll, paged by `nextRecordsUrl`.

Daily API quota: Salesforce has no per-second limit to pace against; it reports usage in
`Sforce-Limit-Info: api-usage=<used>/<limit>` on every answer. The client keeps the latest
figure and refuses to send once the quota is spent (a clear error instead of a storm of 403s).
"""

import logging
import re
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from connectors.core.errors import (
    QuotaExhaustedError,
    RateLimitedError,
    TokenExpiredError,
    VendorError,
)
from connectors.core.http import HttpClient, Response
from connectors.core.paging import Answer, Request, dig, paginate
from connectors.core.quota import QuotaReserveReached
from connectors.core.state import StreamState, fields_if_fresh, is_fresh
from connectors.core.timeutil import to_iso_seconds, utcnow
from connectors.core.vendor import DeferredPage, Page, StreamRun
from connectors.sources.salesforce.auth import SalesforceAuth, login_refused
from connectors.sources.salesforce.bulk import SalesforceBulk

if TYPE_CHECKING:
    from connectors.settings import Settings

log = logging.getLogger("connectors.salesforce")
BATCH_SIZE = 2000
# Compound fields duplicate their components and some APIs refuse them in SOQL.
_UNSELECTABLE_TYPES = {"address", "location"}
_LIMIT_INFO = re.compile(r"api-usage=(\d+)/(\d+)")
# OAuth error codes that mean: the credentials or the connected app are wrong.
OAUTH_REFUSALS = {"invalid_grant", "invalid_client", "unauthorized_client", "invalid_client_id"}
# What an API name can be (User, Budget_Status__c, ns__Field__c): anything else from a
# describe answer is not spliced into SOQL.
API_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,79}$")


def _error_codes(body: Any) -> list[str]:
    if isinstance(body, list):
        return [str(e.get("errorCode")) for e in body if isinstance(e, dict)]
    if isinstance(body, dict) and "error" in body:
        return [str(body.get("error"))]
    return []


class SalesforceReader:
    def __init__(self, settings: "Settings", client: HttpClient) -> None:
        self.settings = settings
        self.client = client
        client.classify = self._classify
        client.guard = self._check_quota
        self.api_used: int | None = None
        self.api_limit: int | None = None
        self._fields: dict[str, list[str]] = {}
        self._types: dict[str, dict[str, str]] = {}  # field -> describe type, per object
        self._described_at: dict[str, datetime] = {}
        self.bulk = SalesforceBulk(self)

    @property
    def auth(self) -> SalesforceAuth:
        assert isinstance(self.client.auth, SalesforceAuth)
        return self.client.auth

    def close(self) -> None:
        self.client.close()

    # -- vendor conventions ------------------------------------------------------------
    def _classify(self, response: Response) -> None:
        info = response.headers.get("Sforce-Limit-Info")
        if info and (m := _LIMIT_INFO.search(info)):
            self.api_used, self.api_limit = int(m.group(1)), int(m.group(2))
        if response.status < 400:
            return
        codes = _error_codes(response.body)
        if response.status == 401 or "INVALID_SESSION_ID" in codes:
            raise TokenExpiredError("salesforce: session expired or invalid (INVALID_SESSION_ID)")
        if response.status == 403 and "REQUEST_LIMIT_EXCEEDED" in codes:
            retry_after = response.headers.get("Retry-After")
            raise RateLimitedError(
                "salesforce: REQUEST_LIMIT_EXCEEDED",
                retry_after=float(retry_after) if retry_after else None,
            )
        if response.status >= 500:
            return  # the core retries 5xx
        if isinstance(response.body, dict) and response.body.get("error") in OAUTH_REFUSALS:
            # The OAuth endpoint's answer to wrong credentials or a wrong connected app.
            raise login_refused(response.status, response.body)
        raise VendorError(f"salesforce: HTTP {response.status} {response.body} for {response.url}")

    def _check_quota(self) -> None:
        """Salesforce reports the org's usage (every integration's) on each answer: stop
        before it reaches the reserve left for the others, and before the limit itself."""
        used, limit = self.api_used, self.api_limit
        if used is None or limit is None:
            return
        if used >= limit:
            raise QuotaExhaustedError(f"salesforce: daily API quota spent ({used}/{limit})")
        reserve = self.settings.value("CONNECTORS_QUOTA_RESERVE_SHARE")
        if used >= int(limit * (1 - reserve)):
            raise QuotaReserveReached(
                f"salesforce: {used:,} of the org's {limit:,} API requests of the last 24 h are "
                f"used; the rest ({reserve:.0%}) is left for the customer's other integrations "
                "(CONNECTORS_QUOTA_RESERVE_SHARE). Stopped with the cursor committed; a later "
                "run goes on when the rolling 24-hour usage has fallen"
            )

    def _url(self, path: str) -> str:
        if self.auth.instance_url is None:
            self.auth.headers(self.client)  # logs in, learns instance_url
        return f"{self.auth.instance_url}{path}"

    def _get(self, path: str, **kwargs: Any) -> Any:
        return self.client.request("GET", self._url(path), **kwargs).body

    # -- describe and SOQL ---------------------------------------------------------------
    def _api(self) -> str:
        return f"/services/data/v{self.settings.value('SALESFORCE_API_VERSION')}"

    def _ttl_hours(self) -> float:
        return float(self.settings.value("CONNECTORS_DESCRIBE_TTL_HOURS"))

    def fields(self, sobject: str) -> list[str]:
        """Every selectable field of the object, standard and custom, from describe."""
        if sobject not in self._fields or not is_fresh(
            self._described_at[sobject], self._ttl_hours(), utcnow()
        ):
            body = self._get(f"{self._api()}/sobjects/{sobject}/describe")
            fields = body.get("fields") if isinstance(body, dict) else None
            names = [
                str(f["name"])
                for f in fields or []
                if isinstance(f, dict)
                and f.get("type") not in _UNSELECTABLE_TYPES
                and f.get("name")
            ]
            refused = [n for n in names if not API_NAME.match(n)]
            if refused:
                log.warning(
                    "salesforce: describe of %s lists %d field names that are not API names "
                    "(left out of the query): %s",
                    sobject,
                    len(refused),
                    ", ".join(repr(n[:40]) for n in refused[:5]),
                )
                names = [n for n in names if API_NAME.match(n)]
            if "Id" not in names:
                raise VendorError(f"salesforce: describe of {sobject} has no Id field")
            self._fields[sobject] = names
            self._types[sobject] = {
                str(f["name"]): str(f.get("type") or "string")
                for f in fields or []
                if isinstance(f, dict) and f.get("name")
            }
            self._described_at[sobject] = utcnow()
        return self._fields[sobject]

    def _reuse_described(self, sobject: str, run: StreamRun) -> None:
        """The field list the last run kept in the stream state, while it is fresh."""
        if sobject in self._fields:
            return
        kept = fields_if_fresh(run.state, self._ttl_hours(), utcnow())
        if kept is not None and "Id" in kept and run.state.described_at is not None:
            self._fields[sobject] = list(kept)
            self._described_at[sobject] = run.state.described_at

    def field_types(self, sobject: str) -> dict[str, str]:
        """Describe types of the object's fields (a describe when only names were kept)."""
        if sobject not in self._types:
            self._fields.pop(sobject, None)
        self.fields(sobject)
        return self._types[sobject]

    def soql(
        self, sobject: str, cursor: str, since: datetime | None, *, ordered: bool = True
    ) -> str:
        for name in (sobject, cursor):  # declared, so always names; checked all the same
            if not API_NAME.match(name):
                raise VendorError(f"salesforce: {name!r} is not an API name")
        query = f"SELECT {', '.join(self.fields(sobject))} FROM {sobject}"
        if since is not None:
            query += f" WHERE {cursor} >= {to_iso_seconds(since)}"
        # Bulk API 2.0 refuses ORDER BY; its passes commit their cursor only at the end.
        return query + f" ORDER BY {cursor} ASC, Id ASC" if ordered else query

    def count(self, sobject: str, cursor: str, since: datetime | None) -> int:
        """How many records (deleted ones included) a pass from `since` would read: one call."""
        query = f"SELECT COUNT() FROM {sobject}"
        if since is not None:
            query += f" WHERE {cursor} >= {to_iso_seconds(since)}"
        body = self._get(f"{self._api()}/queryAll?q={quote(query, safe='')}")
        total = body.get("totalSize") if isinstance(body, dict) else None
        if not isinstance(total, int):
            raise VendorError(f"salesforce: COUNT() of {sobject} answered no totalSize")
        return total

    def _query(self, sobject: str, cursor: str, since: datetime | None) -> Request:
        q = quote(self.soql(sobject, cursor, since), safe="")
        return Request(
            "GET",
            self._url(f"{self._api()}/queryAll?q={q}"),
            headers={"Sforce-Query-Options": f"batchSize={BATCH_SIZE}"},
        )

    def _answers(self, run: StreamRun, cursor: str, since: datetime | None) -> Iterator[Answer]:
        """Bodies of the query's pages; a field the cached describe still lists but the org
        has dropped (INVALID_FIELD on the first page) means: describe again, ask once more."""
        sobject = run.stream.endpoint
        first = True
        try:
            for answer in paginate(
                self.client, self._query(sobject, cursor, since), run.stream.paginator, run.budget
            ):
                first = False
                yield answer
        except VendorError as exc:
            if not first or "INVALID_FIELD" not in str(exc):
                raise
            self._fields.pop(sobject, None)
            for answer in paginate(
                self.client, self._query(sobject, cursor, since), run.stream.paginator, run.budget
            ):
                yield answer

    # -- streams -------------------------------------------------------------------------
    def read_sobject(self, run: StreamRun) -> Iterator[Page | DeferredPage]:
        """Records changed since the cursor (deleted ones included): through Bulk API 2.0 when
        many (a first load, a re-sync, a large backfill), else paged REST in cursor order."""
        stream = run.stream
        cursor = stream.cursor_field or "SystemModstamp"
        self._reuse_described(stream.endpoint, run)
        if self.bulk.wanted(run, cursor):
            yield from self.bulk.read(run, cursor)
            return
        since = run.state.cursor
        progress = run.progress(since, cursor)
        read = 0
        for answer in self._answers(run, cursor, since):
            records = dig(answer.body, stream.records_path)
            if not isinstance(records, list):
                raise VendorError(f"salesforce: unexpected query answer for {stream.endpoint}")
            progress.observe(records)
            reached = progress.final() if answer.last else progress.committable()
            read += len(records)
            yield Page(records, self.described(run, cursor=reached, last_pass_records=read))

    def described(self, run: StreamRun, **changes: Any) -> StreamState:
        """The run's state with `changes` and the describe kept for the next run."""
        sobject = run.stream.endpoint
        return run.state.evolve(
            fields=tuple(self._fields[sobject]),
            described_at=self._described_at[sobject],
            **changes,
        )
