"""The HubSpot fake against HubSpot's published specs (CRM v3 contacts, pipelines) and the
behaviour vendor-apis.md section 2 describes: paging, the 10,000-result search cap, strings
for every property value, error bodies, rate limits with RATE_LIMIT 429s, Bearer auth."""

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from connectors.sources.hubspot.reader import HubSpotReader, _Query
from sandbox.fakes.faults import FaultConfig
from sandbox.fakes.hubspot_account import build_hubspot_world
from sandbox.serve import Sandbox, running
from tests.sandbox.spec_check import (
    HUBSPOT_CONTACTS_SPEC,
    HUBSPOT_PIPELINES_SPEC,
    validate_exchange,
)


@pytest.fixture(scope="module")
def hubspot_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_hubspot_world(tmp_path_factory.mktemp("hubspot"), contacts=60, tied=5)


@pytest.fixture
def hubspot(hubspot_world: Path) -> Iterator[Sandbox]:
    with running(hubspot_world) as sb:
        yield sb


def _session(sb: Sandbox) -> tuple[requests.Session, str]:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {sb.env['HUBSPOT_ACCESS_TOKEN']}"
    return session, sb.env["HUBSPOT_BASE_URL"]


def _as_contacts(answer: requests.Response) -> requests.Response:
    """Every CRM object type shares the contacts spec's shapes (HubSpot publishes one spec
    per object with the same schemas): validate another type's exchange as a contacts one."""
    request = answer.request
    for kind in ("companies", "deals", "calls", "meetings", "emails"):
        request.url = (request.url or "").replace(f"/objects/{kind}", "/objects/contacts")
    return answer


def _search_body(**query: Any) -> dict[str, Any]:
    """The search body the connector sends (its own builder), for the request check."""
    reader = HubSpotReader.__new__(HubSpotReader)
    reader.page_size = 200
    return reader._search_body(
        _Query(**query), "lastmodifieddate", ["email", "lastmodifieddate"], datetime.now(UTC)
    )


def test_hubspot_fake_answers_match_the_specs(hubspot: Sandbox) -> None:
    session, base = _session(hubspot)
    answers = [
        session.get(f"{base}/crm/v3/objects/contacts", params={"limit": 100}),
        session.get(
            f"{base}/crm/v3/objects/contacts",
            params={
                "archived": "true",
                "properties": "email,lastmodifieddate",
                "propertiesWithHistory": "hubspot_owner_id",
            },
        ),
        session.get(f"{base}/crm/v3/objects/contacts/1010", params={"associations": "deals"}),
        session.post(f"{base}/crm/v3/objects/contacts/search", json=_search_body(lower=None)),
        session.post(
            f"{base}/crm/v3/objects/contacts/search",
            json=_search_body(lower=datetime(2026, 6, 1, tzinfo=UTC), tie_after_id=1005),
        ),
        session.post(
            f"{base}/crm/v3/objects/contacts/batch/read",
            json={
                "inputs": [{"id": "1010"}, {"id": "1011"}],
                "properties": ["email"],
                "propertiesWithHistory": ["hubspot_owner_id"],
            },
        ),
        # Errors: no token, a bad filter, a page past the cap.
        requests.get(f"{base}/crm/v3/objects/contacts", timeout=5),
        session.post(
            f"{base}/crm/v3/objects/contacts/search",
            json={**_search_body(lower=None), "after": "10000"},
        ),
    ]
    statuses = [a.status_code for a in answers]
    assert statuses == [200, 200, 200, 200, 200, 200, 401, 400], statuses
    for answer in answers:
        validate_exchange(HUBSPOT_CONTACTS_SPEC, answer)
    for kind in ("companies", "deals", "calls"):
        answer = session.post(
            f"{base}/crm/v3/objects/{kind}/search",
            json={
                **_search_body(lower=None),
                "filterGroups": [],
                "sorts": ["hs_lastmodifieddate"],
                "properties": [],
            },
        )
        assert answer.status_code == 200 and answer.json()["total"] > 0
        validate_exchange(HUBSPOT_CONTACTS_SPEC, _as_contacts(answer))
    for path in ("/crm/v3/pipelines/deals", "/crm/v3/pipelines/tickets"):
        answer = session.get(f"{base}{path}")
        validate_exchange(HUBSPOT_PIPELINES_SPEC, answer)
    stage = session.get(f"{base}/crm/v3/pipelines/deals").json()["results"][0]["stages"][1]
    assert stage["metadata"] == {"isClosed": "true", "probability": "1.0"}


