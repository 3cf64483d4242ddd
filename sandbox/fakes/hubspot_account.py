"""A hand-built HubSpot account (tests and the HubSpot benchmark; `sandbox.world`'s hubspot-smb
company is the full simulation) in the world's data-directory format (contract section
2): owners with teams, a deal pipeline, contacts with owner history (some modified in the same
millisecond, a few archived), companies, deals and engagements with inline associations, and
properties listings that declare custom properties."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

AS_OF = datetime(2026, 6, 30, 15, 0, tzinfo=UTC)
CUSTOM_CONTACT_PROPERTIES = ("budget_status", "handoff_status")


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _write(path: Path, records: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")


def _crm(
    record_id: int, created: datetime, modified: datetime, modified_name: str, **props: Any
) -> dict[str, Any]:
    return {
        "id": str(record_id),
        "properties": {
            "hs_object_id": str(record_id),
            "createdate": iso(created),
            modified_name: iso(modified),
            **props,
        },
        "createdAt": iso(created),
        "updatedAt": iso(modified),
        "archived": False,
    }


def _definitions(names: list[str], custom: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "label": name.replace("_", " "),
            "type": "datetime" if "date" in name or name == "hs_timestamp" else "string",
            "fieldType": "text",
            "groupName": "sandbox",
            "options": [],
            **({} if name in custom else {"hubspotDefined": True}),
        }
        for name in names
    ]


def build_hubspot_world(
    out: Path,
    contacts: int = 120,
    tied: int = 0,
    archived: int = 3,
    start: datetime | None = None,
) -> Path:
    """`contacts` contacts one minute apart, the last `tied` of them modified in one
    millisecond; `archived` of them archived. Deals and engagements link to contacts."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "manifest.json").write_text(
        json.dumps({"as_of": iso(AS_OF), "vendors": ["hubspot"], "profile": "fixture"}), "utf-8"
    )
    folder = out / "hubspot"
    first = start or AS_OF - timedelta(days=30)
    owners = [
        {
            "id": str(100 + i),
            "email": f"rep{i}@example.co.jp",
            "firstName": f"Rep{i}",
            "lastName": "Sato",
            "userId": 9000 + i,
            "createdAt": iso(first),
            "updatedAt": iso(first),
            "archived": i == 3,
            "teams": [
                {"id": str(i % 2), "name": ["Inside Sales", "Field Sales"][i % 2], "primary": True}
            ],
        }
        for i in range(4)
    ]
    _write(folder / "owners.jsonl", owners)
    stages = [
        ("appointmentscheduled", "0.2", "false"),
        ("closedwon", "1.0", "true"),
        ("closedlost", "0.0", "true"),
    ]
    _write(
        folder / "deal_pipelines.jsonl",
        [
            {
                "id": "default",
                "label": "営業パイプライン",
                "displayOrder": 0,
                "archived": False,
                "createdAt": "1970-01-01T00:00:00Z",
                "updatedAt": iso(first),
                "stages": [
                    {
                        "id": stage,
                        "label": stage,
                        "displayOrder": n,
                        "archived": False,
                        "metadata": {"isClosed": closed, "probability": probability},
                        "createdAt": "1970-01-01T00:00:00Z",
                        "updatedAt": iso(first),
                    }
                    for n, (stage, probability, closed) in enumerate(stages)
                ],
            }
        ],
    )
    people = []
    tie_moment = first + timedelta(minutes=contacts, milliseconds=123)
    for n in range(contacts):
        created = first + timedelta(minutes=n)
        modified = tie_moment if n >= contacts - tied else created + timedelta(seconds=30)
        record = _crm(
            1000 + n,
            created,
            modified,
            "lastmodifieddate",
            email=f"person{n}@customer{n % 7}.example",
            firstname=f"First{n}",
            lastname="Suzuki",
            hubspot_owner_id=str(100 + n % 2),
            budget_status="approved" if n % 3 == 0 else "unknown",
            handoff_status="accepted",
        )
        record["propertiesWithHistory"] = {
            "hubspot_owner_id": [
                {
                    "value": str(100 + n % 2),
                    "timestamp": iso(created + timedelta(seconds=20)),
                    "sourceType": "CRM_UI",
                },
                {"value": "100", "timestamp": iso(created), "sourceType": "CRM_UI"},
            ]
        }
        if n < archived:
            record["archived"] = True
            record["archivedAt"] = iso(created + timedelta(seconds=40))
        people.append(record)
    _write(folder / "contacts.jsonl", people)
    companies = [
        _crm(
            5000 + c,
            first,
            first + timedelta(hours=c),
            "hs_lastmodifieddate",
            name=f"Customer {c} 株式会社",
        )
        for c in range(7)
    ]
    _write(folder / "companies.jsonl", companies)
    deals = []
    for d in range(max(1, contacts // 10)):
        deal = _crm(
            7000 + d,
            first,
            first + timedelta(hours=d, minutes=1),
            "hs_lastmodifieddate",
            dealname=f"Deal {d}",
            amount="1200000",
            dealstage="appointmentscheduled",
            pipeline="default",
            hubspot_owner_id="101",
        )
        deal["associations"] = {
            "contacts": {"results": [{"id": str(1000 + d * 10 + 5), "type": "deal_to_contact"}]},
            "companies": {"results": [{"id": str(5000 + d % 7), "type": "deal_to_company"}]},
        }
        deals.append(deal)
    _write(folder / "deals.jsonl", deals)
    for kind, stamp, extra in (
        ("calls", "hs_timestamp", {"hs_call_duration": "95000", "hs_call_direction": "OUTBOUND"}),
        ("meetings", "hs_meeting_start_time", {"hs_meeting_outcome": "COMPLETED"}),
        ("emails", "hs_timestamp", {"hs_email_direction": "EMAIL"}),
    ):
        rows = []
        for e in range(max(1, contacts // 8)):
            moment = first + timedelta(hours=e, minutes=3)
            row = _crm(
                8000 + e,
                moment,
                moment,
                "hs_lastmodifieddate",
                hubspot_owner_id="100",
                **{stamp: iso(moment)},
                **extra,
            )
            row["associations"] = {
                "contacts": {"results": [{"id": str(1000 + e), "type": f"{kind[:-1]}_to_contact"}]},
                "deals": {
                    "results": [{"id": str(7000 + e % len(deals)), "type": f"{kind[:-1]}_to_deal"}]
                },
            }
            rows.append(row)
        _write(folder / f"{kind}.jsonl", rows)
    contact_names = sorted({name for p in people for name in p["properties"]})
    _write_json(
        folder / "properties" / "contacts.json",
        _definitions(contact_names, CUSTOM_CONTACT_PROPERTIES),
    )
    for kind, records in (("companies", companies), ("deals", deals)):
        names = sorted({name for r in records for name in r["properties"]})
        _write_json(folder / "properties" / f"{kind}.json", _definitions(names))
    return out


def _write_json(path: Path, payload: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"results": payload}, ensure_ascii=False), "utf-8")
