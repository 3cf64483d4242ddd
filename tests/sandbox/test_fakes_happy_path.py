"""End-to-end happy path of each fake through a plain requests.Session."""

import requests

from sandbox.client import salesforce_login
from sandbox.serve import Sandbox


def sf_session(sb: Sandbox) -> tuple[requests.Session, str]:
    env = sb.env
    session = requests.Session()
    access_token, instance = salesforce_login(env, session, timeout=5)
    session.headers["Authorization"] = f"Bearer {access_token}"
    return session, instance


def mkto_session(sb: Sandbox) -> tuple[requests.Session, str]:
    env = sb.env
    session = requests.Session()
    answer = session.get(
        f"{env['MARKETO_BASE_URL']}/identity/oauth/token",
        params={
            "grant_type": "client_credentials",
            "client_id": env["MARKETO_CLIENT_ID"],
            "client_secret": env["MARKETO_CLIENT_SECRET"],
        },
        timeout=5,
    )
    answer.raise_for_status()
    session.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
    return session, env["MARKETO_BASE_URL"]


def gong_session(sb: Sandbox) -> tuple[requests.Session, str]:
    env = sb.env
    session = requests.Session()
    session.auth = (env["GONG_ACCESS_KEY"], env["GONG_ACCESS_KEY_SECRET"])
    return session, env["GONG_BASE_URL"]


def test_salesforce_query_all_pages_every_lead(sandbox: Sandbox) -> None:
    session, instance = sf_session(sandbox)
    url = f"{instance}/services/data/v62.0/queryAll"
    soql = "SELECT Id, SystemModstamp, IsDeleted FROM Lead ORDER BY SystemModstamp ASC, Id ASC"
    answer = session.get(url, params={"q": soql}, headers={"Sforce-Query-Options": "batchSize=200"})
    assert answer.status_code == 200
    assert answer.headers["Sforce-Limit-Info"].startswith("api-usage=")
    body = answer.json()
    records = list(body["records"])
    assert body["totalSize"] == 300 and len(records) == 200 and body["done"] is False
    assert "/query/" in body["nextRecordsUrl"]
    nxt = session.get(f"{instance}{body['nextRecordsUrl']}").json()
    records += nxt["records"]
    assert nxt["done"] is True and "nextRecordsUrl" not in nxt
    assert len({r["Id"] for r in records}) == 300
    assert records[0]["attributes"]["type"] == "Lead"
    stamps = [(r["SystemModstamp"], r["Id"]) for r in records]
    assert stamps == sorted(stamps)
    assert any(r["IsDeleted"] for r in records)


def test_marketo_activities_paging(sandbox: Sandbox) -> None:
    session, base = mkto_session(sandbox)
    token = session.get(
        f"{base}/rest/v1/activities/pagingtoken.json",
        params={"sinceDatetime": "2020-01-01T00:00:00Z"},
    ).json()["nextPageToken"]
    seen = []
    while True:
        body = session.get(
            f"{base}/rest/v1/activities.json",
            params={"nextPageToken": token, "activityTypeIds": "12,13"},
        ).json()
        assert body["success"] is True
        seen += body["result"]
        token = body["nextPageToken"]
        if not body["moreResult"]:
            break
    assert len(seen) == 600
    assert {a["activityTypeId"] for a in seen} == {12, 13}


def test_gong_calls_and_extensive(sandbox: Sandbox) -> None:
    session, base = gong_session(sandbox)
    params = {"fromDateTime": "2020-01-01T00:00:00Z", "toDateTime": "2030-01-01T00:00:00Z"}
    body = session.get(f"{base}/v2/calls", params=params).json()
    assert body["records"]["totalRecords"] == 150
    assert body["records"]["currentPageSize"] == 100 and "cursor" in body["records"]
    calls = body["calls"]
    body = session.get(f"{base}/v2/calls", params={**params, "cursor": body["records"]["cursor"]})
    calls += body.json()["calls"]
    assert len({c["id"] for c in calls}) == 150
    request = {
        "filter": {"callIds": [calls[0]["id"]]},
        "contentSelector": {"exposedFields": {"parties": True}},
    }
    extensive = session.post(f"{base}/v2/calls/extensive", json=request).json()
    assert extensive["calls"][0]["metaData"]["id"] == calls[0]["id"]
    assert "parties" in extensive["calls"][0] and "interaction" not in extensive["calls"][0]


def test_gong_cursor_survives_calls_deleted_and_created_between_pages(sandbox: Sandbox) -> None:
    """Gong's cursor names a position, not an offset: changes between pages skip nothing."""
    session, base = gong_session(sandbox)
    params = {"fromDateTime": "2020-01-01T00:00:00Z", "toDateTime": "2030-01-01T00:00:00Z"}
    first = session.get(f"{base}/v2/calls", params=params).json()
    ids_before = [c["id"] for c in first["calls"]]
    everything = list(ids_before)
    gong = sandbox.fakes["gong"]
    gone = gong.remove_calls(ids_before[:2])  # two calls already served, as mutate() deletes
    assert len(gone) == 2
    try:
        cursor = first["records"]["cursor"]
        second = session.get(f"{base}/v2/calls", params={**params, "cursor": cursor}).json()
        everything += [c["id"] for c in second["calls"]]
        # Every call still listed was served once: none skipped, none twice.
        assert len(everything) == len(set(everything))
        assert set(everything) >= {c["metaData"]["id"] for c in gong.calls}
        assert len(second["calls"]) == 50 and "cursor" not in second["records"]
        bad = session.get(f"{base}/v2/calls", params={**params, "cursor": "bm90LWEtY3Vyc29y"})
        assert bad.status_code == 400
    finally:
        gong.restore_calls(gone)
