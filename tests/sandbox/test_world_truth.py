"""Truth re-derived independently from the generated JSONL (activity and handoff KPIs)."""

import json
import statistics
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from sandbox.world import generate
from sandbox.world.rules import HandoffFields, assess_handoff, handoff_status, person_key

LEADS = 400


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("world"), leads=LEADS, seed=11)


def read(world: Path, relpath: str) -> list[dict]:
    with (world / relpath).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace(".000+0000", "+00:00").replace("Z", "+00:00"))


def month(moment: datetime) -> str:
    return (moment + timedelta(hours=9) - moment.utcoffset()).strftime("%Y-%m")  # type: ignore[operator]


def truth(world: Path, kpi: str, grain: str = "company") -> dict[str, float]:
    doc = json.loads((world / "truth.json").read_text(encoding="utf-8"))
    return {
        r["period_start"][:7]: r["value"]
        for r in doc["kpis"]
        if r["kpi"] == kpi and r["grain"] == grain and r["period_grain"] == "month"
    }


def test_activity_counts(world: Path) -> None:
    tasks = [t for t in read(world, "salesforce/Task.jsonl") if not t["IsDeleted"]]
    gong = [c for c in read(world, "gong/calls.jsonl") if c["metaData"]["scope"] == "External"]
    gong_ids = {c["metaData"]["id"] for c in gong}
    calls, connected, emails, meetings = Counter(), Counter(), Counter(), Counter()
    for task in tasks:
        start = parse(task["CompletedDateTime"])
        if task["TaskSubtype"] == "Call" and task["CallObject"] not in gong_ids:
            calls[month(start)] += 1
            connected[month(start)] += (task["CallDurationInSeconds"] or 0) >= 60
        elif task["TaskSubtype"] == "Email":
            emails[month(start)] += 1
    for call in gong:
        meta = call["metaData"]
        start = datetime.fromisoformat(meta["started"])
        if meta["direction"] in ("Outbound", "Inbound"):
            calls[month(start)] += 1
            connected[month(start)] += meta["duration"] >= 60
        elif meta["direction"] == "Conference":
            meetings[month(start)] += 1
    for event in read(world, "salesforce/Event.jsonl"):
        if not event["IsDeleted"] and event["Type"] == "Meeting":
            meetings[month(parse(event["StartDateTime"]))] += 1
    assert sum(calls.values()) > 0 and sum(meetings.values()) > 0
    assert truth(world, "calls") == {m: float(n) for m, n in calls.items()}
    assert truth(world, "connected_calls") == {m: float(n) for m, n in connected.items() if n}
    assert truth(world, "emails_sent") == {m: float(n) for m, n in emails.items()}
    assert truth(world, "meetings_held") == {m: float(n) for m, n in meetings.items()}


