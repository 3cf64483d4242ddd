"""A hand-made, tiny sandbox data directory whose KPIs are easy to work out by hand.

One inside-sales rep (Sato) works one MQL (Yamada, full-width e-mail in Salesforce), calls
her (a Task that logged a Gong call: one call), e-mails her, and tosses her up to a field
sales rep (Suzuki) on 2026-03-31 16:00 UTC = 2026-04-01 01:00 JST (an April handoff in
Tokyo, a March one in UTC). Suzuki meets her 50 hours later (Gong conference) and wins the
deal; close date 2026-05-20. A second lead has no e-mail and is never touched.
"""

import json
from pathlib import Path
from typing import Any

IS_REP, FS_REP = "005000000000001AAA", "005000000000002AAA"
IS_ROLE, FS_ROLE = "00E000000000001AAA", "00E000000000002AAA"
LEAD_ID, LEAD2_ID = "00Q000000000001AAA", "00Q000000000002AAA"
CONTACT_ID, ACCOUNT_ID, OPP_ID = "003000000000001AAA", "001000000000001AAA", "006000000000001AAA"
GONG_CALL, GONG_MEETING = "7001", "7002"


def _sf(ts: str) -> str:
    return ts.replace("Z", ".000+0000")


def _stamps(created: str, modified: str | None = None) -> dict[str, Any]:
    return {
        "CreatedDate": _sf(created),
        "SystemModstamp": _sf(modified or created),
        "IsDeleted": False,
    }


def _user(user_id: str, role_id: str, email: str, name: str) -> dict[str, Any]:
    return {
        "Id": user_id,
        "Name": name,
        "Email": email,
        "UserRoleId": role_id,
        "IsActive": True,
        **_stamps("2025-01-01T00:00:00Z"),
    }


def _write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")


