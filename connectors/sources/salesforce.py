"""Salesforce REST: OAuth password grant, describe-driven SOQL through queryAll, nextRecordsUrl.

Daily API quota: Salesforce has no per-second limit to pace against; it reports usage in
`Sforce-Limit-Info: api-usage=<used>/<limit>` on every answer. The client keeps the latest
figure and refuses to send once the quota is spent (a clear error instead of a storm of 403s).
"""

import re
import threading
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import quote

from connectors.config import Settings
from connectors.core.errors import (
    ConfigurationError,
    QuotaExhaustedError,
    RateLimitedError,
    TokenExpiredError,
    VendorError,
)
from connectors.core.http import HttpClient, Response
from connectors.core.redact import register_secret
from connectors.core.timeutil import to_iso_seconds, utcnow
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

BATCH_SIZE = 2000
# Compound fields duplicate their components and some APIs refuse them in SOQL.
_UNSELECTABLE_TYPES = {"address", "location"}
_LIMIT_INFO = re.compile(r"api-usage=(\d+)/(\d+)")


def _error_codes(body: Any) -> list[str]:
    if isinstance(body, list):
        return [str(e.get("errorCode")) for e in body if isinstance(e, dict)]
    if isinstance(body, dict) and "error" in body:
        return [str(body.get("error"))]
    return []


class SalesforceAuth:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._token: str | None = None
        self.instance_url: str | None = None
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        with self._lock:
            self._token = None

    def headers(self, client: HttpClient) -> dict[str, str]:
        with self._lock:
            if self._token is None:
                self._token = self._fetch(client)
            return {"Authorization": f"Bearer {self._token}"}

    def _fetch(self, client: HttpClient) -> str:
        s = self.settings
        url = s["SALESFORCE_LOGIN_URL"].rstrip("/") + "/services/oauth2/token"
        response = client.request(
            "POST",
            url,
            authenticated=False,
            data={
                "grant_type": "password",
                "client_id": s["SALESFORCE_CLIENT_ID"],
                "client_secret": s["SALESFORCE_CLIENT_SECRET"],
                "username": s["SALESFORCE_USERNAME"],
                "password": s["SALESFORCE_PASSWORD"],
            },
        )
        body = response.body
        if response.status != 200 or not isinstance(body, dict) or "access_token" not in body:
            raise ConfigurationError(
                f"salesforce: login refused (HTTP {response.status}): {body}",
                (
                    "SALESFORCE_USERNAME",
                    "SALESFORCE_PASSWORD",
                    "SALESFORCE_CLIENT_ID",
                    "SALESFORCE_CLIENT_SECRET",
                ),
            )
        token = str(body["access_token"])
        register_secret(token)
        self.instance_url = str(body.get("instance_url") or s["SALESFORCE_LOGIN_URL"]).rstrip("/")
        return token


