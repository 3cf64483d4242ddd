"""Raw ceiling: a plain requests.Session fetching the pages the connectors fetch, parsing the
JSON and storing nothing. Same endpoints, page sizes and call pattern as connectors/sources."""

from typing import Any
from urllib.parse import quote

import requests

from connectors.registry import STREAMS
from connectors.sources.gong.reader import CONTENT_SELECTOR
from connectors.sources.marketo.reader import LEAD_CHANGE_TYPES, PAGE_SIZE, TYPE_IDS_PER_CALL
from connectors.sources.salesforce.reader import BATCH_SIZE
from sandbox.client import salesforce_login

EPOCH = "1970-01-01T00:00:00Z"
SF_API = "/services/data/v62.0"


class Counter:
    def __init__(self) -> None:
        self.records: dict[str, int] = {}
        self.requests = 0

    def add(self, stream: str, count: int) -> None:
        self.records[stream] = self.records.get(stream, 0) + count


def _json(response: requests.Response) -> Any:
    response.raise_for_status()
    return response.json()


def fetch_salesforce(env: dict[str, str], counter: Counter, streams: set[str] | None) -> None:
    with requests.Session() as session:
        access_token, instance = salesforce_login(env, session)
        counter.requests += 1
        session.headers["Authorization"] = f"Bearer {access_token}"
        session.headers["Sforce-Query-Options"] = f"batchSize={BATCH_SIZE}"
        for stream in STREAMS["salesforce"]:
            if streams is not None and f"salesforce.{stream.name}" not in streams:
                continue
            sobject, cursor = stream.endpoint, stream.cursor_field
            described = _json(session.get(f"{instance}{SF_API}/sobjects/{sobject}/describe"))
            counter.requests += 1
            names = [
                f["name"]
                for f in described["fields"]
                if f.get("type") not in {"address", "location"}
            ]
            soql = f"SELECT {', '.join(names)} FROM {sobject} ORDER BY {cursor} ASC, Id ASC"
            url = f"{instance}{SF_API}/queryAll?q={quote(soql, safe='')}"
            while True:
                body = _json(session.get(url))
                counter.requests += 1
                counter.add(f"salesforce.{stream.name}", len(body["records"]))
                if body["done"]:
                    break
                url = f"{instance}{body['nextRecordsUrl']}"


def _marketo_pages(
    session: requests.Session, base: str, path: str, counter: Counter, params: dict[str, Any]
) -> Any:
    token = _json(
        session.get(f"{base}/rest/v1/activities/pagingtoken.json", params={"sinceDatetime": EPOCH})
    )["nextPageToken"]
    counter.requests += 1
    while True:
        body = _json(
            session.get(
                f"{base}{path}", params={**params, "nextPageToken": token, "batchSize": PAGE_SIZE}
            )
        )
        counter.requests += 1
        yield body.get("result") or []
        if not body.get("moreResult"):
            return
        token = body.get("nextPageToken") or token


def fetch_marketo(env: dict[str, str], counter: Counter, streams: set[str] | None) -> None:
    base = env["MARKETO_BASE_URL"]

    def wanted(name: str) -> bool:
        return streams is None or f"marketo.{name}" in streams

    with requests.Session() as session:
        token = _json(
            session.post(
                f"{base}/identity/oauth/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": env["MARKETO_CLIENT_ID"],
                    "client_secret": env["MARKETO_CLIENT_SECRET"],
                },
            )
        )["access_token"]
        counter.requests += 1
        session.headers["Authorization"] = f"Bearer {token}"
        types = _json(session.get(f"{base}/rest/v1/activities/types.json"))["result"]
        counter.requests += 1
        if wanted("activity_types"):
            counter.add("marketo.activity_types", len(types))
        ids = sorted(int(t["id"]) for t in types)
        if wanted("activities"):
            for start in range(0, len(ids), TYPE_IDS_PER_CALL):
                group = ",".join(str(i) for i in ids[start : start + TYPE_IDS_PER_CALL])
                for page in _marketo_pages(
                    session, base, "/rest/v1/activities.json", counter, {"activityTypeIds": group}
                ):
                    counter.add("marketo.activities", len(page))
        if wanted("leads"):
            described = _json(session.get(f"{base}/rest/v1/leads/describe.json"))["result"]
            counter.requests += 1
            fields = ",".join(f["rest"]["name"] for f in described if f.get("rest"))
            changes = ",".join(str(t) for t in LEAD_CHANGE_TYPES)
            for page in _marketo_pages(
                session, base, "/rest/v1/activities.json", counter, {"activityTypeIds": changes}
            ):
                lead_ids = list(dict.fromkeys(str(a["leadId"]) for a in page if "leadId" in a))
                if not lead_ids:
                    continue
                leads = _json(
                    session.get(
                        f"{base}/rest/v1/leads.json",
                        params={
                            "filterType": "id",
                            "filterValues": ",".join(lead_ids),
                            "fields": fields,
                            "batchSize": PAGE_SIZE,
                        },
                    )
                )
                counter.requests += 1
                counter.add("marketo.leads", len(leads.get("result") or []))
        if wanted("deleted_leads"):
            for page in _marketo_pages(
                session, base, "/rest/v1/activities/deletedleads.json", counter, {}
            ):
                counter.add("marketo.deleted_leads", len(page))


def fetch_gong(env: dict[str, str], counter: Counter, streams: set[str] | None) -> None:
    base = env["GONG_BASE_URL"]
    with requests.Session() as session:
        session.auth = (env["GONG_ACCESS_KEY"], env["GONG_ACCESS_KEY_SECRET"])
        if streams is None or "gong.users" in streams:
            cursor = None
            while True:
                body = _json(
                    session.get(f"{base}/v2/users", params={"cursor": cursor} if cursor else {})
                )
                counter.requests += 1
                counter.add("gong.users", len(body.get("users") or []))
                cursor = (body.get("records") or {}).get("cursor")
                if not cursor:
                    break
        if streams is not None and "gong.calls" not in streams:
            return
        cursor = None
        while True:
            payload: dict[str, Any] = {
                "filter": {"fromDateTime": EPOCH},
                "contentSelector": CONTENT_SELECTOR,
                **({"cursor": cursor} if cursor else {}),
            }
            response = session.post(f"{base}/v2/calls/extensive", json=payload)
            counter.requests += 1
            if response.status_code == 404:
                return
            body = _json(response)
            counter.add("gong.calls", len(body.get("calls") or []))
            cursor = (body.get("records") or {}).get("cursor")
            if not cursor:
                return


def extract(env: dict[str, str], streams: set[str] | None = None) -> dict[str, Any]:
    """Fetch every page of every source; returns records per stream and the request count."""
    counter = Counter()
    fetch_salesforce(env, counter, streams)
    fetch_marketo(env, counter, streams)
    fetch_gong(env, counter, streams)
    return {"records": counter.records, "requests": counter.requests}
