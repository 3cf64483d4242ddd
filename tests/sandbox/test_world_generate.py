"""The generated world: determinism, file order, and truth re-derived from the JSONL."""

import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from sandbox.world import generate
from sandbox.world.generate import ALL_FILES
from sandbox.world.rules import normalise_text, person_key

LEADS = 300


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("world"), leads=LEADS, seed=7)


def read(world: Path, relpath: str) -> list[dict]:
    with (world / relpath).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def truth_values(world: Path, kpi: str, grain: str = "company") -> dict[str, float]:
    truth = json.loads((world / "truth.json").read_text(encoding="utf-8"))
    return {
        r["period_start"][:7]: r["value"]
        for r in truth["kpis"]
        if r["kpi"] == kpi and r["grain"] == grain and r["period_grain"] == "month"
    }


def jst_month(sf_datetime: str) -> str:
    from datetime import datetime, timedelta

    moment = datetime.strptime(sf_datetime, "%Y-%m-%dT%H:%M:%S.000+0000") + timedelta(hours=9)
    return moment.strftime("%Y-%m")


def jst_month_marketo(marketo_datetime: str) -> str:
    return jst_month(marketo_datetime.replace("Z", ".000+0000"))


def test_same_seed_same_bytes(world: Path, tmp_path: Path) -> None:
    again = generate(tmp_path / "again", leads=LEADS, seed=7)
    names = sorted(p.relative_to(world).as_posix() for p in world.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(again).as_posix() for p in again.rglob("*") if p.is_file())
    for name in names:
        assert (world / name).read_bytes() == (again / name).read_bytes(), name


def test_other_seed_other_world(world: Path, tmp_path: Path) -> None:
    other = generate(tmp_path / "other", leads=LEADS, seed=8)
    assert (world / "truth.json").read_bytes() != (other / "truth.json").read_bytes()


def test_files_are_sorted_as_the_contract_says(world: Path) -> None:
    for relpath in ALL_FILES:
        assert (world / relpath).exists(), relpath
    for name in ("User", "Account", "Lead", "Opportunity", "Task", "Event", "OpportunityHistory"):
        rows = read(world, f"salesforce/{name}.jsonl")
        keys = [(r["SystemModstamp"], r["Id"]) for r in rows]
        assert keys == sorted(keys), name
    leads = read(world, "marketo/leads.jsonl")
    assert [(r["updatedAt"], r["id"]) for r in leads] == sorted(
        (r["updatedAt"], r["id"]) for r in leads
    )
    acts = read(world, "marketo/activities.jsonl")
    assert [(a["activityDate"], a["id"]) for a in acts] == sorted(
        (a["activityDate"], a["id"]) for a in acts
    )
    calls = read(world, "gong/calls.jsonl")
    from datetime import datetime

    started = [datetime.fromisoformat(c["metaData"]["started"]) for c in calls]
    assert started == sorted(started)


def test_about_ten_marketo_activities_per_lead(world: Path) -> None:
    manifest = json.loads((world / "manifest.json").read_text())
    per_lead = (
        manifest["files"]["marketo/activities.jsonl"] / manifest["files"]["marketo/leads.jsonl"]
    )
    assert 7 <= per_lead <= 14


def test_handoffs_are_the_non_deleted_leads_with_a_tossup(world: Path) -> None:
    leads = [r for r in read(world, "salesforce/Lead.jsonl") if not r["IsDeleted"]]
    handoffs = [r for r in leads if r["Tossup_Date__c"]]
    truth = json.loads((world / "truth.json").read_text())
    assert truth["counts"]["handoffs"] == len(handoffs) > 0
    by_month = Counter(jst_month(r["Tossup_Date__c"]) for r in handoffs)
    assert truth_values(world, "tossups") == {m: float(n) for m, n in by_month.items()}


def test_won_deals_and_revenue_match_closed_won_opportunities(world: Path) -> None:
    leads = [r for r in read(world, "salesforce/Lead.jsonl") if not r["IsDeleted"]]
    accepted_opps = {
        r["ConvertedOpportunityId"]
        for r in leads
        if r["Tossup_Date__c"] and normalise_text(r["Handoff_Status__c"]) in ("Accepted", "承認")
    }
    opps = [r for r in read(world, "salesforce/Opportunity.jsonl") if not r["IsDeleted"]]
    won = Counter()
    revenue: dict[str, float] = defaultdict(float)
    total: dict[str, float] = defaultdict(float)
    for opp in opps:
        if opp["StageName"] != "Closed Won":
            continue
        month = opp["CloseDate"][:7]
        total[month] += opp["Amount"]
        if opp["Id"] in accepted_opps and opp["Type"] == "New Business":
            won[month] += 1
            revenue[month] += opp["Amount"]
    assert sum(won.values()) > 0
    assert truth_values(world, "won_deals") == {m: float(n) for m, n in won.items()}
    assert truth_values(world, "new_business_revenue") == pytest.approx(dict(revenue))
    assert truth_values(world, "revenue") == pytest.approx(dict(total))


def test_mql_to_sql_rate_matches_marketo_and_salesforce(world: Path) -> None:
    emails = {r["id"]: person_key(r["email"]) for r in read(world, "marketo/leads.jsonl")}
    first_mql: dict[str, str] = {}
    for act in read(world, "marketo/activities.jsonl"):
        attrs = {a["name"]: a["value"] for a in act["attributes"]}
        is_status = act["activityTypeId"] == 13 and act["primaryAttributeValue"] == "Lead Status"
        if is_status and attrs["New Value"] == "MQL":
            first_mql.setdefault(emails[act["leadId"]], jst_month_marketo(act["activityDate"]))
    tossed = {
        person_key(r["Email"])
        for r in read(world, "salesforce/Lead.jsonl")
        if not r["IsDeleted"] and r["Tossup_Date__c"]
    }
    cohorts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for person, month in first_mql.items():
        cohorts[month][0] += person in tossed
        cohorts[month][1] += 1
    assert len(first_mql) > 0
    expected = {m: hits / n for m, (hits, n) in cohorts.items()}
    assert truth_values(world, "mql_to_sql_rate") == pytest.approx(expected)