def test_hubspot_fake_paging_and_strings(hubspot: Sandbox) -> None:
    session, base = _session(hubspot)
    ids: list[str] = []
    after: str | None = None
    pages = 0
    while True:
        body = session.get(
            f"{base}/crm/v3/objects/contacts",
            params={"limit": 25, **({"after": after} if after else {})},
        ).json()
        pages += 1
        ids += [r["id"] for r in body["results"]]
        for record in body["results"]:
            assert all(isinstance(v, str) for v in record["properties"].values())
        if "paging" not in body:  # absent on the last page
            break
        after = body["paging"]["next"]["after"]
    assert pages == 3 and len(ids) == len(set(ids)) == 57  # 60 contacts, 3 archived
    default = session.get(f"{base}/crm/v3/objects/contacts").json()
    assert len(default["results"]) == 10  # the list's default limit
    assert set(default["results"][0]["properties"]) <= {
        "createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname",
    }  # fmt: skip
    over = session.post(
        f"{base}/crm/v3/objects/contacts/search", json={**_search_body(lower=None), "limit": 201}
    )
    assert over.status_code == 400 and over.json()["category"] == "VALIDATION_ERROR"
    history = session.post(
        f"{base}/crm/v3/objects/contacts/batch/read",
        json={
            "inputs": [{"id": str(1000 + n)} for n in range(51)],
            "properties": [],
            "propertiesWithHistory": ["hubspot_owner_id"],
        },
    )
    assert history.status_code == 400  # at most 50 inputs with property history


def test_hubspot_fake_search_sorts_filters_and_caps(hubspot: Sandbox) -> None:
    hubspot.fakes["hubspot"].search_cap = 20  # type: ignore[attr-defined]
    session, base = _session(hubspot)
    body = {**_search_body(lower=None), "limit": 10}
    first = session.post(f"{base}/crm/v3/objects/contacts/search", json=body).json()
    assert first["total"] == 57 and first["paging"]["next"]["after"] == "10"
    times = [r["properties"]["lastmodifieddate"] for r in first["results"]]
    assert times == sorted(times)
    second = session.post(
        f"{base}/crm/v3/objects/contacts/search", json={**body, "after": "10"}
    ).json()
    assert "paging" in second  # HubSpot names the page past the cap ...
    capped = session.post(f"{base}/crm/v3/objects/contacts/search", json={**body, "after": "20"})
    assert capped.status_code == 400  # ... and refuses it
    assert {"status", "message", "correlationId", "category"} <= set(capped.json())
    # Object form of a sort and an epoch-millisecond filter value are accepted too.
    tie = first["results"][3]["properties"]["lastmodifieddate"]
    ms = str(int(datetime.fromisoformat(tie.replace("Z", "+00:00")).timestamp() * 1000))
    exact = session.post(
        f"{base}/crm/v3/objects/contacts/search",
        json={
            **body,
            "sorts": [{"propertyName": "hs_object_id", "direction": "DESCENDING"}],
            "filterGroups": [
                {"filters": [{"propertyName": "lastmodifieddate", "operator": "EQ", "value": ms}]}
            ],
        },
    ).json()
    assert [r["properties"]["lastmodifieddate"] for r in exact["results"]] == [tie]


