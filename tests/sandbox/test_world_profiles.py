"""Company profiles: the default company's files are those of the generator before profiles
existed; custom-jp is configured differently in every way issue 18 lists, and its truth agrees
with rules re-derived here from its files alone."""

import hashlib
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sandbox.world import generate
from sandbox.world.profile import CUSTOM_JP, DEFAULT
from sandbox.world.rules import person_key

# sha256 of the vendor files of generate(leads=300, seed=7) before company profiles existed
# (OpportunityStage.jsonl is new; manifest.json and truth.json gained fields since).
DEFAULT_FILES_300_7 = dict(
    line.split()[::-1]
    for line in """
64ffa03a7c67306b701a071bbcc9d7162c852cbd7b2553da7584257dca3a4792 gong/calls.jsonl
920d96b4899e8a4c4a141e21d04887e2fbe2603d34488822f8488e6fb01fa3a7 gong/users.jsonl
0f3f40f38ceb6d2d75a2c0396674644f733e3e1fbc97593c67ee7be33d7682c0 marketo/activities.jsonl
cf3c3dc158f444e6b69a9f285269dcb0ba7899c72823d0db75c3f7ccd12f4e42 marketo/activity_types.json
379bd2b7c8772252d59fc188924bd66c06b7fb496ce550b3b90b2134c6423c65 marketo/deleted_leads.jsonl
bb4bbac25865c85a30cf6dd4d4396a7369570149898aec446a8037acf20dedad marketo/leads.jsonl
03518483811e6a568d9c0d17c84d584666355ec32e66a9efea5f14483d4cb6f6 salesforce/Account.jsonl
dfa921e4bdccea1b933b12dc36c714d93d1986ddfba0e43c7d5b1f6a54113a04 salesforce/Contact.jsonl
b155f2807f4755d7cb66b1ac84df3b16a5c5ec86167e09200d8bd5a40318d7dd salesforce/Event.jsonl
fc07cf628b8b3783aa2b6064299349ea4b914170ee40f05e086895374b8b3a50 salesforce/Lead.jsonl
62830e8b8cf15b45488aeb1a532e5379dc4cc97767e22de4b787014daa2a0533 salesforce/LeadHistory.jsonl
6db940c34e9a9a1a44d46aa0cdb396eed02b523a588c899327d74c28c40b8183 salesforce/Opportunity.jsonl
2bf934bc8ab44789cc0717b5d4ea8819212fa69911adfb793d4fa08170cf17b4 salesforce/OpportunityHistory.jsonl
56dab67724151c9feb0a691f8beddc67cbd6ae4fcc5ffec391b419eafdea2919 salesforce/Task.jsonl
707d39609a7f4c438b28113e6fbc5f3ec7fa169ae118f519db23a4ce2d4e6497 salesforce/User.jsonl
c02e9fdc6971625e4da6d61db29b17d0fa3b4e4fc17b16db29b2eb57a21fff7f salesforce/UserRole.jsonl
""".strip().splitlines()
)


@pytest.fixture(scope="module")
def jp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("jp"), leads=400, seed=11, profile="custom-jp")


def read(world: Path, relpath: str) -> list[dict]:
    with (world / relpath).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def test_default_profile_files_are_unchanged(tmp_path: Path) -> None:
    world = generate(tmp_path, leads=300, seed=7)
    hashes = {
        relpath: hashlib.sha256((world / relpath).read_bytes()).hexdigest()
        for relpath in DEFAULT_FILES_300_7
    }
    assert hashes == DEFAULT_FILES_300_7
    stages = read(world, "salesforce/OpportunityStage.jsonl")
    assert [s["ApiName"] for s in sorted(stages, key=lambda s: s["SortOrder"])] == [
        s.api_name for s in DEFAULT.stages
    ]


def test_unknown_profile_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown profile 'acme'"):
        generate(tmp_path, leads=10, profile="acme")


def test_custom_jp_names_things_its_own_way(jp: Path) -> None:
    leads = [r for r in read(jp, "salesforce/Lead.jsonl") if not r["IsDeleted"]]
    handoffs = [r for r in leads if r["IS_Handoff_Date__c"]]
    assert handoffs and all("Tossup_Date__c" not in r for r in leads)
    assert {r["Yosan__c"] for r in handoffs} & {"予算取り中", "予算確保済み", "未定"}
    assert {r["IS_Handoff_Result__c"] for r in handoffs} >= {"受入", "商談化", "差戻し", "対象外"}
    stages = {s["ApiName"]: s for s in read(jp, "salesforce/OpportunityStage.jsonl")}
    assert stages["受注"]["IsWon"] and stages["失注"]["IsClosed"] and not stages["失注"]["IsWon"]
    assert not stages["見込み"]["IsActive"]
    assert stages["最終交渉"]["MasterLabel"] == "最終交渉・稟議"
    opportunities = read(jp, "salesforce/Opportunity.jsonl")
    assert {o["StageName"] for o in opportunities} <= set(stages)
    assert {o["Type"] for o in opportunities} == {"新規", "更新"}
    history = {r["StageName"] for r in read(jp, "salesforce/OpportunityHistory.jsonl")}
    assert {"提案", "見積提示"} <= history and "見込み" not in history
    roles = {r["Name"] for r in read(jp, "salesforce/UserRole.jsonl")}
    assert roles == set(CUSTOM_JP.role_teams)
    assert all(
        u["Email"].endswith("@themodel-jp.example") for u in read(jp, "salesforce/User.jsonl")
    )


