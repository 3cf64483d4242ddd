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
from connectors.core.state import fields_if_fresh, is_fresh
from connectors.core.timeutil import to_iso_seconds, utcnow
from connectors.core.vendor import Page, StreamRun
from connectors.sources.salesforce.auth import SalesforceAuth, login_refused

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
        self._described_at: dict[str, datetime] = {}

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
        used, limit = self.api_used, self.api_limit
        if used is not None and limit is not None and used >= limit:
            raise QuotaExhaustedError(
                f"salesforce: daily API quota spent ({self.api_used}/{self.api_limit})"
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

    def soql(self, sobject: str, cursor: str, since: datetime | None) -> str:
        for name in (sobject, cursor):  # declared, so always names; checked all the same
            if not API_NAME.match(name):
                raise VendorError(f"salesforce: {name!r} is not an API name")
        query = f"SELECT {', '.join(self.fields(sobject))} FROM {sobject}"
        if since is not None:
            query += f" WHERE {cursor} >= {to_iso_seconds(since)}"
        return query + f" ORDER BY {cursor} ASC, Id ASC"

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
    def read_sobject(self, run: StreamRun) -> Iterator[Page]:
        """Records changed since the cursor (deleted ones included), in cursor order."""
        stream = run.stream
        cursor = stream.cursor_field or "SystemModstamp"
        since = run.state.cursor
        progress = run.progress(since, cursor)
        self._reuse_described(stream.endpoint, run)
        for answer in self._answers(run, cursor, since):
            records = dig(answer.body, stream.records_path)
            if not isinstance(records, list):
                raise VendorError(f"salesforce: unexpected query answer for {stream.endpoint}")
            progress.observe(records)
            reached = progress.final() if answer.last else progress.committable()
            yield Page(
                records,
                run.state.evolve(
                    cursor=reached,
                    fields=tuple(self._fields[stream.endpoint]),
                    described_at=self._described_at[stream.endpoint],
                ),
            )
