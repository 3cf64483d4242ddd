"""Error shapes, auth failures and enforced limits of each fake."""

import base64
import shutil
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from sandbox.client import salesforce_password_grant
from sandbox.fakes.base import FakeClock
from sandbox.fakes.faults import FaultConfig
from sandbox.fakes.marketo import MarketoFake
from sandbox.serve import Sandbox, running
from tests.sandbox.test_fakes_happy_path import gong_session, mkto_session, sf_session

LEADS = "SELECT Id, IsDeleted FROM Lead"


# ------------------------------------------------------------------ Salesforce
def test_salesforce_login_failures(sandbox: Sandbox) -> None:
    env = sandbox.env
    url = f"{env['SALESFORCE_LOGIN_URL']}/services/oauth2/token"
    good = salesforce_password_grant(env)
    wrong_password = requests.post(url, data={**good, "password": "nope"}, timeout=5)
    assert wrong_password.status_code == 400
    assert wrong_password.json()["error"] == "invalid_grant"
    wrong_client = requests.post(url, data={**good, "client_secret": "nope"}, timeout=5)
    assert wrong_client.json()["error"] == "invalid_client"
    body = requests.post(url, data=good, timeout=5).json()
    assert body["instance_url"] == env["SALESFORCE_LOGIN_URL"]
    assert body["token_type"] == "Bearer" and body["issued_at"].isdigit()


def test_salesforce_invalid_session(sandbox: Sandbox) -> None:
    url = f"{sandbox.base_url('salesforce')}/services/data/v62.0/query"
    answer = requests.get(
        url, params={"q": LEADS}, headers={"Authorization": "Bearer x"}, timeout=5
    )
    assert answer.status_code == 401
    assert answer.json() == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    ]
    assert "Sforce-Limit-Info" in answer.headers


def test_salesforce_query_errors(sandbox: Sandbox) -> None:
    session, instance = sf_session(sandbox)
    url = f"{instance}/services/data/v62.0/query"
    cases = {
        "SELECT Id FROM": "MALFORMED_QUERY",
        "SELECT Nope__c FROM Lead": "INVALID_FIELD",
        "SELECT Id FROM Nothing": "INVALID_TYPE",
        "SELECT Id FROM Lead WHERE SystemModstamp > '2026'": "MALFORMED_QUERY",
    }
    for soql, code in cases.items():
        answer = session.get(url, params={"q": soql})
        assert answer.status_code == 400, soql
        errors = answer.json()
        assert isinstance(errors, list) and errors[0]["errorCode"] == code
        assert set(errors[0]) == {"message", "errorCode"}
    bad_locator = session.get(f"{url}/01gDOESNOTEXIST-200")
    assert bad_locator.status_code == 400


def test_salesforce_query_excludes_deleted_query_all_includes(sandbox: Sandbox) -> None:
    session, instance = sf_session(sandbox)
    base = f"{instance}/services/data/v62.0"
    query = session.get(f"{base}/query", params={"q": LEADS}).json()
    query_all = session.get(f"{base}/queryAll", params={"q": LEADS}).json()
    assert query["totalSize"] == 288 and query_all["totalSize"] == 300
    assert not any(r["IsDeleted"] for r in query["records"])


def test_salesforce_batch_size_is_clamped(sandbox: Sandbox) -> None:
    session, instance = sf_session(sandbox)
    url = f"{instance}/services/data/v62.0/queryAll"
    sizes = {}
    for header in ("batchSize=50", "batchSize=250", "batchSize=5000", None):
        headers = {"Sforce-Query-Options": header} if header else {}
        sizes[header] = len(
            session.get(url, params={"q": LEADS}, headers=headers).json()["records"]
        )
    assert sizes == {"batchSize=50": 200, "batchSize=250": 250, "batchSize=5000": 300, None: 300}