def test_handoff_quality_and_sla(world: Path) -> None:
    leads = [r for r in read(world, "salesforce/Lead.jsonl") if not r["IsDeleted"]]
    opps = {o["Id"]: o for o in read(world, "salesforce/Opportunity.jsonl")}
    contacts = {c["Id"]: c for c in read(world, "salesforce/Contact.jsonl")}
    meetings: list[tuple[str, datetime, str | None, str | None]] = []  # owner, start, account, who
    for event in read(world, "salesforce/Event.jsonl"):
        if event["Type"] == "Meeting" and not event["IsDeleted"]:
            meetings.append(
                (
                    event["OwnerId"],
                    parse(event["StartDateTime"]),
                    event["AccountId"],
                    event["WhoId"],
                )
            )
    users = {u["Email"].lower(): u["Id"] for u in read(world, "salesforce/User.jsonl")}
    gong_users = {
        u["id"]: users[u["emailAddress"].lower()] for u in read(world, "gong/users.jsonl")
    }
    for call in read(world, "gong/calls.jsonl"):
        meta = call["metaData"]
        if meta["scope"] == "External" and meta["direction"] == "Conference":
            accounts = [
                o["objectId"]
                for c in call["context"]
                for o in c["objects"]
                if o["objectType"] == "Account"
            ]
            meetings.append(
                (gong_users[meta["primaryUserId"]], datetime.fromisoformat(meta["started"]),
                 accounts[0] if accounts else None, None)
            )  # fmt: skip
    completeness: dict[str, list[float]] = defaultdict(list)
    qualified: dict[str, list[bool]] = defaultdict(list)
    sla: dict[str, list[bool]] = defaultdict(list)
    hours: dict[str, list[float]] = defaultdict(list)
    for lead in leads:
        if not lead["Tossup_Date__c"]:
            continue
        tossup = parse(lead["Tossup_Date__c"])
        fields = HandoffFields(
            lead["Company"], lead["Name"], lead["Email"], lead["Phone"], lead["Challenge__c"],
            lead["Budget_Status__c"], lead["Budget_Amount__c"], lead["Authority__c"],
            lead["Timeframe__c"],
            parse(lead["Next_Meeting__c"]) if lead["Next_Meeting__c"] else None,
        )  # fmt: skip
        quality = assess_handoff(fields, tossup)
        completeness[month(tossup)].append(quality.completeness)
        qualified[month(tossup)].append(quality.is_qualified)
        if handoff_status(lead["Handoff_Status__c"]) != "accepted":
            continue
        receiver = opps[lead["ConvertedOpportunityId"]]["OwnerId"]
        account = lead["ConvertedAccountId"]
        person_ids = {lead["Id"], lead["ConvertedContactId"]}
        firsts = [
            start
            for owner, start, acc, who in meetings
            if owner == receiver and start >= tossup and (acc == account or who in person_ids)
        ]
        first = min(firsts, default=None)
        sla[month(tossup)].append(first is not None and first - tossup <= timedelta(hours=72))
        if first is not None:
            hours[month(tossup)].append((first - tossup).total_seconds() / 3600)
    assert contacts
    assert truth(world, "avg_handoff_completeness") == pytest.approx(
        {m: statistics.mean(v) for m, v in completeness.items()}
    )
    assert truth(world, "qualified_handoff_share") == pytest.approx(
        {m: statistics.mean(v) for m, v in qualified.items()}
    )
    assert truth(world, "sla_met_rate") == pytest.approx(
        {m: statistics.mean(v) for m, v in sla.items()}
    )
    assert truth(world, "median_hours_to_first_meeting") == pytest.approx(
        {m: statistics.median(v) for m, v in hours.items()}
    )


def test_persons_count_is_distinct_non_deleted_keys(world: Path) -> None:
    keys = {person_key(r["email"]) for r in read(world, "marketo/leads.jsonl")}
    for obj in ("Lead", "Contact"):
        keys |= {
            person_key(r["Email"])
            for r in read(world, f"salesforce/{obj}.jsonl")
            if not r["IsDeleted"]
        }
    for call in read(world, "gong/calls.jsonl"):
        keys |= {
            person_key(p["emailAddress"]) for p in call["parties"] if p["affiliation"] == "External"
        }
    doc = json.loads((world / "truth.json").read_text(encoding="utf-8"))
    assert doc["counts"]["persons"] == len(keys - {None})


