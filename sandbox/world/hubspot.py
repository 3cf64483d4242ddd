"""A HubSpot-only company: the event model's records as HubSpot CRM objects (contracts 1, 2 of
/work/brief/hubspot-contract.md).

The event model (simulate.py) writes its business events as Salesforce, Marketo and Gong
records. An org that runs marketing and sales on HubSpot alone sees the same events as HubSpot
objects: one contact per person (the MA's lead, the SFA's lead and contact are one record),
companies, deals in a pipeline whose stage ids are the portal's own, owners with teams, and calls,
meetings and e-mails as engagements with their associations. `translate()` reads the vendor
files of a generated world once and writes `hubspot/*.jsonl` and the properties listings; the
truth stays the event model's, with reps keyed by their HubSpot owner id.

What differs from the three-tool company, and how the truth already counts it:
- One call is one HubSpot call, whether the rep's phone was recorded or not (no recording tool:
  a Gong recording and its Task are one engagement; a Task alone is one too).
- A meeting is a HubSpot meeting with the outcome COMPLETED; canceled and no-show meetings
  (which the event model never held) are written too and count nowhere. Colleagues-only
  meetings have no contact and count nowhere.
- A handoff is the contact reaching SQL (`hs_v2_date_entered_salesqualifiedlead`): the owner
  in force before it sent it, the deal's owner received it; BANT and the verdict are custom
  contact properties.
"""

import json
import random
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sandbox.world.fmt import JST_SECONDS, marketo_datetime, parse_utc
from sandbox.world.org import Org, Rep
from sandbox.world.profile import Profile
from sandbox.world.writer import dumps

STREAMS = ("owners", "deal_pipelines", "contacts", "companies", "deals", "calls", "meetings",
           "emails")  # fmt: skip
OBJECT_TYPES = ("contacts", "companies", "deals", "calls", "meetings", "emails")
PIPELINE_ID = "84512397"
# The event model's lead sources as HubSpot's original-source values (hs_analytics_source).
SOURCE_VALUES = {
    "Webinar": "OTHER_CAMPAIGNS",
    "展示会": "OFFLINE",
    "Web Form": "DIRECT_TRAFFIC",
    "資料ダウンロード": "ORGANIC_SEARCH",
    "Paid Search": "PAID_SEARCH",
    "Referral": "REFERRALS",
}
# HubSpot's default call dispositions (ids are the same in every portal)
CONNECTED = "f240bbac-87c9-4f6e-bf70-924b57d47db7"
NO_ANSWER = "73a0d17f-1163-4015-bdd5-ec830791da20"
LIFECYCLE = ("lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer")


def hs_datetime(ts: int) -> str:
    """HubSpot's '2026-03-01T09:15:00Z' with milliseconds."""
    return marketo_datetime(ts)[:-1] + ".000Z"


def epoch_ms(ts: int) -> str:
    return str(ts * 1000)


def _sf_ts(text: str) -> int:
    return parse_utc(text[:19] + "Z")


def _num(value: float | int | None) -> str | None:
    if value is None:
        return None
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _id_number(sf_id: str) -> int:
    """'0055g0000000012AAC' -> 12 (org.salesforce_id)."""
    return int(sf_id[5:15])


def owner_id(user_id: str) -> str:
    return str(61_000_000 + _id_number(user_id) * 101)


def _read(vendor_dir: Path, relpath: str) -> Iterator[dict[str, Any]]:
    path = vendor_dir / relpath
    if not path.exists():
        return
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


class _Ids:
    def __init__(self) -> None:
        self.next: dict[str, int] = defaultdict(int)

    def take(self, kind: str, base: int) -> str:
        self.next[kind] += 1
        return str(base + self.next[kind] * 7)


def _crm(
    object_id: str,
    properties: dict[str, Any],
    created_ts: int,
    updated_ts: int,
    associations: dict[str, list[tuple[str, str]]] | None = None,
    archived_ts: int | None = None,
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": object_id,
        "properties": {k: (None if v is None else str(v)) for k, v in sorted(properties.items())},
        "createdAt": hs_datetime(created_ts),
        "updatedAt": hs_datetime(updated_ts),
        "archived": archived_ts is not None,
    }
    if archived_ts is not None:
        record["archivedAt"] = hs_datetime(archived_ts)
    for kind, targets in sorted((associations or {}).items()):
        unique = sorted(set(targets))
        if unique:
            record.setdefault("associations", {})[kind] = {
                "results": [{"id": target, "type": label} for target, label in unique]
            }
    return record