def test_custom_jp_has_the_habits_of_real_orgs(jp: Path) -> None:
    users = {u["Email"].lower() for u in read(jp, "salesforce/User.jsonl")}
    calls = read(jp, "gong/calls.jsonl")
    marked_external = [
        p["emailAddress"].lower()
        for c in calls
        for p in c["parties"]
        if p["affiliation"] == "External"
        and (p["emailAddress"].lower() in users or "themodel-group" in p["emailAddress"])
    ]
    assert len(marked_external) > 20
    colleagues_only = [
        c
        for c in calls
        if c["metaData"]["scope"] == "External"
        and all(
            p["affiliation"] == "Internal" or p["emailAddress"].lower() in users
            or "themodel-group" in p["emailAddress"]
            for p in c["parties"]
        )
    ]  # fmt: skip
    assert colleagues_only
    mkto = read(jp, "marketo/leads.jsonl")
    assert any(r["email"].lower() in users or "@themodel-jp" in r["email"] for r in mkto)
    sf_sources = {
        r["Id"]: r["LeadSource"] for r in read(jp, "salesforce/Lead.jsonl") if not r["IsDeleted"]
    }
    only_in_salesforce = [
        r for r in mkto if r["leadSource"] is None and sf_sources.get(r["sfdcLeadId"] or "")
    ]
    assert only_in_salesforce


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace(".000+0000", "+00:00"))


def test_custom_jp_calls_follow_the_matching_rule(jp: Path) -> None:
    """Calls per month re-derived from the files with contract 5.4's rule (linked by
    CallObject, else same rep, same person, starts within the org's 15 minutes) equal the
    truth, which counts the event model's calls (a hand-logged call is one call)."""
    window = timedelta(seconds=CUSTOM_JP.call_match_window_seconds)
    users = {u["Email"].lower(): u["Id"] for u in read(jp, "salesforce/User.jsonl")}
    gong_users = {g["id"]: users[g["emailAddress"].lower()] for g in read(jp, "gong/users.jsonl")}
    internal = set(users) | {"themodel-jp.example", "themodel-group.example"}
    who = {
        r["Id"]: person_key(r["Email"])
        for name in ("Lead", "Contact")
        for r in read(jp, f"salesforce/{name}.jsonl")
        if not r["IsDeleted"]
    }
    recordings = []
    for call in read(jp, "gong/calls.jsonl"):
        meta = call["metaData"]
        customers = {
            key
            for p in call["parties"]
            if p["affiliation"] != "Internal"
            and (key := person_key(p["emailAddress"])) not in internal
            and key.split("@")[-1] not in internal
        }
        if meta["scope"] == "External" and customers and meta["direction"] == "Outbound":
            started = datetime.fromisoformat(meta["started"]).astimezone(UTC)
            recordings.append((meta["id"], gong_users[meta["primaryUserId"]], customers, started))
    tasks = [
        t
        for t in read(jp, "salesforce/Task.jsonl")
        if not t["IsDeleted"] and t["TaskSubtype"] == "Call"
    ]
    linked = {t["CallObject"] for t in tasks if t["CallObject"]}
    counted = [start for call_id, *_, start in recordings]
    matched = 0
    for task in tasks:
        if task["CallObject"]:
            continue  # the recording it links to is the call
        start = _parse(task["CompletedDateTime"])
        person = who.get(task["WhoId"] or "")
        pair = [
            r
            for r in recordings
            if r[0] not in linked
            and r[1] == task["OwnerId"]
            and person in r[2]
            and abs(r[3] - start) <= window
        ]
        if pair:
            matched += 1
            continue
        counted.append(start)
    assert matched > 30
    by_month = Counter((start + timedelta(hours=9)).strftime("%Y-%m") for start in counted)
    truth = json.loads((jp / "truth.json").read_text(encoding="utf-8"))
    calls = {
        r["period_start"][:7]: r["value"]
        for r in truth["kpis"]
        if r["kpi"] == "calls" and r["grain"] == "company" and r["period_grain"] == "month"
    }
    assert calls == {month: float(n) for month, n in by_month.items()}
