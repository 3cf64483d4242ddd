"""Salesforce (SFA/CRM): OAuth password grant, describe-driven SOQL through queryAll."""

from connectors.core import setting_checks as check
from connectors.core.paging import NextUrlPaginator
from connectors.core.quota import DailyQuota
from connectors.core.vendor import Setting, Stream, Vendor
from connectors.sources.salesforce.auth import CREDENTIALS, SalesforceAuth
from connectors.sources.salesforce.reader import SalesforceReader

# Each answer names the next page (relative URL) until `done` is true.
QUERY_PAGING = NextUrlPaginator(next_field="nextRecordsUrl", done_field="done")


def _sobject(name: str, sobject: str, what: str, cursor: str = "SystemModstamp") -> Stream:
    return Stream(
        name=name,
        description=f"Salesforce {sobject} ({what}) via queryAll, deleted rows included.",
        primary_key="Id",
        cursor_field=cursor,
        endpoint=sobject,
        records_path="records",
        paginator=QUERY_PAGING,
        read=SalesforceReader.read_sobject,
    )


VENDOR = Vendor(
    name="salesforce",
    title="Salesforce",
    base_url_setting="SALESFORCE_LOGIN_URL",
    credential_settings=CREDENTIALS,
    settings=(
        Setting(
            "SALESFORCE_LOGIN_URL",
            "http://127.0.0.1:8701",
            "token endpoint host: https://login.salesforce.com, https://test.salesforce.com "
            "or your My Domain; the API host is the token's instance_url",
            check.url,
        ),
        Setting("SALESFORCE_CLIENT_ID", "sandbox-sf-client", "connected app", check.text, True),
        Setting("SALESFORCE_CLIENT_SECRET", "sandbox-sf-secret", "connected app", check.text, True),
        Setting("SALESFORCE_USERNAME", "etl@sandbox.example", "integration user", check.text),
        Setting(
            "SALESFORCE_PASSWORD",
            "sandbox-sf-password",
            "password followed by the security token",
            check.secret_text,
            True,
        ),
        Setting("SALESFORCE_API_VERSION", "62.0", "REST API version", check.api_version),
        Setting(
            "SALESFORCE_BULK",
            "auto",
            "auto: large passes through Bulk API 2.0, small ones by REST; never; always",
            check.choice("auto", "never", "always"),
        ),
        Setting(
            "SALESFORCE_BULK_MIN_RECORDS",
            "20000",
            "a pass of at least this many records (COUNT() on first loads, re-syncs and after "
            "large passes) goes through Bulk API 2.0 instead of REST pages",
            check.non_negative_int,
        ),
        Setting(
            "SALESFORCE_BULK_RESULT_RECORDS",
            "5000",
            "records per Bulk API 2.0 result set (maxRecords): the memory of one page",
            check.positive_int,
        ),
    ),
    streams=(
        _sobject("user", "User", "reps"),
        _sobject("user_role", "UserRole", "roles, mapped to teams"),
        _sobject("account", "Account", "companies"),
        _sobject("contact", "Contact", "people at accounts"),
        _sobject("lead", "Lead", "leads with the handoff custom fields"),
        _sobject("opportunity", "Opportunity", "deals"),
        _sobject("opportunity_history", "OpportunityHistory", "stage changes"),
        _sobject(
            "opportunity_stage",
            "OpportunityStage",
            "stage metadata: IsWon, IsClosed, SortOrder, ForecastCategoryName",
        ),
        _sobject("lead_history", "LeadHistory", "field changes", cursor="CreatedDate"),
        _sobject("task", "Task", "calls and e-mails"),
        _sobject("event", "Event", "meetings"),
    ),
    auth=SalesforceAuth,
    reader=SalesforceReader,
    # No per-second quota is published; the daily one (a rolling 24 h for the org) is read
    # from Sforce-Limit-Info on every answer: calls are counted, the header decides.
    rate_limits=(),
    daily_quota=DailyQuota(timezone="UTC"),
)