class Translator:
    def __init__(
        self, vendor_dir: Path, out_dir: Path, org: Org, profile: Profile, seed: int, as_of: int
    ) -> None:
        self.vendor = vendor_dir
        self.out = out_dir / "hubspot"
        self.org = org
        self.profile = profile
        self.as_of = as_of
        self.rng = random.Random(seed * 2_147_483_647 + 23)
        self.ids = _Ids()
        self.files: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
        self.reps = {rep.user_id: rep for rep in org.reps}
        self.person_of: dict[str, str] = {}  # SF lead/contact id -> contact id
        self.company_of: dict[str, str] = {}  # Account id -> company id
        self.deal_of: dict[str, str] = {}  # Opportunity id -> deal id
        self.deal_contact: dict[str, str] = {}  # Opportunity id -> contact id

    # -- output --------------------------------------------------------------------------
    def emit(self, stream: str, record: dict[str, Any]) -> None:
        self.files[stream].append((f"{record['updatedAt']}|{int(record['id']):020d}", record))

    def finish(self) -> dict[str, int]:
        self.out.mkdir(parents=True, exist_ok=True)
        listings = properties_listing(self.profile)
        for object_type in OBJECT_TYPES:
            # HubSpot returns every requested property, null when empty: so do the files
            names = [p["name"] for p in listings[object_type]]
            for _, record in self.files.get(object_type, []):
                values = record["properties"]
                record["properties"] = {n: values.get(n) for n in sorted({*names, *values})}
        counts = {}
        for stream in STREAMS:
            rows = sorted(self.files.get(stream, []), key=lambda row: row[0])
            with (self.out / f"{stream}.jsonl").open("w", encoding="utf-8") as handle:
                handle.writelines(dumps(record) + "\n" for _, record in rows)
            counts[f"hubspot/{stream}.jsonl"] = sum(
                1 for _, record in rows if not record.get("archived")
            )
        properties_dir = self.out / "properties"
        properties_dir.mkdir(exist_ok=True)
        for object_type, listing in listings.items():
            (properties_dir / f"{object_type}.json").write_text(
                json.dumps(listing, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                encoding="utf-8",
            )
        return counts

    # -- the org -------------------------------------------------------------------------
    def owners(self) -> None:
        team_ids = {name: str(4_100 + n) for n, name in enumerate(self.profile.role_teams)}
        for rep in self.org.reps:
            modified = max(rep.hired_ts, *(ts for ts, _ in rep.behaviour)) + 3600
            left = rep.left_ts
            record = {
                "id": owner_id(rep.user_id),
                "email": rep.email,
                "firstName": rep.given[0],
                "lastName": rep.family[0],
                "userId": 9_000_000 + _id_number(rep.user_id),
                "createdAt": hs_datetime(rep.hired_ts),
                "updatedAt": hs_datetime(max(modified, left or 0)),
                "archived": left is not None,
                "teams": [{"id": team_ids[rep.role_name], "name": rep.role_name, "primary": True}],
            }
            self.emit("owners", record)

    def pipelines(self) -> None:
        created = self.org.start_ts - 900 * 86400
        stages = [
            {
                "id": stage.api_name,
                "label": stage.label or stage.api_name,
                "displayOrder": stage.sort_order,
                "archived": not stage.is_active,
                "metadata": {
                    "isClosed": "true" if stage.is_closed else "false",
                    "probability": _num(stage.probability / 100) or "0",
                },
                "createdAt": hs_datetime(created),
                "updatedAt": hs_datetime(created),
                "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
            }
            for stage in self.profile.stages
        ]
        record = {
            "id": PIPELINE_ID,
            "label": "新規・更新パイプライン",
            "displayOrder": 0,
            "archived": False,
            "createdAt": hs_datetime(created),
            "updatedAt": hs_datetime(created),
            "stages": stages,
        }
        self.emit("deal_pipelines", record)

    # -- accounts and deals ---------------------------------------------------------------
    def companies(self) -> None:
        for account in _read(self.vendor, "salesforce/Account.jsonl"):
            company_id = str(15_000_000_000 + _id_number(account["Id"]) * 13)
            self.company_of[account["Id"]] = company_id
            created, modified = _sf_ts(account["CreatedDate"]), _sf_ts(account["SystemModstamp"])
            properties = {
                "name": account["Name"],
                "domain": account["Website"].removeprefix("https://www."),
                "hubspot_owner_id": owner_id(account["OwnerId"]),
                "lifecyclestage": "customer" if account["Type"] == "Customer" else "lead",
                "industry": account["Industry"],
                "city": account["BillingCity"],
                "country": "Japan",
                "numberofemployees": account["NumberOfEmployees"],
                "createdate": hs_datetime(created),
                "hs_lastmodifieddate": hs_datetime(modified),
                "hs_object_id": company_id,
            }
            self.emit("companies", _crm(company_id, properties, created, modified))

    def deals(self) -> None:
        entered: dict[str, dict[str, int]] = defaultdict(dict)
        stage_ids = {stage.api_name for stage in self.profile.stages}
        for row in _read(self.vendor, "salesforce/OpportunityHistory.jsonl"):
            assert row["StageName"] in stage_ids
            entered[row["OpportunityId"]].setdefault(row["StageName"], _sf_ts(row["CreatedDate"]))
        by_id = {stage.api_name: stage for stage in self.profile.stages}
        for opp in _read(self.vendor, "salesforce/Opportunity.jsonl"):
            deal_id = str(20_000_000_000 + _id_number(opp["Id"]) * 11)
            self.deal_of[opp["Id"]] = deal_id
            created, modified = _sf_ts(opp["CreatedDate"]), _sf_ts(opp["SystemModstamp"])
            stage = by_id[opp["StageName"]]
            stage_times = entered[opp["Id"]]
            if stage.is_closed:
                close_ts = stage_times[stage.api_name]
            else:  # the expected close date: 00:00 in Tokyo, as HubSpot stores a date picked
                close_ts = parse_utc(f"{opp['CloseDate']}T00:00:00Z") - JST_SECONDS
            properties = {
                "dealname": opp["Name"],
                "amount": _num(opp["Amount"]),
                "closedate": hs_datetime(close_ts),
                "createdate": hs_datetime(created),
                "hs_lastmodifieddate": hs_datetime(modified),
                "pipeline": PIPELINE_ID,
                "dealstage": stage.api_name,
                "dealtype": opp["Type"],
                "hubspot_owner_id": owner_id(opp["OwnerId"]),
                "hs_object_id": deal_id,
                "deal_currency_code": "JPY",
                **{f"hs_v2_date_entered_{sid}": hs_datetime(ts) for sid, ts in stage_times.items()},
            }
            associations: dict[str, list[tuple[str, str]]] = {}
            contact = self.deal_contact.get(opp["Id"])
            if contact is not None:
                associations["contacts"] = [(contact, "deal_to_contact")]
            if opp["AccountId"] in self.company_of:
                associations["companies"] = [(self.company_of[opp["AccountId"]], "deal_to_company")]
            self.emit("deals", _crm(deal_id, properties, created, modified, associations))

    # -- persons -------------------------------------------------------------------------
    def contacts(self) -> None:
        mql: dict[int, int] = {}
        for activity in _read(self.vendor, "marketo/activities.jsonl"):
            if activity["activityTypeId"] != 13:
                continue
            values = {a["name"]: a["value"] for a in activity["attributes"]}
            if values.get("New Value") == "MQL":
                mql.setdefault(activity["leadId"], parse_utc(activity["activityDate"]))
        sf_leads = {lead["Id"]: lead for lead in _read(self.vendor, "salesforce/Lead.jsonl")}
        sf_contacts = {c["Id"]: c for c in _read(self.vendor, "salesforce/Contact.jsonl")}
        opportunities = {o["Id"]: o for o in _read(self.vendor, "salesforce/Opportunity.jsonl")}
        history = defaultdict(list)
        for row in _read(self.vendor, "salesforce/OpportunityHistory.jsonl"):
            history[row["OpportunityId"]].append(row)
        persons: list[tuple[int, dict[str, Any] | None, dict[str, Any] | None]] = []
        synced = set()
        for lead in _read(self.vendor, "marketo/leads.jsonl"):
            sf_lead = sf_leads.get(lead["sfdcLeadId"]) if lead["sfdcLeadId"] else None
            synced.add(lead["sfdcLeadId"])
            persons.append((lead["id"], lead, sf_lead))
        for lead_id, sf_lead in sf_leads.items():
            if lead_id not in synced:
                persons.append((0, None, sf_lead))
        for _, mkto, sf_lead in sorted(
            persons, key=lambda p: (p[1] or {}).get("createdAt") or p[2]["CreatedDate"]
        ):
            self._contact(mkto, sf_lead, mql, sf_contacts, opportunities, history)
        for deleted in _read(self.vendor, "marketo/deleted_leads.jsonl"):
            deleted_ts = parse_utc(deleted["activityDate"])
            family, given = deleted["primaryAttributeValue"].split(" ", 1)
            contact_id = self.ids.take("contact", 30_000_000)
            created = deleted_ts - int(self.rng.uniform(1, 30) * 86400)
            properties = {
                "firstname": given,
                "lastname": family,
                "email": None,
                "createdate": hs_datetime(created),
                "lastmodifieddate": hs_datetime(deleted_ts),
                "lifecyclestage": "lead",
                "hs_object_id": contact_id,
            }
            record = _crm(contact_id, properties, created, deleted_ts, None, deleted_ts)
            self.emit("contacts", record)

    def _contact(
        self,
        mkto: dict[str, Any] | None,
        sf_lead: dict[str, Any] | None,
        mql: dict[int, int],
        sf_contacts: dict[str, dict[str, Any]],
        opportunities: dict[str, dict[str, Any]],
        history: dict[str, list[dict[str, Any]]],
    ) -> None:
        contact_id = self.ids.take("contact", 30_000_000)
        creations: list[int] = []
        modified: list[int] = []
        if mkto is not None:
            creations.append(parse_utc(mkto["createdAt"]))
            modified.append(parse_utc(mkto["updatedAt"]))
        properties: dict[str, Any] = {"hs_object_id": contact_id}
        owners: list[tuple[int, str]] = []
        deleted_ts = None
        lifecycle = "lead"
        stages: dict[str, int] = {}
        mql_ts = mql.get(mkto["id"]) if mkto is not None else None
        if mql_ts is not None:
            stages["marketingqualifiedlead"] = mql_ts
            lifecycle = "marketingqualifiedlead"
        if sf_lead is not None:
            self.person_of[sf_lead["Id"]] = contact_id
            lead_created = _sf_ts(sf_lead["CreatedDate"])
            creations.append(lead_created)
            modified.append(_sf_ts(sf_lead["SystemModstamp"]))
            owners.append((lead_created, owner_id(sf_lead["OwnerId"])))
            if sf_lead["IsDeleted"]:
                deleted_ts = _sf_ts(sf_lead["SystemModstamp"])
            properties.update(
                firstname=sf_lead["FirstName"],
                lastname=sf_lead["LastName"],
                email=sf_lead["Email"],
                phone=sf_lead["Phone"],
                company=sf_lead["Company"],
                jobtitle=sf_lead.get("Title"),
            )
            tossup = sf_lead.get(self.profile.custom_field("tossup_at"))
            if tossup:
                self._handoff(sf_lead, tossup, properties, stages, owners, creations, modified,
                              sf_contacts, opportunities, history, contact_id)  # fmt: skip
        if mkto is not None and sf_lead is None:
            properties.update(
                firstname=mkto["firstName"],
                lastname=mkto["lastName"],
                email=mkto["email"],
                company=mkto["company"],
                jobtitle=mkto["title"],
            )
        source = mkto["leadSource"] if mkto is not None else None
        if source is None and sf_lead is not None:
            source = sf_lead["LeadSource"]
        created = min(creations)
        stages["lead"] = created
        for stage in LIFECYCLE:
            if stage in stages:
                lifecycle = stage
                properties[f"hs_v2_date_entered_{stage}"] = hs_datetime(stages[stage])
        owners.sort()
        updated = max(modified + [ts for ts, _ in owners] + list(stages.values()))
        properties.update(
            createdate=hs_datetime(created),
            lastmodifieddate=hs_datetime(updated),
            lifecyclestage=lifecycle,
            hs_analytics_source=SOURCE_VALUES.get(source) if source else None,
            hs_analytics_source_data_1=source,
            hubspot_owner_id=owners[-1][1] if owners else None,
        )
        record = _crm(contact_id, properties, created, updated, None, deleted_ts)
        if owners:
            record["propertiesWithHistory"] = {
                "hubspot_owner_id": [
                    {"value": owner, "timestamp": hs_datetime(ts), "sourceType": "CRM_UI"}
                    for ts, owner in reversed(owners)
                ]
            }
        self.emit("contacts", record)

    def _handoff(
        self,
        sf_lead: dict[str, Any],
        tossup: str,
        properties: dict[str, Any],
        stages: dict[str, int],
        owners: list[tuple[int, str]],
        creations: list[int],
        modified: list[int],
        sf_contacts: dict[str, dict[str, Any]],
        opportunities: dict[str, dict[str, Any]],
        history: dict[str, list[dict[str, Any]]],
        contact_id: str,
    ) -> None:
        """The toss-up: SQL, the deal's owner as the contact's new owner, BANT and verdict."""
        profile = self.profile
        tossup_ts = _sf_ts(tossup)
        stages["salesqualifiedlead"] = tossup_ts
        sf_contact = sf_contacts[sf_lead["ConvertedContactId"]]
        self.person_of[sf_contact["Id"]] = contact_id
        creations.append(_sf_ts(sf_contact["CreatedDate"]))
        modified.append(_sf_ts(sf_contact["SystemModstamp"]))
        opp = opportunities[sf_lead["ConvertedOpportunityId"]]
        self.deal_contact[opp["Id"]] = contact_id
        receiver = owner_id(opp["OwnerId"])
        if receiver != owners[-1][1]:
            owners.append((tossup_ts, receiver))
        status = sf_lead.get(profile.custom_field("handoff_status"))
        rejected = status is not None and profile.status_meaning.get(status) == "rejected"
        if not rejected:
            stages["opportunity"] = tossup_ts
        if opp["IsWon"]:
            stages["customer"] = max(_sf_ts(r["CreatedDate"]) for r in history[opp["Id"]])
        for canonical in ("challenge", "budget_status", "authority", "timeframe",
                          "handoff_status", "reject_reason"):  # fmt: skip
            properties[profile.custom_field(canonical)] = sf_lead.get(
                profile.custom_field(canonical)
            )
        amount_field = profile.custom_field("budget_amount")
        properties[amount_field] = _num(sf_lead.get(amount_field))
        meeting_field = profile.custom_field("next_meeting_at")
        meeting = sf_lead.get(meeting_field)
        if meeting:  # half as HubSpot's API sends datetimes, half as epoch milliseconds
            meeting_ts = _sf_ts(meeting)
            use_ms = self.rng.random() < 0.5
            properties[meeting_field] = epoch_ms(meeting_ts) if use_ms else hs_datetime(meeting_ts)
        else:
            properties[meeting_field] = None
        properties["hs_lead_status"] = "UNQUALIFIED" if rejected else "CONNECTED"

    # -- engagements ---------------------------------------------------------------------
    def _person(self, record_id: str | None) -> list[tuple[str, str]]:
        if record_id is None or record_id not in self.person_of:
            return []
        return [(self.person_of[record_id], "")]

    def _links(
        self, kind: str, who: str | None, what: str | None, account: str | None
    ) -> dict[str, list[tuple[str, str]]]:
        links: dict[str, list[tuple[str, str]]] = {}
        if who is not None and who in self.person_of:
            links["contacts"] = [(self.person_of[who], f"{kind}_to_contact")]
        if account is not None and account in self.company_of:
            links["companies"] = [(self.company_of[account], f"{kind}_to_company")]
        if what is not None and what in self.deal_of:
            links["deals"] = [(self.deal_of[what], f"{kind}_to_deal")]
        return links

    @staticmethod
    def _gong_context(call: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
        """(person, opportunity, account) Salesforce ids of a recorded call's context."""
        who = what = account = None
        for party in call["parties"]:
            for context in party.get("context", []):
                for obj in context["objects"]:
                    if obj["objectType"] in ("Lead", "Contact"):
                        who = obj["objectId"]
        for context in call["context"]:
            for obj in context["objects"]:
                if obj["objectType"] == "Account":
                    account = obj["objectId"]
                elif obj["objectType"] == "Opportunity":
                    what = obj["objectId"]
        return who, what, account

    def engagements(self) -> None:
        gong_owner = {rep.gong_user_id: rep for rep in self.org.reps if rep.gong_user_id}
        recordings = {c["metaData"]["id"]: c for c in _read(self.vendor, "gong/calls.jsonl")}
        linked_tasks: dict[str, dict[str, Any]] = {}
        for task in _read(self.vendor, "salesforce/Task.jsonl"):
            subtype = task["TaskSubtype"]
            if subtype == "Call" and task["CallObject"] and not task["IsDeleted"]:
                linked_tasks[task["CallObject"]] = task
            elif subtype == "Call":
                self._task_call(task)
            elif subtype in ("Email", "ListEmail") and not task["IsDeleted"]:
                self._email(task)
        for call_id, call in recordings.items():
            meta = call["metaData"]
            if meta["scope"] != "External":
                continue  # colleagues only: the SFA's Event of it is the HubSpot meeting
            rep = gong_owner[meta["primaryUserId"]]
            ts = parse_utc(meta["started"])
            task = linked_tasks.get(call_id)
            if task is not None:
                links = self._links("call", task["WhoId"], task["WhatId"], task["AccountId"])
            else:
                links = self._links(
                    "meeting" if meta["direction"] == "Conference" else "call",
                    *self._gong_context(call),
                )
            if meta["direction"] == "Conference":
                self._meeting(rep, ts, ts + meta["duration"], links, meta["title"])
            else:
                self._call(rep, ts, meta["duration"], links, meta["title"])
        for event in _read(self.vendor, "salesforce/Event.jsonl"):
            rep = self.reps[event["OwnerId"]]
            start, end = _sf_ts(event["StartDateTime"]), _sf_ts(event["EndDateTime"])
            if event["Type"] == "Meeting":
                links = self._links("meeting", event["WhoId"], event["WhatId"], event["AccountId"])
                self._meeting(rep, start, end, links, event["Subject"])
            else:  # a colleagues-only meeting: no contact
                self._meeting(rep, start, end, {}, event["Subject"])

    def _call(
        self,
        rep: Rep,
        ts: int,
        duration: int | None,
        links: dict[str, list[tuple[str, str]]],
        title: str,
        archived_ts: int | None = None,
    ) -> None:
        call_id = self.ids.take("call", 40_000_000_000)
        updated = min(ts + (duration or 0) + 60, self.as_of)
        properties = {
            "hs_timestamp": hs_datetime(ts),
            "hs_call_title": title,
            "hs_call_duration": None if duration is None else str(duration * 1000),
            "hs_call_direction": "OUTBOUND",
            "hs_call_disposition": CONNECTED if duration else NO_ANSWER,
            "hs_call_status": "COMPLETED",
            "hubspot_owner_id": owner_id(rep.user_id),
            "hs_createdate": hs_datetime(ts),
            "hs_lastmodifieddate": hs_datetime(max(updated, archived_ts or 0)),
            "hs_object_id": call_id,
        }
        self.emit(
            "calls",
            _crm(call_id, properties, ts, max(updated, archived_ts or 0), links, archived_ts),
        )

    def _task_call(self, task: dict[str, Any]) -> None:
        rep = self.reps[task["OwnerId"]]
        ts = _sf_ts(task["CompletedDateTime"])
        links = self._links("call", task["WhoId"], task["WhatId"], task["AccountId"])
        archived = _sf_ts(task["SystemModstamp"]) if task["IsDeleted"] else None
        self._call(rep, ts, task["CallDurationInSeconds"], links, task["Subject"], archived)

    def _email(self, task: dict[str, Any]) -> None:
        """A rep's e-mail; a list e-mail (a mass mailing logged on the person) is written as
        the prospect's reply: neither is a rep's e-mail sent... only the first counts."""
        rep = self.reps[task["OwnerId"]]
        ts = _sf_ts(task["CompletedDateTime"])
        email_id = self.ids.take("email", 50_000_000_000)
        sent = task["TaskSubtype"] == "Email"
        properties = {
            "hs_timestamp": hs_datetime(ts),
            "hs_email_subject": "ご案内" if sent else "Re: ご案内",
            "hs_email_direction": "EMAIL" if sent else "INCOMING_EMAIL",
            "hs_email_status": "SENT" if sent else None,
            "hubspot_owner_id": owner_id(rep.user_id),
            "hs_createdate": hs_datetime(ts),
            "hs_lastmodifieddate": hs_datetime(ts),
            "hs_object_id": email_id,
        }
        links = self._links("email", task["WhoId"], task["WhatId"], task["AccountId"])
        self.emit("emails", _crm(email_id, properties, ts, ts, links))

    def _meeting(
        self,
        rep: Rep,
        start: int,
        end: int,
        links: dict[str, list[tuple[str, str]]],
        title: str,
    ) -> None:
        if links and self.rng.random() < 0.08:
            # a meeting booked before this one that did not happen: counts nowhere
            outcome = self.rng.choice(("CANCELED", "NO_SHOW", "RESCHEDULED"))
            earlier = start - int(self.rng.uniform(1, 6) * 86400)
            self._meeting_record(rep, earlier, earlier + end - start, links, title, outcome)
        self._meeting_record(rep, start, end, links, title, "COMPLETED")

    def _meeting_record(
        self,
        rep: Rep,
        start: int,
        end: int,
        links: dict[str, list[tuple[str, str]]],
        title: str,
        outcome: str,
    ) -> None:
        meeting_id = self.ids.take("meeting", 60_000_000_000)
        created = start - 2 * 86400
        updated = min(end + 600, self.as_of)
        properties = {
            "hs_timestamp": hs_datetime(start),
            "hs_meeting_title": title,
            "hs_meeting_start_time": hs_datetime(start),
            "hs_meeting_end_time": hs_datetime(end),
            "hs_meeting_outcome": outcome,
            "hs_meeting_location": "Zoom",
            "hubspot_owner_id": owner_id(rep.user_id),
            "hs_createdate": hs_datetime(created),
            "hs_lastmodifieddate": hs_datetime(updated),
            "hs_object_id": meeting_id,
        }
        self.emit("meetings", _crm(meeting_id, properties, created, updated, links))


def _fix_association_types(translator: Translator) -> None:
    """Person links of engagements built from a recording carry the right type label."""
    for stream in ("calls", "meetings", "emails"):
        kind = stream.removesuffix("s")
        for _, record in translator.files.get(stream, []):
            for target_kind, block in record.get("associations", {}).items():
                for item in block["results"]:
                    if not item["type"]:
                        item["type"] = f"{kind}_to_{target_kind.removesuffix('s')}"


def translate(
    vendor_dir: Path, out_dir: Path, org: Org, profile: Profile, seed: int, as_of: int
) -> dict[str, int]:
    """Writes out_dir/hubspot/ from the vendor files in vendor_dir; returns non-archived
    record counts per file."""
    translator = Translator(vendor_dir, out_dir, org, profile, seed, as_of)
    translator.owners()
    translator.pipelines()
    translator.companies()
    translator.contacts()  # before deals: a deal's contact is the person tossed up
    translator.deals()
    translator.engagements()
    _fix_association_types(translator)
    return translator.finish()


def _prop(
    name: str,
    label: str,
    kind: str = "string",
    field: str = "text",
    group: str = "contactinformation",
    options: tuple[str, ...] = (),
    custom: bool = False,
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "name": name,
        "label": label,
        "type": kind,
        "fieldType": field,
        "groupName": group,
        "options": [
            {"label": option, "value": option, "displayOrder": n, "hidden": False}
            for n, option in enumerate(options)
        ],
    }
    if not custom:
        record["hubspotDefined"] = True
    return record


def properties_listing(profile: Profile) -> dict[str, list[dict[str, Any]]]:
    """The properties API's `results` per object type: HubSpot's own properties the world
    fills, and the org's custom handoff properties on contacts."""
    dt = {"kind": "datetime", "field": "date"}
    common = [_prop("hs_object_id", "Record ID", "number", "number"),
              _prop("hubspot_owner_id", "Owner", "enumeration", "select")]  # fmt: skip
    lifecycle_dates = [
        _prop(f"hs_v2_date_entered_{stage}", f"Date entered '{stage}'", **dt) for stage in LIFECYCLE
    ]
    good_bad = (*profile.budget.good, *profile.budget.other)
    authority = (*profile.authority.good, *profile.authority.other)
    statuses = (*profile.accepted_labels, *profile.rejected_labels)
    handoff = "handoff_information"
    contacts = [
        *common,
        _prop("email", "Email"),
        _prop("firstname", "First Name"),
        _prop("lastname", "Last Name"),
        _prop("phone", "Phone Number", field="phonenumber"),
        _prop("company", "Company Name"),
        _prop("jobtitle", "Job Title"),
        _prop("createdate", "Create Date", **dt),
        _prop("lastmodifieddate", "Last Modified Date", **dt),
        _prop("lifecyclestage", "Lifecycle Stage", "enumeration", "radio", options=LIFECYCLE),
        _prop("hs_lead_status", "Lead Status", "enumeration", "radio",
              options=("NEW", "OPEN", "IN_PROGRESS", "CONNECTED", "UNQUALIFIED")),
        _prop("hs_analytics_source", "Original Source", "enumeration", "select",
              options=tuple(sorted(set(SOURCE_VALUES.values())))),
        _prop("hs_analytics_source_data_1", "Original Source Drill-Down 1"),
        *lifecycle_dates,
        _prop(profile.custom_field("challenge"), "課題", field="textarea", group=handoff,
              custom=True),
        _prop(profile.custom_field("budget_status"), "予算", "enumeration", "select",
              group=handoff, options=tuple(o for o in good_bad if o), custom=True),
        _prop(profile.custom_field("budget_amount"), "予算額", "number", "number", group=handoff,
              custom=True),
        _prop(profile.custom_field("authority"), "決裁権", "enumeration", "select",
              group=handoff, options=tuple(o for o in authority if o), custom=True),
        _prop(profile.custom_field("timeframe"), "導入時期", group=handoff, custom=True),
        _prop(profile.custom_field("next_meeting_at"), "次回商談日時", group=handoff,
              custom=True, **dt),
        _prop(profile.custom_field("handoff_status"), "トスアップ判定", "enumeration", "select",
              group=handoff, options=statuses, custom=True),
        _prop(profile.custom_field("reject_reason"), "差し戻し理由", field="textarea",
              group=handoff, custom=True),
    ]  # fmt: skip
    companies = [*common, _prop("name", "Company name"), _prop("domain", "Company Domain Name"),
                 _prop("lifecyclestage", "Lifecycle Stage", "enumeration", "radio",
                       options=LIFECYCLE),
                 _prop("industry", "Industry"), _prop("city", "City"),
                 _prop("country", "Country/Region"),
                 _prop("numberofemployees", "Number of Employees", "number", "number"),
                 _prop("createdate", "Create Date", **dt),
                 _prop("hs_lastmodifieddate", "Last Modified Date", **dt)]  # fmt: skip
    stage_dates = [
        _prop(f"hs_v2_date_entered_{stage.api_name}", f"Date entered '{stage.label}'", **dt)
        for stage in profile.stages
    ]
    deals = [*common, _prop("dealname", "Deal Name"),
             _prop("amount", "Amount", "number", "number"),
             _prop("closedate", "Close Date", **dt), _prop("createdate", "Create Date", **dt),
             _prop("hs_lastmodifieddate", "Last Modified Date", **dt),
             _prop("pipeline", "Pipeline", "enumeration", "select"),
             _prop("dealstage", "Deal Stage", "enumeration", "select"),
             _prop("dealtype", "Deal Type", "enumeration", "select",
                   options=(profile.new_business_type, profile.renewal_type)),
             _prop("deal_currency_code", "Currency", "enumeration", "select"),
             *stage_dates]  # fmt: skip
    engagement = [*common, _prop("hs_timestamp", "Activity date", **dt),
                  _prop("hs_createdate", "Create date", **dt),
                  _prop("hs_lastmodifieddate", "Last modified date", **dt)]  # fmt: skip
    calls = [*engagement, _prop("hs_call_title", "Call Title"),
             _prop("hs_call_duration", "Call duration", "number", "number"),
             _prop("hs_call_direction", "Call direction", "enumeration", "select",
                   options=("INBOUND", "OUTBOUND")),
             _prop("hs_call_disposition", "Call outcome"),
             _prop("hs_call_status", "Call status", "enumeration", "select",
                   options=("COMPLETED", "NO_ANSWER", "BUSY", "FAILED"))]  # fmt: skip
    meetings = [*engagement, _prop("hs_meeting_title", "Meeting name"),
                _prop("hs_meeting_start_time", "Meeting start time", **dt),
                _prop("hs_meeting_end_time", "Meeting end time", **dt),
                _prop("hs_meeting_location", "Location"),
                _prop("hs_meeting_outcome", "Meeting outcome", "enumeration", "select",
                      options=("SCHEDULED", "COMPLETED", "RESCHEDULED", "NO_SHOW",
                               "CANCELED"))]  # fmt: skip
    emails = [*engagement, _prop("hs_email_subject", "Email subject"),
              _prop("hs_email_direction", "Email direction", "enumeration", "select",
                    options=("EMAIL", "INCOMING_EMAIL", "FORWARDED_EMAIL")),
              _prop("hs_email_status", "Email send status", "enumeration", "select",
                    options=("BOUNCED", "FAILED", "SCHEDULED", "SENDING", "SENT"))]  # fmt: skip
    return {"contacts": contacts, "companies": companies, "deals": deals, "calls": calls,
            "meetings": meetings, "emails": emails}  # fmt: skip