def test_messy_forms_are_present(world: Path) -> None:
    leads = read(world, "salesforce/Lead.jsonl")
    handoffs = [r for r in leads if r["Tossup_Date__c"]]
    values = lambda field: {r[field] for r in handoffs}  # noqa: E731
    assert values("Budget_Status__c") & {"確定", "見込み", "概算", "予算確定"}
    assert values("Budget_Status__c") & {None, "", "検討中"}
    assert values("Authority__c") & {"決裁者", "担当者", "影響者"}
    assert values("Challenge__c") & {"-", "なし", "TBD", "ＴＢＤ", "特になし", "N/A", "?", None, ""}
    assert any(v and ("来期" in v or v == "Q3" or "半年" in v) for v in values("Timeframe__c"))
    assert any(v and "/" in v for v in values("Timeframe__c"))
    assert {"Accepted", "承認"} & values("Handoff_Status__c")
    assert {"Rejected", "差し戻し"} & values("Handoff_Status__c")
    assert None in values("Handoff_Status__c")
    phones = {r["Phone"] for r in leads if r["Phone"]}
    assert any(p.startswith("03-") for p in phones) and any("０" in p for p in phones)
    emails = [r["Email"] for r in leads]
    assert any(e != e.strip() for e in emails) and any(e != e.lower() for e in emails)
    companies = {r["company"] for r in read(world, "marketo/leads.jsonl")}
    assert any(c.startswith("(株)") for c in companies) and any(
        c.startswith("株式会社") for c in companies
    )
    assert any(r["IsDeleted"] for r in leads)
    assert read(world, "marketo/deleted_leads.jsonl")
    users = read(world, "salesforce/User.jsonl")
    assert any(not u["IsActive"] for u in users)
    opps = read(world, "salesforce/Opportunity.jsonl")
    assert any(o["Type"] == "Renewal" for o in opps)
    assert any(o["SystemModstamp"] > o["CreatedDate"] for o in opps)
    assert any(
        r["Inside_Sales_Rep__c"]
        == next(o for o in opps if o["Id"] == r["ConvertedOpportunityId"])["OwnerId"]
        for r in handoffs
    )


def test_renewals_new_customers_and_proposals(world: Path) -> None:
    opps = [o for o in read(world, "salesforce/Opportunity.jsonl") if not o["IsDeleted"]]
    due, renewed = Counter(), Counter()
    first_won: dict[str, str] = {}
    for opp in opps:
        if opp["Type"] == "Renewal":
            due[opp["CloseDate"][:7]] += 1
            renewed[opp["CloseDate"][:7]] += opp["StageName"] == "Closed Won"
        if opp["StageName"] == "Closed Won":
            day = first_won.get(opp["AccountId"])
            first_won[opp["AccountId"]] = min(day, opp["CloseDate"]) if day else opp["CloseDate"]
    assert sum(due.values()) > 0
    assert truth(world, "renewals_due") == {m: float(n) for m, n in due.items()}
    assert truth(world, "retention_rate") == pytest.approx(
        {m: renewed[m] / n for m, n in due.items()}
    )
    assert truth(world, "new_customers") == dict(Counter(d[:7] for d in first_won.values()))

    leads = [r for r in read(world, "salesforce/Lead.jsonl") if not r["IsDeleted"]]
    accepted = {
        r["ConvertedOpportunityId"]
        for r in leads
        if r["Tossup_Date__c"] and handoff_status(r["Handoff_Status__c"]) == "accepted"
    }
    first_proposal: dict[str, datetime] = {}
    for row in read(world, "salesforce/OpportunityHistory.jsonl"):
        if row["StageName"] == "Proposal" and row["OpportunityId"] in accepted:
            first_proposal.setdefault(row["OpportunityId"], parse(row["CreatedDate"]))
    proposals = Counter(month(ts) for ts in first_proposal.values())
    assert truth(world, "proposals") == {m: float(n) for m, n in proposals.items()}
    owners = {o["Id"]: o["OwnerId"] for o in opps}
    won_lost: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for opp in opps:
        if opp["Id"] in accepted and opp["IsClosed"]:
            cell = won_lost[(owners[opp["Id"]], opp["CloseDate"][:7])]
            cell[0] += opp["IsWon"]
            cell[1] += 1
    doc = json.loads((world / "truth.json").read_text(encoding="utf-8"))
    by_rep = {
        (r["key"], r["period_start"][:7]): r["value"]
        for r in doc["kpis"]
        if r["kpi"] == "win_rate" and r["grain"] == "rep" and r["period_grain"] == "month"
    }
    assert by_rep == pytest.approx({k: won / n for k, (won, n) in won_lost.items()})
