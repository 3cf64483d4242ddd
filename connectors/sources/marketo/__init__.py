"""Marketo (marketing automation): client-credentials token, activities by paging token."""

from connectors.core import setting_checks as check
from connectors.core.paging import SinglePage, TokenPaginator
from connectors.core.quota import DailyQuota
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
        Setting(
            "MARKETO_BULK",
            "auto",
            "auto: first loads and old backfills of leads and activities of a large instance "
            "through Bulk Extract; never; always",
            check.choice("auto", "never", "always"),
        ),
        Setting(
            "MARKETO_BULK_MIN_LEADS",
            "50000",
            "auto goes bulk when about this many lead changes (New Lead, Change Data Value) "
            "lie ahead of the cursor (estimated from one page)",
            check.non_negative_int,
        ),
        Setting(
            "MARKETO_BULK_AFTER_DAYS",
            "7",
            "a backfill from a cursor older than this many days goes through Bulk Extract",
            check.non_negative_number,
        ),
        Setting(
            "MARKETO_PRIORITY_ACTIVITY_TYPES",
            "13",
            "activity type ids the models read (the MQL's: dbt var mql_activity_type_id), read "
            "over REST during a bulk first load or backfill so they are whole on its first day; "
            "the other types wait for Bulk Extract's daily export allowance; none: every type bulk",
            check.id_list,
        ),
        Setting(
            "MARKETO_DAILY_CALLS",
            "50000",
            "API calls a day for the whole subscription (every integration of the customer)",
            check.positive_int,
        ),
        Setting(
            "MARKETO_DAILY_EXPORT_MB",
            "500",
            "Bulk Extract file volume a day, in MB (the subscription's; 500 by default)",
            check.positive_number,
        ),
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
        # Leads before activities: when a first load's Bulk Extract files pass the day's
        # export allowance (500 MB), the leads (a tenth of the volume, the funnel's base) land
        # on the first day and the activities' windows go on the next.
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
    # 100 calls / 20 s per instance (vendor-apis.md 3.3); the day's quota is counted apart.
    rate_limits=(RateLimit(100, 20),),
    # The day resets at 12:00 AM US Central.
    daily_quota=DailyQuota(
        timezone="America/Chicago",
        calls_setting="MARKETO_DAILY_CALLS",
        export_mb_setting="MARKETO_DAILY_EXPORT_MB",
    ),
)
