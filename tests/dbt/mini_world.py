"""A hand-made, tiny sandbox data directory whose KPIs are easy to work out by hand.

One inside-sales rep (Sato) works one MQL (Yamada, full-width e-mail in Salesforce), calls
her (a Task that logged a Gong call: one call), e-mails her, and tosses her up to a field
sales rep (Suzuki) on 2026-03-31 16:00 UTC = 2026-04-01 01:00 JST (an April handoff in
Tokyo, a March one in UTC). Suzuki meets her 50 hours later (Gong conference) and wins the
deal; close date 2026-05-20. A second lead has no e-mail and is never touched.

What real orgs add (issue 18): stages named in Japanese, whose meaning comes from the
OpportunityStage metadata only; a call Sato logged by hand 8 minutes after its recording
started (one call, the recording's 45 s: not connected) and one logged 20 minutes after
(two calls); a marketing colleague without a Gong user whom Gong marks External in the
customer meeting, and a colleagues-only meeting Gong scopes External (no meeting); the
colleague's own test lead in Marketo, scored to MQL (no person); the e-mail-less Lead's
source only in Salesforce (展示会).
"""

import json
from pathlib import Path
from typing import Any

IS_REP, FS_REP, MKT_USER = "005000000000001AAA", "005000000000002AAA", "005000000000003AAA"
IS_ROLE, FS_ROLE, MKT_ROLE = "00E000000000001AAA", "00E000000000002AAA", "00E000000000003AAA"
LEAD_ID, LEAD2_ID = "00Q000000000001AAA", "00Q000000000002AAA"
CONTACT_ID, ACCOUNT_ID, OPP_ID = "003000000000001AAA", "001000000000001AAA", "006000000000001AAA"
GONG_CALL, GONG_MEETING = "7001", "7002"
HAND_LOGGED_CALL, LATE_LOGGED_CALL, COLLEAGUES_MEETING = "7003", "7004", "7005"
# stage -> (SortOrder, IsClosed, IsWon): names say nothing, the metadata says everything
STAGES = {"商談化": (1, False, False), "提案": (2, False, False), "交渉": (3, False, False),
          "受注": (4, True, True), "失注": (5, True, False)}  # fmt: skip


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
            {"Id": MKT_ROLE, "Name": "Marketing", **_stamps("2025-01-01T00:00:00Z")},
        ],
    )
    _write_jsonl(
        sf / "User.jsonl",
        [
            _user(IS_REP, IS_ROLE, "sato@demo.example", "佐藤 太郎"),
            _user(FS_REP, FS_ROLE, "suzuki@demo.example", "鈴木 花子"),
            _user(MKT_USER, MKT_ROLE, "marketer@demo.example", "高橋 健"),
        ],
    )
    _write_jsonl(
        sf / "OpportunityStage.jsonl",
        [
            {"Id": f"01J00000000000{number}AAA", "ApiName": name, "MasterLabel": name,
             "SortOrder": order, "IsActive": True, "IsClosed": closed, "IsWon": won,
             "CreatedDate": _sf("2025-01-01T00:00:00Z"),
             "SystemModstamp": _sf("2025-01-01T00:00:00Z")}
            for number, (name, (order, closed, won)) in enumerate(STAGES.items(), start=1)
        ],
    )  # fmt: skip
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
        "LeadSource": "展示会",
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
                "StageName": "受注",
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
            {"Id": "008000000000001AAA", "OpportunityId": OPP_ID, "StageName": "商談化",
             **_stamps("2026-03-31T16:00:00Z")},
            {"Id": "008000000000002AAA", "OpportunityId": OPP_ID, "StageName": "提案",
             **_stamps("2026-04-10T02:00:00Z")},
            {"Id": "008000000000003AAA", "OpportunityId": OPP_ID, "StageName": "受注",
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
            # logged by hand, no CallObject: 8 min after the recording started, 2 min typed
            {"Id": "00T000000000004AAA", "WhoId": LEAD_ID, "OwnerId": IS_REP, "TaskSubtype": "Call",
             "CallDurationInSeconds": 120, "CallObject": None,
             "CompletedDateTime": _sf("2026-03-25T01:08:00Z"), **_stamps("2026-03-25T01:08:00Z")},
            # logged by hand 20 min after the recording started: outside the 10-min window
            {"Id": "00T000000000005AAA", "WhoId": LEAD_ID, "OwnerId": IS_REP, "TaskSubtype": "Call",
             "CallDurationInSeconds": 90, "CallObject": None,
             "CompletedDateTime": _sf("2026-03-26T01:20:00Z"), **_stamps("2026-03-26T01:20:00Z")},
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
            # the marketing colleague testing the form (a user's address, other casing)
            {"id": 102, "email": "Marketer@Demo.example", "leadSource": "Web Form",
             "company": "THE MODEL", "createdAt": "2026-03-02T00:00:00Z",
             "updatedAt": "2026-03-12T00:00:00Z"},
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
            {"id": 2, "marketoGUID": "g-2", "leadId": 102, "activityDate": "2026-03-12T00:00:00Z",
             "activityTypeId": 13, "primaryAttributeValueId": 55,
             "primaryAttributeValue": "Lead Status",
             "attributes": [{"name": "New Value", "value": "MQL"},
                            {"name": "Old Value", "value": "New"}]},
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
    # no Gong user, so Gong marks her External
    colleague = {"emailAddress": "MARKETER@demo.example", "affiliation": "External"}
    sato = {"userId": "9001", "affiliation": "Internal"}
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
             "parties": [{"userId": "9002", "affiliation": "Internal"}, customer, colleague]},
            {"metaData": {"id": HAND_LOGGED_CALL, "primaryUserId": "9001", "direction": "Outbound",
                          "scope": "External", "started": "2026-03-25T10:00:00+09:00",
                          "duration": 45},
             "parties": [sato, customer]},
            {"metaData": {"id": LATE_LOGGED_CALL, "primaryUserId": "9001", "direction": "Outbound",
                          "scope": "External", "started": "2026-03-26T10:00:00+09:00",
                          "duration": 100},
             "parties": [sato, customer]},
            {"metaData": {"id": COLLEAGUES_MEETING, "primaryUserId": "9002",
                          "direction": "Conference", "scope": "External",
                          "started": "2026-04-06T03:00:00+09:00", "duration": 1800},
             "parties": [{"userId": "9002", "affiliation": "Internal"}, colleague,
                         {"emailAddress": "ceo@demo.example", "affiliation": "External"}]},
        ],
    )  # fmt: skip
