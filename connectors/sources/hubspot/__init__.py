"""HubSpot (marketing automation and CRM): private-app token, CRM v3 search by modification
time, archived reads, properties discovered, owner history and v4 associations attached."""

from typing import TYPE_CHECKING

from connectors.core import setting_checks as check
from connectors.core.errors import ConfigurationError
from connectors.core.paging import SinglePage, TokenPaginator
from connectors.core.quota import DailyQuota
from connectors.core.vendor import RateLimit, Setting, Stream, Vendor
from connectors.sources.hubspot.reader import (
    CREDENTIALS,
    MAX_SEARCH_PAGE,
    SEARCH_PATH,
    HubSpotReader,
    StaticBearer,
)

if TYPE_CHECKING:
    from connectors.settings import Settings

# `paging.next.after` names the next page, absent on the last one: a query parameter of the
# list endpoints, a body field of the search endpoint.
LIST_PAGING = TokenPaginator(cursor_path="paging.next.after", param="after")
SEARCH_PAGING = TokenPaginator(cursor_path="paging.next.after", param="after", in_body=True)


def _auth(settings: "Settings") -> StaticBearer:
    return StaticBearer(settings["HUBSPOT_ACCESS_TOKEN"])


def _search_page(variable: str, value: str) -> int:
    size = check.positive_int(variable, value)
    if size > MAX_SEARCH_PAGE:
        raise ConfigurationError(
            f"{variable} is {size}; HubSpot's search returns at most {MAX_SEARCH_PAGE} a page",
            (variable,),
        )
    return size


def _object(name: str, what: str, cursor: str = "hs_lastmodifieddate") -> Stream:
    return Stream(
        name=name,
        description=(
            f"HubSpot {what} ({name}) changed since the cursor, by the CRM search API on "
            f"{cursor}; archived ones from archived=true reads."
        ),
        primary_key="id",
        cursor_field=f"properties.{cursor}",
        endpoint=name,  # the CRM object type
        records_path="results",
        paginator=SEARCH_PAGING,
        read=HubSpotReader.read_objects,
        method="POST",
    )


VENDOR = Vendor(
    name="hubspot",
    title="HubSpot",
    base_url_setting="HUBSPOT_BASE_URL",
    credential_settings=CREDENTIALS,
    on_by_default=False,
    settings=(
        Setting(
            "HUBSPOT_BASE_URL",
            "http://127.0.0.1:8704",
            "https://api.hubapi.com (or an EU data-centre host your account uses)",
            check.url,
        ),
        Setting(
            "HUBSPOT_ACCESS_TOKEN",
            "sandbox-hubspot-token",
            "private app access token (scopes: crm.objects.contacts/companies/deals.read, "
            "crm.objects.owners.read, sales-email-read, crm.schemas.*.read)",
            check.secret_text,
            True,
        ),
        Setting(
            "HUBSPOT_BURST_CALLS",
            "100",
            "calls per 10 seconds for the account (Free/Starter 100, Professional and "
            "Enterprise 190); shared with the account's other apps",
            check.positive_int,
        ),
        Setting(
            "HUBSPOT_SEARCH_CALLS_PER_SECOND",
            "4",
            "CRM search calls per second (HubSpot's search limit)",
            check.positive_int,
        ),
        Setting(
            "HUBSPOT_DAILY_CALLS",
            "250000",
            "API calls a day for the account (Free/Starter 250,000, Professional 650,000, "
            "Enterprise 1,000,000)",
            check.positive_int,
        ),
        Setting(
            "HUBSPOT_SEARCH_PAGE_SIZE",
            "200",
            f"records per search page (at most {MAX_SEARCH_PAGE})",
            _search_page,
        ),
        Setting(
            "HUBSPOT_SEARCH_PAGING",
            "keyset",
            "keyset: every search page is a new query from the last modification time read (no "
            "offsets, so records changed during a pass shift nothing); after: `paging.next.after` "
            "within a query, a new query before the result cap",
            check.choice("keyset", "after"),
        ),
        Setting(
            "HUBSPOT_SEARCH_RESULT_CAP",
            "10000",
            "results one search query can page through (HubSpot: 10,000); a pass re-queries "
            "from the last modification time it read before reaching it",
            check.positive_int,
        ),
    ),
    streams=(
        Stream(
            name="owners",
            description="HubSpot owners (reps) with their teams, archived ones included "
            "(full refresh).",
            primary_key="id",
            cursor_field=None,
            endpoint="/crm/v3/owners",
            records_path="results",
            paginator=LIST_PAGING,
            read=HubSpotReader.read_owners,
        ),
        Stream(
            name="deal_pipelines",
            description="HubSpot deal pipelines with their stages and stage metadata "
            "(isClosed, probability) (full refresh).",
            primary_key="id",
            cursor_field=None,
            endpoint="/crm/v3/pipelines/deals",
            records_path="results",
            paginator=SinglePage(),
            read=HubSpotReader.read_pipelines,
        ),
        _object("contacts", "contacts with their owner history", cursor="lastmodifieddate"),
        _object("companies", "companies"),
        _object("deals", "deals with their contacts and companies"),
        _object("calls", "calls with their contacts, companies and deals"),
        _object("meetings", "meetings with their contacts, companies and deals"),
        _object("emails", "logged e-mails with their contacts, companies and deals"),
    ),
    auth=_auth,
    reader=HubSpotReader,
    # vendor-apis.md 2.6: a rolling 10-second window for the account, and the search API's
    # own 4 calls a second on top of it; the daily quota is counted apart.
    rate_limits=(
        RateLimit(100, 10, calls_setting="HUBSPOT_BURST_CALLS"),
        # 4 a second is tight: a request held up 50 ms on its way would be the fifth within
        # HubSpot's second, so the client paces to 4 per 1.15 s.
        RateLimit(
            4,
            1,
            calls_setting="HUBSPOT_SEARCH_CALLS_PER_SECOND",
            path=SEARCH_PATH,
            margin=1.15,
        ),
    ),
    daily_quota=DailyQuota(timezone="UTC", calls_setting="HUBSPOT_DAILY_CALLS"),
)
