"""Fixtures for the sandbox tests: a small hand-built data directory (contracts section 2)
and running fakes over it. `sandbox.world.generate` replaces the hand-built world when present."""

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sandbox.serve import Sandbox, running

AS_OF = datetime(2026, 6, 30, 15, 0, tzinfo=UTC)
START = AS_OF - timedelta(days=540)
ACTIVITY_TYPES = [
    {
        "id": 1,
        "name": "Visit Webpage",
        "description": "User visits a web page",
        "primaryAttribute": {"name": "Webpage ID", "dataType": "integer"},
        "attributes": [{"name": "Webpage URL", "dataType": "string"}],
    },
    {
        "id": 12,
        "name": "New Lead",
        "description": "New person/record is added",
        "attributes": [{"name": "Source Type", "dataType": "string"}],
    },
    {
        "id": 13,
        "name": "Change Data Value",
        "description": "Changed attribute value",
        "primaryAttribute": {"name": "Attribute Name", "dataType": "integer"},
        "attributes": [
            {"name": "New Value", "dataType": "string"},
            {"name": "Old Value", "dataType": "string"},
            {"name": "Reason", "dataType": "string"},
        ],
    },
    {
        "id": 37,
        "name": "Delete Lead",
        "description": "Delete lead",
        "attributes": [{"name": "Source", "dataType": "string"}],
    },
]


