"""The hubspot-smb company: HubSpot files only (contract sections 1-2), stage ids that are no
labels, and a truth that agrees with what its files say when read the way docs/configure.md
tells the pipeline to read them."""

import json
from collections import Counter
from pathlib import Path

import pytest

from sandbox.world import generate
from sandbox.world.hubspot import OBJECT_TYPES, STREAMS


@pytest.fixture(scope="module")
def smb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("smb"), leads=300, seed=7, profile="hubspot-smb")


def read(world: Path, stream: str) -> list[dict]:
    with (world / "hubspot" / f"{stream}.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def test_hubspot_smb_writes_only_hubspot_files(smb: Path) -> None:
    assert sorted(p.name for p in smb.iterdir()) == ["hubspot", "manifest.json", "truth.json"]
    manifest = json.loads((smb / "manifest.json").read_text())
    assert manifest["vendors"] == ["hubspot"]
    assert set(manifest["files"]) == {f"hubspot/{s}.jsonl" for s in STREAMS}
    for object_type in OBJECT_TYPES:
        listing = json.loads((smb / "hubspot" / "properties" / f"{object_type}.json").read_text())
        names = {p["name"] for p in listing}
        used = {n for r in read(smb, object_type) for n in r["properties"]}
        assert used <= names, f"{object_type}: properties not listed: {used - names}"
    contacts_listing = json.loads((smb / "hubspot" / "properties" / "contacts.json").read_text())
    custom = {p["name"] for p in contacts_listing if not p.get("hubspotDefined")}
    assert {"challenge", "budget_status", "handoff_status", "handoff_reject_reason"} <= custom


def test_hubspot_smb_records_follow_the_contract_shapes(smb: Path) -> None:
    for stream in ("contacts", "companies", "deals", "calls", "meetings", "emails"):
        for record in read(smb, stream):
            assert set(record) >= {"id", "properties", "createdAt", "updatedAt", "archived"}
            assert all(v is None or isinstance(v, str) for v in record["properties"].values())
            for block in record.get("associations", {}).values():
                assert block["results"] and all(r["id"] and r["type"] for r in block["results"])
    contacts = read(smb, "contacts")
    assert any(c["archived"] for c in contacts)
    owned = [c for c in contacts if "propertiesWithHistory" in c]
    assert any(len(c["propertiesWithHistory"]["hubspot_owner_id"]) > 1 for c in owned)
    owners = read(smb, "owners")
    assert any(o["archived"] for o in owners) and all(o["teams"] for o in owners)
    (pipeline,) = read(smb, "deal_pipelines")
    won = [s for s in pipeline["stages"] if s["metadata"]["probability"] == "1"]
    assert won and won[0]["id"].isdigit() and won[0]["label"] == "受注"
    assert all(s["id"] not in ("closedwon", "closedlost") for s in pipeline["stages"])


def test_hubspot_smb_truth_counts_agree_with_the_files(smb: Path) -> None:
    truth = json.loads((smb / "truth.json").read_text())
    counts = truth["counts"]
    calls = [c for c in read(smb, "calls") if not c["archived"]]
    assert counts["calls"] == len(calls)
    sent = [e for e in read(smb, "emails") if e["properties"]["hs_email_direction"] == "EMAIL"]
    assert counts["emails"] == len(sent)
    held = [
        m
        for m in read(smb, "meetings")
        if m["properties"]["hs_meeting_outcome"] == "COMPLETED"
        and "contacts" in m.get("associations", {})
    ]
    assert counts["meetings"] == len(held)
    owner_emails = {o["email"] for o in read(smb, "owners")}
    domains = {e.split("@")[1] for e in owner_emails}
    persons = [
        c
        for c in read(smb, "contacts")
        if not c["archived"]
        and (c["properties"]["email"] or "").strip().lower().rpartition("@")[2] not in domains
    ]
    assert counts["persons"] == len(persons)
    sql = [p for p in persons if p["properties"].get("hs_v2_date_entered_salesqualifiedlead")]
    assert counts["handoffs"] == len(sql)
    # a smaller, full-cycle-heavy team with some division of labour
    units = Counter(
        row["key"]
        for row in truth["kpis"]
        if row["kpi"] == "tossups" and row["grain"] == "unit" and row["period_grain"] == "month"
        for _ in range(int(row["value"]))
    )
    assert units["full_cycle"] > units["division_of_labour"] > 0
    teams = Counter(o["teams"][0]["name"] for o in read(smb, "owners"))
    assert teams["フルサイクル営業"] >= 4 and teams["インサイドセールス"] >= 2
    rep_keys = {row["key"] for row in truth["kpis"] if row["grain"] == "rep"}
    assert rep_keys <= {o["id"] for o in read(smb, "owners")}
