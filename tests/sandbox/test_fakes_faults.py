"""Each fault switch, the admin API and mutate."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from sandbox.fakes.faults import FaultConfig
from sandbox.serve import Sandbox, running
from tests.sandbox.test_fakes_happy_path import gong_session, mkto_session, sf_session

LEADS = "SELECT Id, SystemModstamp, IsDeleted FROM Lead ORDER BY SystemModstamp, Id"
BATCH = {"Sforce-Query-Options": "batchSize=200"}


@pytest.fixture
def faulty(world_dir: Path) -> Iterator[Sandbox]:
    with running(world_dir) as sb:
        yield sb


def sf_query(session: requests.Session, instance: str) -> requests.Response:
    return session.get(
        f"{instance}/services/data/v62.0/queryAll", params={"q": LEADS}, headers=BATCH, timeout=2
    )


def test_server_errors(faulty: Sandbox) -> None:
    session, instance = sf_session(faulty)
    faulty.set_faults(FaultConfig(server_error_rate=1.0, seed=1))
    statuses = {sf_query(session, instance).status_code for _ in range(12)}
    assert statuses == {500, 503}
    answer = sf_query(session, instance)
    assert answer.json()[0]["errorCode"] in {"SERVER_UNAVAILABLE", "UNKNOWN_EXCEPTION"}


def test_faults_are_seeded(faulty: Sandbox) -> None:
    session, instance = sf_session(faulty)

    def sequence(seed: int) -> list[int]:
        faulty.set_faults(FaultConfig(server_error_rate=0.5, seed=seed))
        return [sf_query(session, instance).status_code for _ in range(20)]

    first = sequence(5)
    assert first == sequence(5)
    assert {200, 500} <= set(first) or {200, 503} <= set(first)
    assert first != sequence(6)


def test_timeout_sleep_and_drop(faulty: Sandbox) -> None:
    session, instance = sf_session(faulty)
    faulty.set_faults(FaultConfig(timeout_rate=1.0, timeout_seconds=0.6))
    with pytest.raises(requests.ReadTimeout):
        session.get(f"{instance}/services/data/v62.0/query", params={"q": LEADS}, timeout=0.2)
    faulty.set_faults(FaultConfig(timeout_rate=1.0, timeout_mode="drop"))
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{instance}/services/data/v62.0/query", params={"q": LEADS}, timeout=2)
    assert faulty.stats("salesforce")["status"]["dropped"] == 1


def test_truncated_bodies(faulty: Sandbox) -> None:
    session, base = gong_session(faulty)
    faulty.set_faults(FaultConfig(truncate_rate=1.0, sources=["gong"]))
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.ConnectionError)):
        session.get(f"{base}/v2/users", timeout=2)


def test_token_expiry_every_n_requests(faulty: Sandbox) -> None:
    session, instance = sf_session(faulty)
    faulty.set_faults(FaultConfig(token_expiry_every=3))
    statuses = [sf_query(session, instance).status_code for _ in range(3)]
    assert statuses == [200, 200, 401]
    session, instance = sf_session(faulty)  # a new login works again
    assert sf_query(session, instance).status_code == 200
    mkto, base = mkto_session(faulty)
    codes = []
    for _ in range(3):
        body = mkto.get(f"{base}/rest/v1/activities/types.json").json()
        codes.append("ok" if body["success"] else body["errors"][0]["code"])
    assert "602" in codes


def test_rate_limit_storm(faulty: Sandbox) -> None:
    faulty.set_faults(FaultConfig(rate_limit_rate=1.0, retry_after_seconds=2))
    sf = requests.get(f"{faulty.base_url('salesforce')}/services/data/v62.0/query", timeout=2)
    assert sf.status_code == 403 and sf.json()[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
    mk = requests.get(f"{faulty.base_url('marketo')}/rest/v1/activities/types.json", timeout=2)
    assert mk.status_code == 200 and mk.json()["errors"][0]["code"] == "606"
    gong = requests.get(f"{faulty.base_url('gong')}/v2/users", timeout=2)
    assert gong.status_code == 429 and gong.headers["Retry-After"] == "2"


def test_schema_drift_after_k_records(faulty: Sandbox) -> None:
    session, instance = sf_session(faulty)
    faulty.set_faults(FaultConfig(schema_drift_after=1))
    faulty.fakes["salesforce"].set_faults(FaultConfig(schema_drift_after=200))
    first = sf_query(session, instance).json()
    assert all("Sandbox_Drift__c" not in r for r in first["records"])
    second = session.get(f"{instance}{first['nextRecordsUrl']}").json()
    assert all(r["Sandbox_Drift__c"] == "drift" for r in second["records"])
    gong, base = gong_session(faulty)
    assert all("sandboxDrift" not in u for u in gong.get(f"{base}/v2/users").json()["users"])
    assert all(u["sandboxDrift"] == "drift" for u in gong.get(f"{base}/v2/users").json()["users"])


def test_mutate_during_extraction(faulty: Sandbox) -> None:
    session, instance = sf_session(faulty)
    faulty.set_faults(FaultConfig(mutate_after_pages=1, mutate_modify=3, mutate_delete=2))
    first = sf_query(session, instance).json()
    before = max(r["SystemModstamp"] for r in first["records"])
    again = session.get(
        f"{instance}/services/data/v62.0/queryAll",
        params={"q": f"SELECT Id, IsDeleted FROM Lead WHERE SystemModstamp > {before[:19]}Z"},
    ).json()
    assert again["totalSize"] >= 1  # records changed after the first page was served


def test_faults_via_admin_api(faulty: Sandbox) -> None:
    admin = faulty.admin_url("gong")
    answer = requests.post(f"{admin}/faults", json={"server_error_rate": 1.0}, timeout=2)
    assert answer.status_code == 200
    session, base = gong_session(faulty)
    assert session.get(f"{base}/v2/users").status_code in {500, 503}
    bad = requests.post(f"{admin}/faults", json={"nonsense": 1}, timeout=2)
    assert bad.status_code == 400
    requests.post(f"{admin}/faults", json={}, timeout=2)
    assert session.get(f"{base}/v2/users").status_code == 200


def test_admin_stats_and_reset(faulty: Sandbox) -> None:
    session, instance = sf_session(faulty)
    sf_query(session, instance)
    stats = requests.get(f"{faulty.admin_url('salesforce')}/stats", timeout=2).json()
    assert stats["requests"]["/services/data/v{version}/queryAll"] == 1
    assert stats["requests"]["/services/oauth2/token"] == 1
    assert stats["total"] == 2 and stats["status"]["200"] == 2
    requests.post(f"{faulty.admin_url('salesforce')}/stats/reset", timeout=2)
    assert faulty.stats("salesforce")["total"] == 0


def test_mutate_salesforce(faulty: Sandbox) -> None:
    session, instance = sf_session(faulty)
    latest = max(r["SystemModstamp"] for r in sf_query(session, instance).json()["records"])
    touched = requests.post(
        f"{faulty.admin_url('salesforce')}/mutate",
        json={"modify": 4, "delete": 3, "create": 2, "seed": 1},
        timeout=2,
    ).json()
    modified = [i for o in touched.values() for i in o["modified"]]
    deleted = {o: v["deleted"] for o, v in touched.items() if v["deleted"]}
    assert len(modified) == 4 and sum(map(len, deleted.values())) == 3
    assert len(touched["Lead"]["created"]) == 2
    for sobject, ids in deleted.items():
        id_list = ",".join(f"'{i}'" for i in ids)
        soql = f"SELECT Id, IsDeleted, SystemModstamp FROM {sobject} WHERE Id IN ({id_list})"
        base = f"{instance}/services/data/v62.0"
        assert session.get(f"{base}/query", params={"q": soql}).json()["totalSize"] == 0
        rows = session.get(f"{base}/queryAll", params={"q": soql}).json()["records"]
        assert all(r["IsDeleted"] and r["SystemModstamp"] > latest for r in rows)
        assert len(rows) == len(ids)


def test_mutate_marketo(faulty: Sandbox) -> None:
    touched = faulty.mutate("marketo", modify=2, delete=2, create=1, seed=3)["leads"]
    session, base = mkto_session(faulty)
    ids = ",".join(map(str, touched["modified"] + touched["deleted"] + touched["created"]))
    leads = session.get(
        f"{base}/rest/v1/leads.json", params={"filterType": "id", "filterValues": ids}
    ).json()["result"]
    assert {lead["id"] for lead in leads} == set(touched["modified"] + touched["created"])
    assert all(lead["updatedAt"] > "2026-06-30T15:00:00Z" for lead in leads)
    token = session.get(
        f"{base}/rest/v1/activities/pagingtoken.json",
        params={"sinceDatetime": "2026-06-30T15:00:00Z"},
    ).json()["nextPageToken"]
    deleted = session.get(
        f"{base}/rest/v1/activities/deletedleads.json", params={"nextPageToken": token}
    ).json()["result"]
    assert {a["leadId"] for a in deleted} == set(touched["deleted"])
    changes = session.get(
        f"{base}/rest/v1/activities.json",
        params={"nextPageToken": token, "activityTypeIds": "12,13"},
    ).json()["result"]
    assert {a["leadId"] for a in changes} == set(touched["modified"] + touched["created"])


def test_mutate_gong(faulty: Sandbox) -> None:
    touched = faulty.mutate("gong", modify=1, delete=1, create=1, seed=2)["calls"]
    session, base = gong_session(faulty)
    recent = session.get(
        f"{base}/v2/calls",
        params={"fromDateTime": "2026-06-30T15:00:00Z", "toDateTime": "2030-01-01T00:00:00Z"},
    ).json()["calls"]
    assert [c["id"] for c in recent] == touched["created"]
