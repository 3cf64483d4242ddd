"""Serve a generated world and fetch every page with a plain requests.Session loop.

`python -m sandbox.fakes.bench --leads 20000` prints pages/s and records/s per source, so a
benchmark of the connectors can tell whether the fake or the client is the bottleneck.
"""

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from sandbox.client import salesforce_login
from sandbox.serve import Sandbox, running

SF_OBJECTS = ("Lead", "Task", "LeadHistory", "Contact", "Account", "Opportunity", "Event")


def fetch_salesforce(sb: Sandbox, session: requests.Session) -> tuple[int, int]:
    env = sb.env
    access_token, instance = salesforce_login(env, session)
    session.headers["Authorization"] = f"Bearer {access_token}"
    pages, records = 0, 0
    for sobject in SF_OBJECTS:
        fields = session.get(f"{instance}/services/data/v62.0/sobjects/{sobject}/describe").json()
        names = [f["name"] for f in fields["fields"]]
        cursor = "SystemModstamp" if "SystemModstamp" in names else "CreatedDate"
        soql = f"SELECT {', '.join(names)} FROM {sobject} ORDER BY {cursor}, Id"
        body = session.get(f"{instance}/services/data/v62.0/queryAll", params={"q": soql}).json()
        while True:
            pages, records = pages + 1, records + len(body["records"])
            if body["done"]:
                break
            body = session.get(f"{instance}{body['nextRecordsUrl']}").json()
    return pages, records


def fetch_marketo(sb: Sandbox, session: requests.Session) -> tuple[int, int]:
    env = sb.env
    base = env["MARKETO_BASE_URL"]
    token = session.get(
        f"{base}/identity/oauth/token",
        params={
            "grant_type": "client_credentials",
            "client_id": env["MARKETO_CLIENT_ID"],
            "client_secret": env["MARKETO_CLIENT_SECRET"],
        },
    ).json()["access_token"]
    session.headers["Authorization"] = f"Bearer {token}"
    types = session.get(f"{base}/rest/v1/activities/types.json").json()["result"]
    ids = [str(t["id"]) for t in types]
    pages = records = 0
    for start in range(0, len(ids), 10):
        next_token = session.get(
            f"{base}/rest/v1/activities/pagingtoken.json",
            params={"sinceDatetime": "2000-01-01T00:00:00Z"},
        ).json()["nextPageToken"]
        while True:
            body: dict[str, Any] = session.get(
                f"{base}/rest/v1/activities.json",
                params={
                    "nextPageToken": next_token,
                    "activityTypeIds": ",".join(ids[start : start + 10]),
                },
            ).json()
            pages, records = pages + 1, records + len(body["result"])
            next_token = body["nextPageToken"]
            if not body["moreResult"]:
                break
    return pages, records


def fetch_gong(sb: Sandbox, session: requests.Session) -> tuple[int, int]:
    env = sb.env
    base = env["GONG_BASE_URL"]
    session.auth = (env["GONG_ACCESS_KEY"], env["GONG_ACCESS_KEY_SECRET"])
    request: dict[str, Any] = {
        "filter": {"fromDateTime": "2000-01-01T00:00:00Z", "toDateTime": "2100-01-01T00:00:00Z"},
        "contentSelector": {"context": "Extended", "exposedFields": {"parties": True}},
    }
    pages = records = 0
    while True:
        body = session.post(f"{base}/v2/calls/extensive", json=request).json()
        pages, records = pages + 1, records + len(body["calls"])
        if "cursor" not in body["records"]:
            return pages, records
        request["cursor"] = body["records"]["cursor"]


def run(data_dir: Path) -> list[dict[str, Any]]:
    results = []
    with running(data_dir) as sb:
        for source, fetch in (
            ("salesforce", fetch_salesforce),
            ("marketo", fetch_marketo),
            ("gong", fetch_gong),
        ):
            with requests.Session() as session:
                started = time.perf_counter()
                pages, records = fetch(sb, session)
                seconds = time.perf_counter() - started
            results.append(
                {
                    "source": source,
                    "pages": pages,
                    "records": records,
                    "seconds": round(seconds, 2),
                    "pages_per_s": round(pages / seconds, 1),
                    "records_per_s": round(records / seconds),
                }
            )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--data", type=Path, help="serve this data dir instead of generating one")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = args.data
        if data_dir is None:
            from sandbox.world import generate

            started = time.perf_counter()
            data_dir = generate(Path(scratch), leads=args.leads, seed=args.seed)
            print(f"generated {args.leads} leads in {time.perf_counter() - started:.1f}s")
        started = time.perf_counter()
        results = run(data_dir)
    for row in results:
        print(
            f"{row['source']:<11} {row['pages']:>6} pages {row['records']:>9} records "
            f"{row['seconds']:>7.2f}s {row['pages_per_s']:>8.1f} pages/s "
            f"{row['records_per_s']:>9} rec/s"
        )
    print(f"total (incl. loading the data dir) {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
