"""Marketo (marketing automation): client-credentials token, activities by paging token."""

from connectors.core import setting_checks as check
from connectors.core.paging import SinglePage, TokenPaginator
from connectors.core.vendor import RateLimit, Setting, Stream, Vendor
from connectors.sources.marketo.auth import CREDENTIALS, MarketoAuth
from connectors.sources.marketo.reader import MarketoReader

# Activity listings always return a nextPageToken; `moreResult` says whether to follow it.
PAGING_TOKEN = TokenPaginator(
    cursor_path="nextPageToken", param="nextPageToken", more_path="moreResult"
)

VENDOR = Vendor(
    name="marketo",
    title="Marketo",
    base_url_setting="MARKETO_BASE_URL",
    credential_settings=CREDENTIALS,
    settings=(
        Setting(
            "MARKETO_BASE_URL",
            "http://127.0.0.1:8702",
            "https://<munchkin-id>.mktorest.com (identity and REST paths are appended)",
            check.url,
        ),
        Setting("MARKETO_CLIENT_ID", "sandbox-mkto-client", "API-only user", check.text, True),
        Setting("MARKETO_CLIENT_SECRET", "sandbox-mkto-secret", "API-only user", check.text, True),
    ),
    streams=(
        Stream(
            name="activity_types",
            description="Marketo activity types (full refresh).",
            primary_key="id",
            cursor_field=None,
            endpoint="/rest/v1/activities/types.json",
            records_path="result",
            paginator=SinglePage(),
            read=MarketoReader.read_activity_types,
        ),
        Stream(
            name="activities",
            description="Marketo activities of every type, by paging token since the cursor.",
            primary_key="marketoGUID",
            cursor_field="activityDate",
            endpoint="/rest/v1/activities.json",
            records_path="result",
            paginator=PAGING_TOKEN,
            read=MarketoReader.read_activities,
        ),
        Stream(
            name="leads",
            description="Marketo leads changed since the cursor (see connectors/README.md).",
            primary_key="id",
            cursor_field="updatedAt",
            endpoint="/rest/v1/leads.json",
            records_path="result",
            paginator=PAGING_TOKEN,
            read=MarketoReader.read_leads,
        ),
        Stream(
            name="deleted_leads",
            description="Marketo Delete Lead activities (type 37) since the cursor.",
            primary_key="marketoGUID",
            cursor_field="activityDate",
            endpoint="/rest/v1/activities/deletedleads.json",
            records_path="result",
            paginator=PAGING_TOKEN,
            read=MarketoReader.read_deleted_leads,
        ),
    ),
    auth=MarketoAuth,
    reader=MarketoReader,
    # 100 calls / 20 s per instance and 50,000 a day (vendor-apis.md 3.3).
    rate_limits=(RateLimit(100, 20), RateLimit(50_000, 86_400)),
)
