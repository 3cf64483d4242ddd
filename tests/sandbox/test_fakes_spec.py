"""Every Gong and Marketo response the fakes produce validates against the vendor's spec."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from sandbox.serve import Sandbox, running
from sandbox.world import generate
from tests.sandbox.spec_check import GONG_SPEC, MARKETO_SPEC, validate_exchange
from tests.sandbox.test_fakes_happy_path import gong_session, mkto_session


@pytest.fixture(scope="module")
def generated_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("generated"), leads=200, seed=3)


@pytest.fixture
def world_sandbox(generated_world: Path) -> Iterator[Sandbox]:
    with running(generated_world) as sb:
        yield sb


def _all_activity_pages(
    session: requests.Session, base: str, path: str, **params: str
) -> list[requests.Response]:
    token = session.get(
        f"{base}/rest/v1/activities/pagingtoken.json",
        params={"sinceDatetime": "2000-01-01T00:00:00Z"},
    )
    validate_exchange(MARKETO_SPEC, token)
    answers = []
    next_token = token.json()["nextPageToken"]
    while True:
        answer = session.get(f"{base}{path}", params={"nextPageToken": next_token, **params})
        answers.append(answer)
        body = answer.json()
        next_token = body["nextPageToken"]
        if not body["moreResult"]:
            return answers


def test_marketo_responses_match_spec(world_sandbox: Sandbox) -> None:
    session, base = mkto_session(world_sandbox)
    answers = [session.get(f"{base}/rest/v1/activities/types.json")]
    types = ",".join(str(t["id"]) for t in answers[0].json()["result"][:10])
    activity_pages = _all_activity_pages(
        session, base, "/rest/v1/activities.json", activityTypeIds=types
    )
    assert sum(len(a.json()["result"]) for a in activity_pages) > 300
    answers += activity_pages
    answers += _all_activity_pages(session, base, "/rest/v1/activities/deletedleads.json")
    answers += _all_activity_pages(
        session, base, "/rest/v1/activities/leadchanges.json", fields="leadStatus,leadScore"
    )
    lead_ids = sorted({a["leadId"] for a in activity_pages[0].json()["result"]})[:50]
    answers.append(
        session.get(
            f"{base}/rest/v1/leads.json",
            params={
                "filterType": "id",
                "filterValues": ",".join(map(str, lead_ids)),
                "fields": "id,email,updatedAt,leadStatus,leadSource",
            },
        )
    )
    answers.append(session.get(f"{base}/rest/v1/leads/describe.json"))
    # Errors are envelopes too: invalid token, bad paging token.
    answers.append(requests.get(f"{base}/rest/v1/activities/types.json", timeout=5))
    answers.append(
        session.get(
            f"{base}/rest/v1/activities.json",
            params={"nextPageToken": "x!", "activityTypeIds": "1"},
        )
    )
    for answer in answers:
        validate_exchange(MARKETO_SPEC, answer)


def test_gong_responses_match_spec(world_sandbox: Sandbox) -> None:
    session, base = gong_session(world_sandbox)
    answers = [session.get(f"{base}/v2/users")]
    window = {"fromDateTime": "2024-01-01T00:00:00Z", "toDateTime": "2027-01-01T00:00:00Z"}
    page = session.get(f"{base}/v2/calls", params=window)
    answers.append(page)
    while "cursor" in page.json()["records"]:
        page = session.get(
            f"{base}/v2/calls", params={**window, "cursor": page.json()["records"]["cursor"]}
        )
        answers.append(page)
    selector = {
        "context": "Extended",
        "exposedFields": {
            "parties": True,
            "content": {"topics": True, "trackers": True},
            "interaction": {"speakers": True, "personInteractionStats": True},
            "collaboration": {"publicComments": True},
        },
    }
    body = {"filter": window, "contentSelector": selector}
    page = session.post(f"{base}/v2/calls/extensive", json=body)
    answers.append(page)
    while "cursor" in page.json()["records"]:
        page = session.post(
            f"{base}/v2/calls/extensive", json={**body, "cursor": page.json()["records"]["cursor"]}
        )
        answers.append(page)
    assert any(c.get("parties") for c in page.json()["calls"])
    # Declared error answers: 404 for an empty range, 401 without credentials.
    empty = {"fromDateTime": "2001-01-01T00:00:00Z", "toDateTime": "2001-02-01T00:00:00Z"}
    answers.append(session.get(f"{base}/v2/calls", params=empty))
    answers.append(requests.get(f"{base}/v2/calls", params=window, timeout=5))
    assert [a.status_code for a in answers[-2:]] == [404, 401]
    for answer in answers:
        validate_exchange(GONG_SPEC, answer)


def test_validator_rejects_a_wrong_response(world_sandbox: Sandbox) -> None:
    """The wrapper can fail: a Gong 405 is not declared, a typed field of wrong type is caught."""
    session, base = gong_session(world_sandbox)
    answer = session.get(f"{base}/v2/users")
    answer._content = answer.content.replace(b'"active":true', b'"active":"yes"', 1)
    with pytest.raises(AssertionError, match="active"):
        validate_exchange(GONG_SPEC, answer)
