"""Gong (call recording): HTTP Basic, cursor paging, calls by start time."""

from typing import TYPE_CHECKING

from connectors.core import setting_checks as check
from connectors.core.auth import BasicAuth
from connectors.core.paging import TokenPaginator
from connectors.core.quota import DailyQuota
from connectors.core.vendor import RateLimit, Setting, Stream, Vendor
from connectors.sources.gong.reader import CREDENTIALS, GongReader

if TYPE_CHECKING:
    from connectors.settings import Settings


def _auth(settings: "Settings") -> BasicAuth:
    return BasicAuth(settings["GONG_ACCESS_KEY"], settings["GONG_ACCESS_KEY_SECRET"])


VENDOR = Vendor(
    name="gong",
    title="Gong",
    base_url_setting="GONG_BASE_URL",
    credential_settings=CREDENTIALS,
    settings=(
        Setting(
            "GONG_BASE_URL",
            "http://127.0.0.1:8703",
            "https://api.gong.io or your customer host",
            check.url,
        ),
        Setting("GONG_ACCESS_KEY", "sandbox-gong-key", "API access key", check.text, True),
        Setting(
            "GONG_ACCESS_KEY_SECRET",
            "sandbox-gong-secret",
            "API access key secret",
            check.text,
            True,
        ),
        # Gong has no "changed since" filter: each run re-reads the calls started this many hours
        # before the cursor (titles, CRM context and stats settle after a call), and every
        # GONG_CALLS_RECONCILE_HOURS one run re-reads every call, which also finds deleted calls.
        Setting(
            "GONG_CALLS_LOOKBACK_HOURS",
            "72",
            "each incremental pass re-reads calls started this long before the cursor (0: none)",
            check.non_negative_number,
        ),
        Setting(
            "GONG_CALLS_RECONCILE_HOURS",
            "24",
            "a full scan of every call at most this often (0 = every run)",
            check.non_negative_number,
        ),
        Setting("GONG_DAILY_CALLS", "10000", "API calls a day for the company", check.positive_int),
    ),
    streams=(
        Stream(
            name="users",
            description="Gong users (full refresh).",
            primary_key="id",
            cursor_field=None,
            endpoint="/v2/users",
            records_path="users",
            paginator=TokenPaginator(cursor_path="records.cursor", param="cursor"),
            read=GongReader.read_users,
        ),
        Stream(
            name="calls",
            description="Gong calls started since the cursor, as /v2/calls/extensive returns them.",
            primary_key="metaData.id",
            cursor_field="metaData.started",
            endpoint="/v2/calls/extensive",
            records_path="calls",
            paginator=TokenPaginator(cursor_path="records.cursor", param="cursor", in_body=True),
            read=GongReader.read_calls,
            method="POST",
        ),
    ),
    auth=_auth,
    reader=GongReader,
    # 3 calls / s per company (vendor-apis.md 4.1); the day's 10,000 are counted apart.
    rate_limits=(RateLimit(3, 1),),
    daily_quota=DailyQuota(timezone="UTC", calls_setting="GONG_DAILY_CALLS"),
)
