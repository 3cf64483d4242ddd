"""Record shapes as the vendor APIs return them (Salesforce REST, Marketo REST, Gong v2)."""

from typing import Any

from sandbox.world.fmt import gong_datetime, local_date, marketo_datetime, sf_datetime
from sandbox.world.org import Rep, Role
from sandbox.world.profile import StageDef

ACTIVITY_TYPES: list[dict[str, Any]] = [
    {
        "id": 1,
        "name": "Visit Webpage",
        "primary": "Webpage ID",
        "attrs": ["Webpage URL", "Client IP Address"],
    },
    {
        "id": 2,
        "name": "Fill Out Form",
        "primary": "Webform ID",
        "attrs": ["Webpage ID", "Form Fields"],
    },
    {
        "id": 6,
        "name": "Send Email",
        "primary": "Mailing ID",
        "attrs": ["Campaign Run ID", "Step ID"],
    },
    {
        "id": 7,
        "name": "Email Delivered",
        "primary": "Mailing ID",
        "attrs": ["Campaign Run ID", "Step ID"],
    },
    {
        "id": 10,
        "name": "Open Email",
        "primary": "Mailing ID",
        "attrs": ["Device", "Is Mobile Device"],
    },
    {"id": 11, "name": "Click Email", "primary": "Mailing ID", "attrs": ["Link", "Device"]},
    {"id": 12, "name": "New Lead", "primary": "Lead ID", "attrs": ["Source Type", "Lead Source"]},
    {
        "id": 13,
        "name": "Change Data Value",
        "primary": "Attribute Name",
        "attrs": ["New Value", "Old Value", "Reason", "Source"],
    },
    {
        "id": 22,
        "name": "Change Score",
        "primary": "Score Name",
        "attrs": ["Change Value", "New Value", "Old Value", "Reason"],
    },
    {"id": 37, "name": "Delete Lead", "primary": "Lead ID", "attrs": ["Client IP Address"]},
    {
        "id": 104,
        "name": "Change Status in Progression",
        "primary": "Program ID",
        "attrs": ["Old Status", "New Status", "Success", "Reason"],
    },
]


def activity_types_json() -> list[dict[str, Any]]:
    """The result list of /rest/v1/activities/types.json."""
    return [
        {
            "id": t["id"],
            "name": t["name"],
            "description": f"User {t['name'].lower()}",
            "primaryAttribute": {"name": t["primary"], "dataType": "integer"},
            "attributes": [{"name": a, "dataType": "string"} for a in t["attrs"]],
        }
        for t in ACTIVITY_TYPES
    ]


def sf_user_role(role: Role, created_ts: int) -> dict[str, Any]:
    return {
        "Id": role.role_id,
        "Name": role.name,
        "DeveloperName": f"Role_{role.role_id[-7:-3]}",
        "ParentRoleId": None,
        "RollupDescription": role.name,
        "OpportunityAccessForAccountOwner": "Edit",
        "CaseAccessForAccountOwner": "Edit",
        "ContactAccessForAccountOwner": "Edit",
        "PortalType": "None",
        "LastModifiedDate": sf_datetime(created_ts),
        "SystemModstamp": sf_datetime(created_ts),
    }


def rep_modstamp(rep: Rep) -> int:
    changes = [rep.hired_ts, *(from_ts for from_ts, _ in rep.behaviour)]
    if rep.left_ts is not None:
        changes.append(rep.left_ts)
    return max(changes) + 3600


def sf_user(rep: Rep, company_name: str) -> dict[str, Any]:
    family_kanji, family_roman = rep.family
    given_kanji, given_roman = rep.given
    modstamp = rep_modstamp(rep)
    return {
        "Id": rep.user_id,
        "Username": rep.email,
        "Name": f"{family_kanji} {given_kanji}",
        "FirstName": given_kanji,
        "LastName": family_kanji,
        "Email": rep.email,
        "Alias": f"{given_roman[0]}{family_roman[:4]}".lower(),
        "Title": rep.role_name,
        "Department": rep.role_name,
        "Division": None,
        "UserRoleId": rep.role_id,
        "ProfileId": "00e5g000000SalesAAA",
        "ManagerId": None,
        "IsActive": rep.left_ts is None,
        "UserType": "Standard",
        "CompanyName": company_name,
        "TimeZoneSidKey": "Asia/Tokyo",
        "LocaleSidKey": "ja_JP",
        "CreatedDate": sf_datetime(rep.hired_ts),
        "LastModifiedDate": sf_datetime(modstamp),
        "SystemModstamp": sf_datetime(modstamp),
    }


def sf_opportunity_stage(
    stage: StageDef, stage_id: str, admin_id: str, created_ts: int, modified_ts: int
) -> dict[str, Any]:
    """An OpportunityStage row: the stage picklist's metadata (no IsDeleted field: a value an
    admin deletes is gone from the object, while old history rows keep its name)."""
    return {
        "Id": stage_id,
        "ApiName": stage.api_name,
        "MasterLabel": stage.label or stage.api_name,
        "IsActive": stage.is_active,
        "IsClosed": stage.is_closed,
        "IsWon": stage.is_won,
        "SortOrder": stage.sort_order,
        "DefaultProbability": stage.probability,
        "ForecastCategory": stage.forecast,
        "ForecastCategoryName": stage.forecast_name,
        "Description": None,
        "CreatedById": admin_id,
        "CreatedDate": sf_datetime(created_ts),
        "LastModifiedById": admin_id,
        "LastModifiedDate": sf_datetime(modified_ts),
        "SystemModstamp": sf_datetime(modified_ts),
    }


def gong_user(rep: Rep) -> dict[str, Any]:
    return {
        "id": rep.gong_user_id,
        "emailAddress": rep.gong_email,
        "created": gong_datetime(rep.hired_ts),
        "active": rep.left_ts is None,
        "emailAliases": [],
        "trustedEmailAddress": rep.gong_email,
        "firstName": rep.given[1],
        "lastName": rep.family[1],
        "title": rep.role_name,
        "phoneNumber": None,
        "extension": None,
        "personalMeetingUrls": [],
        "managerId": None,
        "meetingConsentPageUrl": None,
        "spokenLanguages": [{"language": "ja-JP", "primary": True}],
        "settings": {
            "webConferencesRecorded": True,
            "preventWebConferenceRecording": False,
            "telephonyCallsImported": True,
            "emailsImported": False,
            "preventEmailImport": False,
            "nonRecordedMeetingsImported": True,
            "gongConnectEnabled": True,
        },
    }


def marketo_activity(
    activity_id: int,
    guid: str,
    lead_id: int,
    ts: int,
    type_id: int,
    primary_id: int | None,
    primary_value: str | None,
    attributes: dict[str, Any],
) -> dict[str, Any]:
    return {
        "id": activity_id,
        "marketoGUID": guid,
        "leadId": lead_id,
        "activityDate": marketo_datetime(ts),
        "activityTypeId": type_id,
        "campaignId": None,
        "primaryAttributeValueId": primary_id,
        "primaryAttributeValue": primary_value,
        "attributes": [{"name": k, "value": v} for k, v in attributes.items()],
    }


def sf_stamps(created_ts: int, modified_ts: int) -> dict[str, Any]:
    return {
        "CreatedDate": sf_datetime(created_ts),
        "LastModifiedDate": sf_datetime(modified_ts),
        "SystemModstamp": sf_datetime(modified_ts),
        "IsDeleted": False,
    }


def sf_date(ts: int) -> str:
    return local_date(ts)
