"""Gong v2: HTTP Basic, cursor paging, CallData by start time from /v2/calls/extensive."""

import base64
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from connectors.config import Settings
from connectors.core.errors import (
    ConfigurationError,
    RateLimitedError,
    TokenExpiredError,
    VendorError,
)
from connectors.core.http import HttpClient, Response
from connectors.core.redact import register_secret
from connectors.core.timeutil import parse_datetime, to_iso, to_iso_seconds, utcnow
from connectors.sources.base import CursorProgress, Page, cursor_state, start_cursor
from connectors.streams import Stream

EPOCH = "1970-01-01T00:00:00Z"
# Everything the marts need (parties for people, interaction stats for talk figures) plus
# the CRM context that links a call to its Salesforce account.
CONTENT_SELECTOR: dict[str, Any] = {
    "context": "Extended",
    "contextTiming": ["Now"],
    "exposedFields": {
        "parties": True,
        "content": {"structure": True, "topics": True, "trackers": True, "brief": True},
        "interaction": {
            "speakers": True,
            "video": True,
            "personInteractionStats": True,
            "questions": True,
        },
        "collaboration": {"publicComments": True},
    },
}


class GongAuth:
    def __init__(self, settings: Settings) -> None:
        pair = f"{settings['GONG_ACCESS_KEY']}:{settings['GONG_ACCESS_KEY_SECRET']}"
        self._value = base64.b64encode(pair.encode()).decode()
        register_secret(self._value)

    def headers(self, client: HttpClient) -> dict[str, str]:
        return {"Authorization": f"Basic {self._value}"}

    def invalidate(self) -> None:
        """Basic credentials do not expire; nothing to refresh."""


class GongReader:
    def __init__(self, settings: Settings, client: HttpClient) -> None:
        self.base = settings["GONG_BASE_URL"].rstrip("/")
        self.lookback = timedelta(hours=settings.number("GONG_CALLS_LOOKBACK_HOURS"))
        self.reconcile_every = timedelta(hours=settings.number("GONG_CALLS_RECONCILE_HOURS"))
        self.client = client
        client.auth = GongAuth(settings)
        client.classify = self._classify
        self._auth_refusals = 0

    def close(self) -> None:
        self.client.close()

    def _classify(self, response: Response) -> None:
        if response.status == 429:
            retry_after = response.headers.get("Retry-After")
            raise RateLimitedError(
                "gong: HTTP 429 rate limited",
                retry_after=float(retry_after) if retry_after else None,
            )
        if response.status in (401, 403):
            # Basic keys do not expire, but a gateway may refuse one request; a second refusal
            # in a row means the credentials are wrong, which no retry will fix.
            self._auth_refusals += 1
            if self._auth_refusals <= 2:
                raise TokenExpiredError(f"gong: request refused (HTTP {response.status})")
            raise ConfigurationError(
                f"gong: access denied (HTTP {response.status}): {response.body}",
                ("GONG_ACCESS_KEY", "GONG_ACCESS_KEY_SECRET"),
            )
        if response.status < 400:
            self._auth_refusals = 0
        if 400 <= response.status < 500 and response.status != 404:
            raise VendorError(f"gong: HTTP {response.status} {response.body} for {response.url}")

    def pages(self, stream: Stream, state: dict[str, Any] | None) -> Iterator[Page]:
        if stream.name == "users":
            yield from self._users()
        elif stream.name == "calls":
            yield from self._calls(stream, state)
        else:
            raise VendorError(f"gong: no reader for stream {stream.name}")

    def _users(self) -> Iterator[Page]:
        cursor: str | None = None
        while True:
            params = {"cursor": cursor} if cursor else {}
            response = self.client.request("GET", f"{self.base}/v2/users", params=params)
            if response.status == 404:
                yield Page([], {"cursor": None, "full_refresh_at": to_iso(utcnow())})
                return
            body = response.body
            cursor = (body.get("records") or {}).get("cursor")
            users = body.get("users") or []
            if not cursor:
                yield Page(users, {"cursor": None, "full_refresh_at": to_iso(utcnow())})
                return
            yield Page(users, None)

    def _calls(self, stream: Stream, state: dict[str, Any] | None) -> Iterator[Page]:
        """Calls started since the cursor minus a lookback, or every call in a reconciling scan.

        Gong lists calls by start time only, with no "changed since" filter and no tombstones.
        So an incremental pass re-reads the lookback window (where calls still change), and a
        full scan every GONG_CALLS_RECONCILE_HOURS re-reads everything: older edits arrive, and a
        call that the completed scan did not land again was deleted (staging flags it by
        comparing its last `_extracted_at` with `full_scan_started_at` in the stream state).
        A crash mid-scan resumes the scan from its committed cursor.
        """
        state = state or {}
        since = start_cursor(state)
        last_full_scan = state.get("full_scan_started_at")
        scan_started = state.get("scan_started_at") or (
            to_iso(utcnow()) if self._reconcile_due(last_full_scan) else None
        )
        if scan_started and not state.get("scan_started_at"):
            since = None  # a new full scan starts from the first call
        from_dt = EPOCH
        if since is not None:
            # A scan resumes exactly where it stopped; an incremental pass looks back.
            from_dt = to_iso_seconds(since if scan_started else since - self.lookback)
        progress = CursorProgress(since, stream.cursor_field or "metaData.started")

        def state_for(cursor: datetime | None, done: bool) -> dict[str, Any]:
            if scan_started is None:
                return cursor_state(cursor, full_scan_started_at=last_full_scan)
            if done:
                return cursor_state(cursor, full_scan_started_at=scan_started)
            return cursor_state(
                cursor, full_scan_started_at=last_full_scan, scan_started_at=scan_started
            )

        cursor: str | None = None
        while True:
            # /extensive filters by start time itself: one call per page, where listing
            # /v2/calls first and asking /extensive for its ids took two.
            payload: dict[str, Any] = {
                "filter": {"fromDateTime": from_dt},
                "contentSelector": CONTENT_SELECTOR,
            }
            if cursor:
                payload["cursor"] = cursor
            response = self.client.request("POST", f"{self.base}/v2/calls/extensive", json=payload)
            if response.status == 404:  # Gong's way of saying "no calls in this range"
                yield Page([], state_for(progress.final(), done=True))
                return
            body = response.body
            cursor = (body.get("records") or {}).get("cursor")
            records = body.get("calls") or []
            progress.observe(records)
            done = not cursor
            committed = progress.final() if done else progress.committable()
            yield Page(records, state_for(committed, done))
            if done:
                return

    def _reconcile_due(self, last_full_scan: str | None) -> bool:
        if not last_full_scan:
            return True
        return utcnow() - parse_datetime(last_full_scan) >= self.reconcile_every