def test_salesforce_describe_lists_custom_fields(sandbox: Sandbox) -> None:
    session, instance = sf_session(sandbox)
    body = session.get(f"{instance}/services/data/v62.0/sobjects/Lead/describe").json()
    fields = {f["name"]: f for f in body["fields"]}
    assert fields["Tossup_Date__c"]["type"] == "datetime" and fields["Tossup_Date__c"]["custom"]
    assert fields["Challenge__c"]["type"] == "textarea"
    assert fields["SystemModstamp"]["type"] == "datetime" and not fields["Id"]["custom"]
    assert fields["IsDeleted"]["type"] == "boolean"
    assert set(fields["Email"]) >= {"name", "type", "label", "custom"}
    missing = session.get(f"{instance}/services/data/v62.0/sobjects/Nothing/describe")
    assert missing.status_code == 404 and missing.json()[0]["errorCode"] == "NOT_FOUND"


def test_salesforce_daily_quota(world_dir: Path) -> None:
    with running(world_dir, enforce_limits=True) as sb:
        sb.fakes["salesforce"].daily_quota = 3  # type: ignore[attr-defined]
        session, instance = sf_session(sb)
        url = f"{instance}/services/data/v62.0/query"
        statuses = [session.get(url, params={"q": LEADS}).status_code for _ in range(4)]
        last = session.get(url, params={"q": LEADS})
    assert statuses == [200, 200, 200, 403]
    assert last.json()[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
    assert last.headers["Sforce-Limit-Info"] == "api-usage=5/3"


# ------------------------------------------------------------------ Marketo
def test_marketo_token_errors(sandbox: Sandbox) -> None:
    base = sandbox.base_url("marketo")
    bad = requests.get(
        f"{base}/identity/oauth/token",
        params={"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"},
        timeout=5,
    )
    assert bad.status_code == 401
    missing = requests.get(f"{base}/rest/v1/activities/types.json", timeout=5)
    assert missing.status_code == 200
    assert missing.json()["success"] is False and missing.json()["errors"][0]["code"] == "601"


def test_marketo_token_is_reused_then_expires(world_dir: Path) -> None:
    # 3600 fake seconds pass in 0.36 real seconds.
    with running(world_dir, clock_speed=10_000) as sb:
        session, base = mkto_session(sb)
        first = session.headers["Authorization"]
        again, _ = mkto_session(sb)
        assert again.headers["Authorization"] == first
        threading.Event().wait(0.5)
        body = session.get(f"{base}/rest/v1/activities/types.json").json()
    assert body["success"] is False and body["errors"][0]["code"] == "602"


def test_marketo_request_errors(sandbox: Sandbox) -> None:
    session, base = mkto_session(sandbox)
    cases = [
        ("/rest/v1/activities.json", {"nextPageToken": "garbage!", "activityTypeIds": "1"}, "1003"),
        ("/rest/v1/activities.json", {"nextPageToken": "GE"}, "1003"),
        ("/rest/v1/activities/pagingtoken.json", {}, "701"),
        ("/rest/v1/activities/pagingtoken.json", {"sinceDatetime": "yesterday"}, "704"),
        ("/rest/v1/leads.json", {"filterType": "id"}, "1003"),
        ("/rest/v1/leads.json", {"filterType": "nope", "filterValues": "1"}, "1003"),
        (
            "/rest/v1/leads.json",
            {"filterType": "id", "filterValues": "1", "fields": "nope"},
            "1006",
        ),
    ]
    for path, params, code in cases:
        answer = session.get(f"{base}{path}", params=params)
        assert answer.status_code == 200, path
        body = answer.json()
        assert body["success"] is False and body["errors"][0]["code"] == code, (path, params)


def test_marketo_leads_by_filter(sandbox: Sandbox) -> None:
    session, base = mkto_session(sandbox)
    ids = ",".join(str(n) for n in range(1, 11))
    body = session.get(
        f"{base}/rest/v1/leads.json",
        params={
            "filterType": "id",
            "filterValues": ids,
            "fields": "id,email,updatedAt,leadStatus",
            "batchSize": "4",
        },
    ).json()
    leads = list(body["result"])
    while body.get("moreResult"):
        body = session.get(
            f"{base}/rest/v1/leads.json",
            params={
                "filterType": "id",
                "filterValues": ids,
                "batchSize": "4",
                "fields": "id,email,updatedAt,leadStatus",
                "nextPageToken": body["nextPageToken"],
            },
        ).json()
        leads += body["result"]
    assert [lead["id"] for lead in leads] == list(range(1, 11))
    assert set(leads[0]) == {"id", "email", "updatedAt", "leadStatus"}
    by_email = session.get(
        f"{base}/rest/v1/leads.json",
        params={"filterType": "email", "filterValues": "PERSON3@example.co.jp"},
    ).json()
    assert [lead["id"] for lead in by_email["result"]] == [3]
    assert set(by_email["result"][0]) == {
        "id",
        "email",
        "updatedAt",
        "createdAt",
        "firstName",
        "lastName",
    }


def test_marketo_rate_limit_606(world_dir: Path) -> None:
    with running(world_dir, enforce_limits=True) as sb:
        session, base = mkto_session(sb)
        codes = []
        for _ in range(102):
            body = session.get(f"{base}/rest/v1/activities/types.json").json()
            codes.append("ok" if body["success"] else body["errors"][0]["code"])
    assert codes[:100] == ["ok"] * 100 and codes[100:] == ["606", "606"]


def test_marketo_concurrency_615(world_dir: Path) -> None:
    slow = FaultConfig(timeout_rate=1.0, timeout_seconds=0.4, sources=["marketo"])
    with running(world_dir, faults=slow, enforce_limits=True) as sb:
        _, base = mkto_session(sb)
        token = _.headers["Authorization"]
        codes: list[str] = []

        def call() -> None:
            body = requests.get(
                f"{base}/rest/v1/activities/types.json", headers={"Authorization": token}, timeout=5
            ).json()
            codes.append("ok" if body["success"] else body["errors"][0]["code"])

        threads = [threading.Thread(target=call) for _ in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert "615" in codes


# ------------------------------------------------------------------ Gong
def test_gong_auth_failures(sandbox: Sandbox) -> None:
    base = sandbox.base_url("gong")
    params = {"fromDateTime": "2020-01-01T00:00:00Z", "toDateTime": "2030-01-01T00:00:00Z"}
    none = requests.get(f"{base}/v2/calls", params=params, timeout=5)
    assert none.status_code == 401 and isinstance(none.json()["errors"][0], str)
    wrong = base64.b64encode(b"sandbox-gong-key:wrong").decode()
    users = requests.get(f"{base}/v2/users", headers={"Authorization": f"Basic {wrong}"}, timeout=5)
    assert users.status_code == 403 and "requestId" in users.json()


def test_gong_404_when_no_calls_and_bad_cursor(sandbox: Sandbox) -> None:
    session, base = gong_session(sandbox)
    empty = session.get(
        f"{base}/v2/calls",
        params={"fromDateTime": "2010-01-01T00:00:00Z", "toDateTime": "2010-02-01T00:00:00Z"},
    )
    assert empty.status_code == 404 and empty.json()["errors"]
    bad = session.get(f"{base}/v2/users", params={"cursor": "bm9wZQ"})
    assert bad.status_code == 400
    no_filter = session.post(f"{base}/v2/calls/extensive", json={})
    assert no_filter.status_code == 400


def test_gong_rate_limit_429(world_dir: Path) -> None:
    with running(world_dir, enforce_limits=True) as sb:
        session, base = gong_session(sb)
        answers = [session.get(f"{base}/v2/users") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert int(answers[-1].headers["Retry-After"]) >= 1


def test_gong_users_paging(sandbox: Sandbox) -> None:
    session, base = gong_session(sandbox)
    body = session.get(f"{base}/v2/users").json()
    assert body["records"]["totalRecords"] == 4 and "cursor" not in body["records"]


def test_marketo_refuses_an_unsorted_activity_file(world_dir: Path, tmp_path: Path) -> None:
    # Paging tokens are positions in activity order: an unsorted file would page wrongly.
    copy = tmp_path / "world"
    shutil.copytree(world_dir, copy)
    path = copy / "marketo" / "activities.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(reversed(lines)), encoding="utf-8")
    with pytest.raises(ValueError, match=r"activities\.jsonl: not sorted by \(activityDate, id\)"):
        MarketoFake(copy, FakeClock(datetime(2026, 7, 1, tzinfo=UTC), 1.0))