def test_hubspot_fake_associations_v4(hubspot: Sandbox) -> None:
    session, base = _session(hubspot)
    answer = session.post(
        f"{base}/crm/v4/associations/deals/contacts/batch/read",
        json={"inputs": [{"id": "7000"}, {"id": "7001"}, {"id": "424242"}]},
    )
    assert answer.status_code == 207  # one input without associations
    body = answer.json()
    found = {r["from"]["id"]: r["to"] for r in body["results"]}
    assert found["7000"][0]["toObjectId"] == 1005
    assert found["7000"][0]["associationTypes"][0]["category"] == "HUBSPOT_DEFINED"
    reverse = session.post(
        f"{base}/crm/v4/associations/contacts/deals/batch/read", json={"inputs": [{"id": "1005"}]}
    ).json()
    assert reverse["results"][0]["to"][0]["toObjectId"] == 7000
    too_many = session.post(
        f"{base}/crm/v4/associations/deals/contacts/batch/read",
        json={"inputs": [{"id": str(i)} for i in range(1001)]},
    )
    assert too_many.status_code == 400


def test_hubspot_fake_owners_properties_and_auth(hubspot: Sandbox) -> None:
    session, base = _session(hubspot)
    active = session.get(f"{base}/crm/v3/owners").json()["results"]
    archived = session.get(f"{base}/crm/v3/owners", params={"archived": "true"}).json()["results"]
    assert len(active) == 3 and len(archived) == 1 and archived[0]["archived"] is True
    assert active[0]["teams"][0]["primary"] is True
    properties = session.get(f"{base}/crm/v3/properties/contacts").json()["results"]
    custom = [p["name"] for p in properties if not p.get("hubspotDefined")]
    assert custom == ["budget_status", "handoff_status"]
    wrong = requests.get(
        f"{base}/crm/v3/owners", headers={"Authorization": "Bearer nope"}, timeout=5
    )
    assert wrong.status_code == 401 and wrong.json()["category"] == "INVALID_AUTHENTICATION"


def test_hubspot_fake_rate_limits(hubspot_world: Path) -> None:
    with running(hubspot_world, enforce_limits=True, clock_speed=10.0) as sb:
        session, base = _session(sb)
        body = _search_body(lower=None)
        answers = [
            session.post(f"{base}/crm/v3/objects/contacts/search", json=body) for _ in range(6)
        ]
        limited = [a for a in answers if a.status_code == 429]
        assert limited, [a.status_code for a in answers]  # 4 a second (0.1 s at 10x)
        refusal = limited[0].json()
        assert refusal["errorType"] == "RATE_LIMIT" and refusal["policyName"] == "SECONDLY"
        assert "Retry-After" in limited[0].headers
        time.sleep(1.1)
        burst = [session.get(f"{base}/crm/v3/owners") for _ in range(110)]
        codes = [a.status_code for a in burst]
        assert 429 in codes
        ok = burst[0]
        assert int(ok.headers["X-HubSpot-RateLimit-Max"]) == 100
        assert ok.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
        over = next(a for a in burst if a.status_code == 429).json()
        assert over["policyName"] == "TEN_SECONDLY_ROLLING"


def test_hubspot_fake_faults_and_mutate(hubspot_world: Path) -> None:
    with running(
        hubspot_world, faults=FaultConfig(server_error_rate=1.0, sources=["hubspot"])
    ) as sb:
        session, base = _session(sb)
        answer = session.get(f"{base}/crm/v3/owners")
        assert answer.status_code in (500, 503) and answer.json()["status"] == "error"
    with running(hubspot_world) as sb:
        session, base = _session(sb)
        touched = sb.mutate("hubspot", modify=2, delete=1, create=1, seed=3)
        deleted = touched["contacts"]["deleted"][0]
        archived = session.get(
            f"{base}/crm/v3/objects/contacts", params={"archived": "true", "limit": 100}
        ).json()["results"]
        assert deleted in {r["id"] for r in archived}
        assert all(r.get("archivedAt") for r in archived)
        created = touched["contacts"]["created"][0]
        assert session.get(f"{base}/crm/v3/objects/contacts/{created}").status_code == 200


def test_hubspot_only_world_serves_only_hubspot(hubspot_world: Path) -> None:
    manifest = json.loads((hubspot_world / "manifest.json").read_text())
    assert manifest["vendors"] == ["hubspot"]
    with running(hubspot_world) as sb:
        assert set(sb.fakes) == {"hubspot"}
        assert set(sb.env) == {"HUBSPOT_BASE_URL", "HUBSPOT_ACCESS_TOKEN"}
