"""Gong v2: users, and calls (CallData) by start time from /v2/calls/extensive."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from connectors.core.errors import (
    ConfigurationError,
    RateLimitedError,
    TokenExpiredError,
    VendorError,
)
from connectors.core.http import HttpClient, Response
from connectors.core.paging import Answer, Request, dig, paginate
from connectors.core.state import StreamState
from connectors.core.timeutil import to_iso_seconds, utcnow
from connectors.core.vendor import Page, StreamRun

if TYPE_CHECKING:
    from connectors.settings import Settings

EPOCH = "1970-01-01T00:00:00Z"
CREDENTIALS = ("GONG_ACCESS_KEY", "GONG_ACCESS_KEY_SECRET")
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


class GongReader:
    def __init__(self, settings: "Settings", client: HttpClient) -> None:
        self.base = settings.value("GONG_BASE_URL")
        self.lookback = timedelta(hours=settings.value("GONG_CALLS_LOOKBACK_HOURS"))
        self.reconcile_every = timedelta(hours=settings.value("GONG_CALLS_RECONCILE_HOURS"))
        self.client = client
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
                f"gong: access denied (HTTP {response.status}): {response.body}", CREDENTIALS
            )
        if response.status < 400:
            self._auth_refusals = 0
        if 400 <= response.status < 500 and response.status != 404:
            raise VendorError(f"gong: HTTP {response.status} {response.body} for {response.url}")

    @staticmethod
    def _records(run: StreamRun, answer: Answer) -> list[Any]:
        # 404 is Gong's way of saying "nothing in this range".
        if answer.response.status == 404:
            return []
        return list(dig(answer.body, run.stream.records_path) or [])

    def read_users(self, run: StreamRun) -> Iterator[Page]:
        request = Request("GET", f"{self.base}{run.stream.endpoint}")
        for answer in paginate(self.client, request, run.stream.paginator, run.budget):
            done = run.state.evolve(cursor=None, full_refresh_at=utcnow())
            yield Page(self._records(run, answer), done if answer.last else None)

    def read_calls(self, run: StreamRun) -> Iterator[Page]:
        """Calls started since the cursor minus a lookback, or every call in a reconciling scan.

        Gong lists calls by start time only, with no "changed since" filter and no tombstones.
        So an incremental pass re-reads the lookback window (where calls still change), and a
        full scan every GONG_CALLS_RECONCILE_HOURS re-reads everything: older edits arrive, and a
        call that the completed scan did not land again was deleted (staging flags it by
        comparing its last `_extracted_at` with `last_full_scan_started_at` of the stream state).
        A crash mid-scan resumes the scan from its committed cursor.
        """
        state = run.state
        since = state.cursor
        scan_started = state.scan_started_at or (
            utcnow() if self._reconcile_due(state.full_scan_started_at) else None
        )
        if scan_started and not state.scan_started_at:
            since = None  # a new full scan starts from the first call
        from_dt = EPOCH
        if since is not None:
            # A scan resumes exactly where it stopped; an incremental pass looks back.
            from_dt = to_iso_seconds(since if scan_started else since - self.lookback)
        progress = run.progress(since)

        def state_for(cursor: datetime | None, done: bool) -> StreamState:
            if scan_started is None:
                return state.evolve(cursor=cursor)
            if done:
                return state.evolve(
                    cursor=cursor, full_scan_started_at=scan_started, scan_started_at=None
                )
            return state.evolve(cursor=cursor, scan_started_at=scan_started)

        # /extensive filters by start time itself: one call per page, where listing
        # /v2/calls first and asking /extensive for its ids took two.
        request = Request(
            "POST",
            f"{self.base}{run.stream.endpoint}",
            json={"filter": {"fromDateTime": from_dt}, "contentSelector": CONTENT_SELECTOR},
        )
        for answer in paginate(self.client, request, run.stream.paginator, run.budget):
            records = self._records(run, answer)
            progress.observe(records)
            committed = progress.final() if answer.last else progress.committable()
            yield Page(records, state_for(committed, answer.last))

    def _reconcile_due(self, last_full_scan: datetime | None) -> bool:
        if last_full_scan is None:
            return True
        return utcnow() - last_full_scan >= self.reconcile_every