def sf_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def iso_z(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def sf_id(prefix: str, number: int) -> str:
    return f"{prefix}FX{number:010d}AAA"


def _write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def build_fixture_world(out: Path, leads: int = 300, seed: int = 7) -> Path:
    """A deterministic small world in the data-directory format, enough to exercise the fakes."""
    rng = random.Random(seed)

    def moment() -> datetime:
        return START + timedelta(seconds=rng.randrange(int((AS_OF - START).total_seconds())))

    roles = [
        {"Id": sf_id("00E", 1), "Name": "インサイドセールス", "DeveloperName": "IS"},
        {"Id": sf_id("00E", 2), "Name": "Field Sales", "DeveloperName": "FS"},
    ]
    users = [
        {
            "Id": sf_id("005", n),
            "Name": f"Rep {n}",
            "Email": f"rep{n}@sandbox.example",
            "UserRoleId": roles[n % 2]["Id"],
            "IsActive": True,
        }
        for n in range(1, 5)
    ]
    sf_leads, mk_leads, activities, tasks = [], [], [], []
    for n in range(1, leads + 1):
        created = moment()
        # Nothing may be later than as_of: the fakes' mutations happen after it.
        modified = min(created + timedelta(hours=rng.randrange(1, 500)), AS_OF - timedelta(hours=1))
        email = f"person{n}@example.co.jp"
        sf_leads.append(
            {
                "Id": sf_id("00Q", n),
                "FirstName": f"Taro{n}",
                "LastName": "Yamada",
                "Company": f"Company {n % 40}",
                "Email": email,
                "Status": "Open",
                "Title": "Manager",
                "IsDeleted": n % 25 == 0,
                "IsConverted": False,
                "ConvertedDate": None,
                "Tossup_Date__c": sf_time(modified) if n % 3 == 0 else None,
                "Budget_Amount__c": float(n * 1000) if n % 2 else None,
                "Challenge__c": "Needs a better pipeline",
                "OwnerId": users[n % 4]["Id"],
                "CreatedDate": sf_time(created),
                "LastModifiedDate": sf_time(modified),
                "SystemModstamp": sf_time(modified),
                "LastActivityDate": modified.date().isoformat(),
            }
        )
        mk_leads.append(
            {
                "id": n,
                "email": email,
                "firstName": f"Taro{n}",
                "lastName": "Yamada",
                "company": f"Company {n % 40}",
                "title": "Manager",
                "leadSource": "Web",
                "leadStatus": "New",
                "leadScore": n % 50,
                "createdAt": iso_z(created),
                "updatedAt": iso_z(modified),
            }
        )
        activities.append(
            {
                "leadId": n,
                "activityDate": iso_z(created),
                "activityTypeId": 12,
                "primaryAttributeValue": email,
                "attributes": [{"name": "Source Type", "value": "Web form"}],
            }
        )
        activities.append(
            {
                "leadId": n,
                "activityDate": iso_z(modified),
                "activityTypeId": 13,
                "primaryAttributeValueId": 55,
                "primaryAttributeValue": "Lead Status",
                "attributes": [
                    {"name": "New Value", "value": "MQL"},
                    {"name": "Old Value", "value": "New"},
                    {"name": "Reason", "value": "Score"},
                ],
            }
        )
        activities.append(
            {
                "leadId": n,
                "activityDate": iso_z(moment()),
                "activityTypeId": 1,
                "primaryAttributeValueId": 9,
                "primaryAttributeValue": "/pricing",
                "attributes": [{"name": "Webpage URL", "value": "/pricing"}],
            }
        )
        at = moment()
        tasks.append(
            {
                "Id": sf_id("00T", n),
                "Subject": "Call",
                "TaskSubtype": "Call",
                "WhoId": sf_id("00Q", n),
                "OwnerId": users[n % 4]["Id"],
                "CallDurationInSeconds": rng.randrange(0, 600),
                "ActivityDate": at.date().isoformat(),
                "IsDeleted": False,
                "CreatedDate": sf_time(at),
                "SystemModstamp": sf_time(at),
            }
        )
    mk_leads.sort(key=lambda r: (r["updatedAt"], r["id"]))
    activities.sort(key=lambda r: (r["activityDate"], r["leadId"], r["activityTypeId"]))
    for number, activity in enumerate(activities, start=1):
        activity.update(id=number, marketoGUID=str(number))
    for record in users + roles:
        record.update(CreatedDate=sf_time(START), SystemModstamp=sf_time(START), IsDeleted=False)
    gong_users = [
        {
            "id": f"7{n:017d}",
            "emailAddress": u["Email"],
            "firstName": "Rep",
            "lastName": str(n),
            "active": True,
            "created": iso_z(START),
        }
        for n, u in enumerate(users, start=1)
    ]
    calls = []
    for n in range(1, leads // 2 + 1):
        started = moment()
        calls.append(
            {
                "metaData": {
                    "id": f"5{n:017d}",
                    "url": f"https://app.gong.io/call?id={n}",
                    "title": f"Call {n}",
                    "scheduled": iso_z(started),
                    "started": iso_z(started),
                    "duration": rng.randrange(10, 3600),
                    "primaryUserId": gong_users[n % 4]["id"],
                    "direction": rng.choice(["Outbound", "Inbound", "Conference"]),
                    "system": "Zoom",
                    "scope": "External",
                    "media": "Audio",
                    "language": "jpn",
                    "isPrivate": False,
                },
                "context": [
                    {
                        "system": "Salesforce",
                        "objects": [
                            {
                                "objectType": "Account",
                                "objectId": sf_id("001", n % 40),
                                "fields": [],
                            }
                        ],
                    }
                ],
                "parties": [
                    {
                        "id": f"1{n:09d}",
                        "emailAddress": gong_users[n % 4]["emailAddress"],
                        "name": "Rep",
                        "userId": gong_users[n % 4]["id"],
                        "affiliation": "Internal",
                        "methods": ["Invitee"],
                    },
                    {
                        "id": f"2{n:09d}",
                        "emailAddress": f"person{n}@example.co.jp",
                        "name": "Taro",
                        "affiliation": "External",
                        "methods": ["Attendee"],
                    },
                ],
                "interaction": {
                    "interactionStats": [{"name": "Talk Ratio", "value": 0.5}],
                    "speakers": [
                        {"id": f"1{n:09d}", "userId": gong_users[n % 4]["id"], "talkTime": 120.5}
                    ],
                },
            }
        )
    calls.sort(key=lambda c: c["metaData"]["started"])

    def by_modstamp(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(records, key=lambda r: (r["SystemModstamp"], r["Id"]))

    _write_jsonl(out / "salesforce" / "User.jsonl", by_modstamp(users))
    _write_jsonl(out / "salesforce" / "UserRole.jsonl", by_modstamp(roles))
    _write_jsonl(out / "salesforce" / "Lead.jsonl", by_modstamp(sf_leads))
    _write_jsonl(out / "salesforce" / "Task.jsonl", by_modstamp(tasks))
    _write_jsonl(out / "marketo" / "leads.jsonl", mk_leads)
    _write_jsonl(out / "marketo" / "activities.jsonl", activities)
    (out / "marketo" / "activity_types.json").write_text(json.dumps(ACTIVITY_TYPES), "utf-8")
    _write_jsonl(out / "gong" / "users.jsonl", gong_users)
    _write_jsonl(out / "gong" / "calls.jsonl", calls)
    manifest = {
        "seed": seed,
        "leads": leads,
        "start": iso_z(START),
        "as_of": iso_z(AS_OF),
        "generator_version": "test-fixture",
    }
    (out / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    return out


@pytest.fixture(scope="session")
def world_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once per session; tests that mutate use `sandbox` (function scope) over a copy."""
    return build_fixture_world(tmp_path_factory.mktemp("fixture_world"), leads=300)


@pytest.fixture
def sandbox(world_dir: Path) -> Iterator[Sandbox]:
    with running(world_dir) as sb:
        yield sb