def write_mini_world(data_dir: Path) -> None:
    sf = data_dir / "salesforce"
    _write_jsonl(
        sf / "UserRole.jsonl",
        [
            {"Id": IS_ROLE, "Name": "ｲﾝｻｲﾄﾞｾｰﾙｽ", **_stamps("2025-01-01T00:00:00Z")},
            {"Id": FS_ROLE, "Name": "Field Sales - East", **_stamps("2025-01-01T00:00:00Z")},
        ],
    )
    _write_jsonl(
        sf / "User.jsonl",
        [
            _user(IS_REP, IS_ROLE, "sato@demo.example", "佐藤 太郎"),
            _user(FS_REP, FS_ROLE, "suzuki@demo.example", "鈴木 花子"),
        ],
    )
    _write_jsonl(
        sf / "Account.jsonl",
        [
            {
                "Id": ACCOUNT_ID,
                "Name": "㈱サンプル",
                "OwnerId": FS_REP,
                **_stamps("2026-03-31T16:00:00Z"),
            }
        ],
    )
    _write_jsonl(
        sf / "Contact.jsonl",
        [
            {
                "Id": CONTACT_ID,
                "AccountId": ACCOUNT_ID,
                "Name": "山田 花子",
                "Email": "hanako.yamada@sample.example",
                **_stamps("2026-03-31T16:00:00Z"),
            }
        ],
    )
    handoff_lead = {
        "Id": LEAD_ID,
        "Name": "山田 花子",
        "FirstName": "花子",
        "LastName": "山田",
        "Company": "株式会社サンプル",
        "Email": " Ｈａｎａｋｏ.Yamada@Sample.example ",
        "Phone": "03-1234-5678",
        "OwnerId": IS_REP,
        "IsConverted": True,
        "ConvertedDate": "2026-04-01",
        "ConvertedAccountId": ACCOUNT_ID,
        "ConvertedContactId": CONTACT_ID,
        "ConvertedOpportunityId": OPP_ID,
        "Tossup_Date__c": _sf("2026-03-31T16:00:00Z"),
        "Inside_Sales_Rep__c": IS_REP,
        "Challenge__c": "営業リストの精度が低い",
        "Budget_Status__c": "確定",
        "Budget_Amount__c": 1200000,
        "Authority__c": "決裁者",
        "Timeframe__c": "２０２６／０９／３０",
        "Next_Meeting__c": _sf("2026-04-02T09:00:00Z"),
        "Handoff_Status__c": "承認",
        "Handoff_Reject_Reason__c": None,
        **_stamps("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"),
    }
    no_email_lead = {
        "Id": LEAD2_ID,
        "Name": "名無し",
        "Company": "(株)ミライ",
        "Email": None,
        "OwnerId": IS_REP,
        "IsConverted": False,
        **_stamps("2026-02-10T00:00:00Z"),
    }
    _write_jsonl(sf / "Lead.jsonl", [no_email_lead, handoff_lead])
    _write_jsonl(
        sf / "Opportunity.jsonl",
        [
            {
                "Id": OPP_ID,
                "AccountId": ACCOUNT_ID,
                "OwnerId": FS_REP,
                "Name": "サンプル - New",
                "StageName": "Closed Won",
                "Type": "New Business",
                "Amount": 1500000.0,
                "CloseDate": "2026-05-20",
                "IsClosed": True,
                "IsWon": True,
                **_stamps("2026-03-31T16:00:00Z", "2026-05-20T03:00:00Z"),
            }
        ],
    )
    _write_jsonl(
        sf / "OpportunityHistory.jsonl",
        [
            {"Id": "008000000000001AAA", "OpportunityId": OPP_ID, "StageName": "Qualification",
             **_stamps("2026-03-31T16:00:00Z")},
            {"Id": "008000000000002AAA", "OpportunityId": OPP_ID, "StageName": "Proposal",
             **_stamps("2026-04-10T02:00:00Z")},
            {"Id": "008000000000003AAA", "OpportunityId": OPP_ID, "StageName": "Closed Won",
             "Amount": 1500000.0, **_stamps("2026-05-20T03:00:00Z")},
        ],
    )  # fmt: skip
    _write_jsonl(sf / "LeadHistory.jsonl", [])
    _write_jsonl(
        sf / "Task.jsonl",
        [
            {"Id": "00T000000000001AAA", "WhoId": LEAD_ID, "OwnerId": IS_REP, "TaskSubtype": "Call",
             "CallDurationInSeconds": 300, "CallObject": GONG_CALL,
             "CompletedDateTime": _sf("2026-03-20T01:05:00Z"), **_stamps("2026-03-20T01:05:00Z")},
            {"Id": "00T000000000002AAA", "WhoId": LEAD_ID, "OwnerId": IS_REP,
             "TaskSubtype": "Email",
             "CompletedDateTime": _sf("2026-03-21T02:00:00Z"), **_stamps("2026-03-21T02:00:00Z")},
            {"Id": "00T000000000003AAA", "WhoId": LEAD_ID, "OwnerId": IS_REP, "TaskSubtype": "Call",
             "CallDurationInSeconds": 20, "CompletedDateTime": _sf("2026-03-22T02:00:00Z"),
             **_stamps("2026-03-22T02:00:00Z")},
        ],
    )  # fmt: skip
    _write_jsonl(sf / "Event.jsonl", [])

    mk = data_dir / "marketo"
    _write_jsonl(
        mk / "leads.jsonl",
        [
            {"id": 101, "email": "hanako.yamada@sample.example", "leadSource": "Webinar",
             "company": "ｻﾝﾌﾟﾙ", "createdAt": "2026-02-15T00:00:00Z",
             "updatedAt": "2026-03-10T00:00:00Z", "sfdcLeadId": LEAD_ID},
        ],
    )  # fmt: skip
    _write_jsonl(
        mk / "activities.jsonl",
        [
            {"id": 1, "marketoGUID": "g-1", "leadId": 101, "activityDate": "2026-03-10T00:00:00Z",
             "activityTypeId": 13, "primaryAttributeValueId": 55,
             "primaryAttributeValue": "Lead Status",
             "attributes": [{"name": "New Value", "value": "MQL"},
                            {"name": "Old Value", "value": "Nurture"}]},
        ],
    )  # fmt: skip
    (mk / "activity_types.json").write_text(
        json.dumps([{"id": 13, "name": "Change Data Value", "primaryAttribute": {"name": "x"}}]),
        "utf-8",
    )

    gong = data_dir / "gong"
    _write_jsonl(
        gong / "users.jsonl",
        [
            {"id": "9001", "emailAddress": "SATO@demo.example", "active": True},
            {"id": "9002", "emailAddress": "suzuki@demo.example", "active": True},
        ],
    )
    customer = {
        "emailAddress": "hanako.yamada@sample.example",
        "affiliation": "External",
        "name": "山田 花子",
    }
    _write_jsonl(
        gong / "calls.jsonl",
        [
            {"metaData": {"id": GONG_CALL, "primaryUserId": "9001", "direction": "Outbound",
                          "scope": "External", "started": "2026-03-20T10:00:00+09:00",
                          "duration": 290},
             "parties": [{"userId": "9001", "affiliation": "Internal"}, customer]},
            {"metaData": {"id": GONG_MEETING, "primaryUserId": "9002", "direction": "Conference",
                          "scope": "External", "started": "2026-04-03T03:00:00+09:00",
                          "duration": 3600},
             "context": [{"system": "Salesforce",
                          "objects": [{"objectType": "Account", "objectId": ACCOUNT_ID}]}],
             "parties": [{"userId": "9002", "affiliation": "Internal"}, customer]},
        ],
    )  # fmt: skip