class SalesforceReader:
    def __init__(self, settings: Settings, client: HttpClient) -> None:
        self.settings = settings
        self.client = client
        self.auth = SalesforceAuth(settings)
        client.auth = self.auth
        client.classify = self._classify
        self.api_used: int | None = None
        self.api_limit: int | None = None
        self._fields: dict[str, list[str]] = {}
        self._described_at: dict[str, datetime] = {}

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
        if isinstance(response.body, dict) and response.body.get("error") == "invalid_grant":
            # The OAuth endpoint's answer to a wrong user, password or security token.
            raise ConfigurationError(
                f"salesforce: login refused (HTTP {response.status}): {response.body}",
                (
                    "SALESFORCE_USERNAME",
                    "SALESFORCE_PASSWORD",
                    "SALESFORCE_CLIENT_ID",
                    "SALESFORCE_CLIENT_SECRET",
                ),
            )
        if response.status >= 400:
            raise VendorError(
                f"salesforce: HTTP {response.status} {response.body} for {response.url}"
            )

    def _check_quota(self) -> None:
        used, limit = self.api_used, self.api_limit
        if used is not None and limit is not None and used >= limit:
            raise QuotaExhaustedError(
                f"salesforce: daily API quota spent ({self.api_used}/{self.api_limit})"
            )

    def _get(self, path_or_url: str, **kwargs: Any) -> Any:
        self._check_quota()
        if self.auth.instance_url is None:
            self.auth.headers(self.client)  # logs in, learns instance_url
        url = path_or_url
        if not url.startswith("http"):
            url = f"{self.auth.instance_url}{path_or_url}"
        return self.client.request("GET", url, **kwargs).body

    # -- streams -------------------------------------------------------------------------
    def _api(self) -> str:
        return f"/services/data/v{self.settings['SALESFORCE_API_VERSION']}"

    def fields(self, sobject: str) -> list[str]:
        """Every selectable field of the object, standard and custom, from describe."""
        if sobject not in self._fields or not describe_is_fresh(
            self._described_at[sobject], self.settings
        ):
            body = self._get(f"{self._api()}/sobjects/{sobject}/describe")
            names = [
                f["name"]
                for f in body.get("fields", [])
                if f.get("type") not in _UNSELECTABLE_TYPES and f.get("name")
            ]
            if "Id" not in names:
                raise VendorError(f"salesforce: describe of {sobject} has no Id field")
            self._fields[sobject] = names
            self._described_at[sobject] = utcnow()
        return self._fields[sobject]

    def _reuse_described(self, sobject: str, state: dict[str, Any] | None) -> None:
        """The field list the last run kept in the stream state, while it is fresh."""
        kept = described_in_state(state, self.settings) if sobject not in self._fields else None
        if kept is not None and isinstance(kept[0], list) and "Id" in kept[0]:
            self._fields[sobject] = [str(f) for f in kept[0]]
            self._described_at[sobject] = kept[1]

    def soql(self, stream: Stream, since: Any) -> str:
        cursor = stream.cursor_field or "SystemModstamp"
        query = f"SELECT {', '.join(self.fields(stream.endpoint))} FROM {stream.endpoint}"
        if since is not None:
            query += f" WHERE {cursor} >= {to_iso_seconds(since)}"
        return query + f" ORDER BY {cursor} ASC, Id ASC"

    def _first_page(self, stream: Stream, since: Any, headers: dict[str, str]) -> Any:
        """The query's first page; a field the cached describe still lists but the org has
        dropped (INVALID_FIELD) means: describe again and ask once more."""
        url = f"{self._api()}/queryAll?q={quote(self.soql(stream, since), safe='')}"
        try:
            return self._get(url, headers=headers)
        except VendorError as exc:
            if "INVALID_FIELD" not in str(exc):
                raise
            self._fields.pop(stream.endpoint, None)
            url = f"{self._api()}/queryAll?q={quote(self.soql(stream, since), safe='')}"
            return self._get(url, headers=headers)

    def pages(self, stream: Stream, state: dict[str, Any] | None) -> Iterator[Page]:
        since = start_cursor(state)
        progress = CursorProgress(since, stream.cursor_field or "SystemModstamp")
        headers = {"Sforce-Query-Options": f"batchSize={BATCH_SIZE}"}
        self._reuse_described(stream.endpoint, state)
        body = self._first_page(stream, since, headers)
        described = described_state(
            self._fields[stream.endpoint], self._described_at[stream.endpoint]
        )
        while True:
            if not isinstance(body, dict) or "records" not in body:
                raise VendorError(f"salesforce: unexpected query answer for {stream.endpoint}")
            records = body["records"]
            progress.observe(records)
            next_url = body.get("nextRecordsUrl")
            done = bool(body.get("done", True)) or not next_url
            committed = progress.final() if done else progress.committable()
            yield Page(records, cursor_state(committed, **described))
            if done:
                return
            body = self._get(str(next_url), headers=headers)
