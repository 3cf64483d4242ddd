"""Every stream declared as data (contracts section 4)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Stream:
    name: str
    description: str
    primary_key: str  # dotted path into the record, e.g. "metaData.id"
    cursor_field: str | None  # dotted path; None = full refresh
    endpoint: str  # SObject name or API path
    paging: (
        str  # "soql_next_records_url" | "marketo_paging_token" | "marketo_offset" | "gong_cursor"
    )
    fields: tuple[str, ...] = ()  # empty = discovered at run time (Salesforce describe)


def _sf(name: str, sobject: str, what: str, cursor: str = "SystemModstamp") -> Stream:
    return Stream(
        name=name,
        description=f"Salesforce {sobject} ({what}) via queryAll, deleted rows included.",
        primary_key="Id",
        cursor_field=cursor,
        endpoint=sobject,
        paging="soql_next_records_url",
    )


STREAMS: dict[str, list[Stream]] = {
    "salesforce": [
        _sf("user", "User", "reps"),
        _sf("user_role", "UserRole", "roles, mapped to teams"),
        _sf("account", "Account", "companies"),
        _sf("contact", "Contact", "people at accounts"),
        _sf("lead", "Lead", "leads with the handoff custom fields"),
        _sf("opportunity", "Opportunity", "deals"),
        _sf("opportunity_history", "OpportunityHistory", "stage changes"),
        _sf("opportunity_stage", "OpportunityStage", "stage metadata: IsWon, IsClosed, SortOrder"),
        _sf("lead_history", "LeadHistory", "field changes", cursor="CreatedDate"),
        _sf("task", "Task", "calls and e-mails"),
        _sf("event", "Event", "meetings"),
    ],
    "marketo": [
        Stream(
            name="activity_types",
            description="Marketo activity types (full refresh).",
            primary_key="id",
            cursor_field=None,
            endpoint="/rest/v1/activities/types.json",
            paging="none",
        ),
        Stream(
            name="activities",
            description="Marketo activities of every type, by paging token since the cursor.",
            primary_key="marketoGUID",
            cursor_field="activityDate",
            endpoint="/rest/v1/activities.json",
            paging="marketo_paging_token",
        ),
        Stream(
            name="leads",
            description="Marketo leads changed since the cursor (see connectors/README.md).",
            primary_key="id",
            cursor_field="updatedAt",
            endpoint="/rest/v1/leads.json",
            paging="marketo_paging_token",
        ),
        Stream(
            name="deleted_leads",
            description="Marketo Delete Lead activities (type 37) since the cursor.",
            primary_key="marketoGUID",
            cursor_field="activityDate",
            endpoint="/rest/v1/activities/deletedleads.json",
            paging="marketo_paging_token",
        ),
    ],
    "gong": [
        Stream(
            name="users",
            description="Gong users (full refresh).",
            primary_key="id",
            cursor_field=None,
            endpoint="/v2/users",
            paging="gong_cursor",
        ),
        Stream(
            name="calls",
            description="Gong calls started since the cursor, as /v2/calls/extensive returns them.",
            primary_key="metaData.id",
            cursor_field="metaData.started",
            endpoint="/v2/calls",
            paging="gong_cursor",
        ),
    ],
}


def get_stream(source: str, name: str) -> Stream:
    if source not in STREAMS:
        raise KeyError(f"unknown source {source!r}; known: {sorted(STREAMS)}")
    for stream in STREAMS[source]:
        if stream.name == name:
            return stream
    raise KeyError(f"unknown stream {source}.{name}; known: {[s.name for s in STREAMS[source]]}")


def dig(record: object, path: str) -> object:
    """Value at a dotted path, or None."""
    value = record
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value
