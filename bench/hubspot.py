"""Scenario h: HubSpot extraction, our connector beside dlt and the raw ceiling, one run.

`python -m bench.hubspot [--contacts 10000] [--reps 3]`. The account is the hand-built one of
`sandbox.fakes.hubspot_account` (deals a tenth and each engagement kind an eighth of the
contacts), served by the HubSpot fake in its own process, limits off (what is measured is the
client, not the vendor's quota; the calls each contender needs are reported, and the time they
take at HubSpot's published limits follows from them).

- raw: a plain requests.Session making the connector's calls (properties, search pages of 200
  with every property, owner-history batch reads, v4 association reads, archived lists) and
  storing nothing: the ceiling.
- ours: `extract_sources({"hubspot": None})` into DuckDB, as the CLI runs it.
- dlt: dlt 1.x ships no HubSpot source in its package (its HubSpot source is a "verified
  source" fetched from GitHub by `dlt init`, not available offline), so dlt's `rest_api` source
  configured for the same search endpoints (POST, `paging.next.after` in the body, the same
  properties), default and tuned profiles as in scenario a. It reads what search returns:
  no owner history, no associations, no archived records (what HubSpot's search cannot give).
"""

import argparse
import json
import time
from pathlib import Path
from typing import Any

import requests

from bench.measure import alternate, machine, measured, summarise
from bench.scenarios import UNTHROTTLED_RATE_SCALE, WORK_DIR, sandbox
from connectors.registry import get_vendor
from connectors.sources.hubspot.reader import ASSOCIATIONS, HISTORY, HISTORY_BATCH
from sandbox.fakes.hubspot_account import build_hubspot_world

OBJECTS = ("contacts", "companies", "deals", "calls", "meetings", "emails")
MODIFIED = {t: "lastmodifieddate" if t == "contacts" else "hs_lastmodifieddate" for t in OBJECTS}
# HubSpot's published limits (vendor-apis.md 2.6): what the calls cost in time at them.
BURST_PER_SECOND = 100 / 10
SEARCH_PER_SECOND = 4


def account(contacts: int) -> Path:
    folder = WORK_DIR / f"h-{contacts}"
    if not (folder / "manifest.json").exists():
        build_hubspot_world(folder, contacts=contacts, tied=0, archived=max(1, contacts // 100))
    return folder


def _search_body(object_type: str, properties: list[str], after: str = "0") -> dict[str, Any]:
    return {
        "filterGroups": [],
        "sorts": [MODIFIED[object_type]],
        "properties": properties,
        "limit": 200,
        "after": after,
    }


def raw_extract(env: dict[str, str]) -> dict[str, Any]:
    base = env["HUBSPOT_BASE_URL"]
    records: dict[str, int] = {}
    calls = {"search": 0, "other": 0}
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {env['HUBSPOT_ACCESS_TOKEN']}"

        def get(url: str, **params: Any) -> Any:
            calls["other"] += 1
            answer = session.get(url, params=params)
            answer.raise_for_status()
            return answer.json()

        def post(url: str, body: Any, search: bool = False) -> Any:
            calls["search" if search else "other"] += 1
            answer = session.post(url, json=body)
            answer.raise_for_status()
            return answer.json()

        for archived in ("false", "true"):
            after = None
            while True:
                body = get(
                    f"{base}/crm/v3/owners",
                    limit=100,
                    archived=archived,
                    **({"after": after} if after else {}),
                )
                records["owners"] = records.get("owners", 0) + len(body["results"])
                after = (body.get("paging") or {}).get("next", {}).get("after")
                if not after:
                    break
        records["deal_pipelines"] = len(get(f"{base}/crm/v3/pipelines/deals")["results"])
        for object_type in OBJECTS:
            names = [p["name"] for p in get(f"{base}/crm/v3/properties/{object_type}")["results"]]
            after = "0"
            count = 0
            while True:
                body = post(
                    f"{base}/crm/v3/objects/{object_type}/search",
                    _search_body(object_type, names, after),
                    search=True,
                )
                ids = [r["id"] for r in body["results"]]
                count += len(ids)
                if object_type in HISTORY:
                    for start in range(0, len(ids), HISTORY_BATCH):
                        post(
                            f"{base}/crm/v3/objects/{object_type}/batch/read",
                            {
                                "inputs": [{"id": i} for i in ids[start : start + HISTORY_BATCH]],
                                "properties": ["hs_object_id"],
                                "propertiesWithHistory": list(HISTORY[object_type]),
                            },
                        )
                for to_type in ASSOCIATIONS.get(object_type, ()):
                    post(
                        f"{base}/crm/v4/associations/{object_type}/{to_type}/batch/read",
                        {"inputs": [{"id": i} for i in ids]},
                    )
                after = (body.get("paging") or {}).get("next", {}).get("after")
                if not after:
                    break
            after = None
            while True:
                params: dict[str, Any] = {
                    "archived": "true",
                    "limit": 50 if object_type in HISTORY else 100,
                    "properties": ",".join(names),
                }
                if after:
                    params["after"] = after
                body = get(f"{base}/crm/v3/objects/{object_type}", **params)
                count += len(body["results"])
                after = (body.get("paging") or {}).get("next", {}).get("after")
                if not after:
                    break
            records[object_type] = count
    return {"records": records, "requests": sum(calls.values()), "search_requests": calls["search"]}


def ours_extract(env: dict[str, str], path: Path) -> dict[str, Any]:
    from connectors.landing.duckdb import DuckDBDestination
    from connectors.run import close_readers, extract_sources

    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)
    try:
        (outcome,) = extract_sources(
            {"hubspot": None}, destination=DuckDBDestination(path), run_id="bench", env=env
        )
    finally:
        close_readers()
    if outcome.error is not None:
        raise outcome.error
    return {
        "records": {r.stream: r.records_sent for r in outcome.results},
        "requests": sum(r.requests for r in outcome.results),
    }


def dlt_extract(env: dict[str, str], path: Path, tuned: bool) -> dict[str, Any]:
    from dlt.sources.rest_api import rest_api_source

    from bench.contenders.dlt_rest import dlt_pipeline

    base = env["HUBSPOT_BASE_URL"]
    headers = {"Authorization": f"Bearer {env['HUBSPOT_ACCESS_TOKEN']}"}
    resources: list[dict[str, Any]] = [
        {
            "name": "hubspot__owners",
            "endpoint": {
                "path": "crm/v3/owners",
                "params": {"limit": 100},
                "data_selector": "results",
                "paginator": {
                    "type": "cursor",
                    "cursor_path": "paging.next.after",
                    "cursor_param": "after",
                },
            },
        },
        {
            "name": "hubspot__deal_pipelines",
            "endpoint": {
                "path": "crm/v3/pipelines/deals",
                "data_selector": "results",
                "paginator": "single_page",
            },
        },
    ]
    for object_type in OBJECTS:
        names = [
            p["name"]
            for p in requests.get(
                f"{base}/crm/v3/properties/{object_type}", headers=headers, timeout=30
            ).json()["results"]
        ]
        body = _search_body(object_type, names)
        body.pop("after")
        resources.append(
            {
                "name": f"hubspot__{object_type}",
                "endpoint": {
                    "path": f"crm/v3/objects/{object_type}/search",
                    "method": "POST",
                    "json": body,
                    "data_selector": "results",
                    "paginator": {
                        "type": "cursor",
                        "cursor_path": "paging.next.after",
                        "cursor_body_path": "after",
                    },
                },
            }
        )
    with dlt_pipeline("bench_hubspot", path, tuned=tuned) as pipeline:
        source = rest_api_source(
            {
                "client": {
                    "base_url": f"{base}/",
                    "auth": {"type": "bearer", "token": env["HUBSPOT_ACCESS_TOKEN"]},
                },
                "resource_defaults": {"parallelized": tuned},
                "resources": resources,
            },
            name="hubspot",
        )
        if tuned:
            source.max_table_nesting = 0
        pipeline.run(source, loader_file_format="parquet" if tuned else None)
        counts = pipeline.last_trace.last_normalize_info.row_counts
    records = {
        name.removeprefix("hubspot__"): n
        for name, n in counts.items()
        if name.startswith("hubspot__") and "__" not in name.removeprefix("hubspot__")
    }
    return {"records": records, "requests": None}


def extraction(contacts: int, reps: int, with_dlt: bool = True) -> dict[str, Any]:
    data_dir = account(contacts)
    workdir = WORK_DIR / f"h-{contacts}-out"
    workdir.mkdir(parents=True, exist_ok=True)
    with sandbox(data_dir) as sb:
        env = {**sb.env, "CONNECTORS_RATE_SCALE": UNTHROTTLED_RATE_SCALE}

        def timed(run: Any) -> Any:
            def wrapped() -> dict[str, Any]:
                with measured() as sample:
                    sample.update(run())
                return sample

            return wrapped

        contenders = {
            "raw": timed(lambda: raw_extract(env)),
            "ours": timed(lambda: ours_extract(env, workdir / "ours.duckdb")),
        }
        if with_dlt:
            contenders["dlt_default"] = timed(
                lambda: dlt_extract(env, workdir / "dlt_d.duckdb", False)
            )
            contenders["dlt_tuned"] = timed(
                lambda: dlt_extract(env, workdir / "dlt_t.duckdb", True)
            )
        runs = alternate(contenders, reps)
    out: dict[str, Any] = {"contacts": contacts, "contenders": {}}
    for name, samples in runs.items():
        seconds = summarise([s["seconds"] for s in samples])
        total = sum(samples[0]["records"].values())
        out["contenders"][name] = {
            "seconds_median": seconds.median,
            "records": samples[0]["records"],
            "records_total": total,
            "records_per_s": total / seconds.median,
            "requests": samples[0].get("requests"),
            "peak_rss_mb": summarise([s["peak_rss_mb"] for s in samples]).median,
        }
    ours = out["contenders"]["ours"]
    out["ours_vs_raw_time"] = ours["seconds_median"] / out["contenders"]["raw"]["seconds_median"]
    for name in ("dlt_default", "dlt_tuned"):
        if name in out["contenders"]:
            out[f"ours_vs_{name}_time"] = (
                ours["seconds_median"] / out["contenders"][name]["seconds_median"]
            )
    raw = out["contenders"]["raw"]
    out["seconds_at_published_limits"] = max(
        raw["requests"] / BURST_PER_SECOND, raw.get("search_requests", 0) / SEARCH_PER_SECOND
    )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hubspot", description=__doc__)
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--no-dlt", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    get_vendor("hubspot")  # registered
    started = time.time()
    result = {"machine": machine(), "h": extraction(args.contacts, args.reps, not args.no_dlt)}
    result["wall_seconds"] = time.time() - started
    out = args.out or Path(__file__).parent / "results" / f"{time.strftime('%Y%m%d-%H%M%S')}-h.json"
    out.write_text(json.dumps(result, indent=2, default=str))
    h = result["h"]
    print(f"HubSpot extraction, {h['contacts']:,} contacts (medians of {args.reps}):")
    for name, c in h["contenders"].items():
        print(
            f"  {name:12s} {c['seconds_median']:7.2f} s  {c['records_per_s']:9,.0f} rec/s  "
            f"records {c['records_total']:,}  requests {c['requests']}  "
            f"peak RSS {c['peak_rss_mb']:.0f} MB"
        )
    for key, value in h.items():
        if key.startswith("ours_vs"):
            print(f"  {key}: {value:.2f}")
    print(
        "  at HubSpot's published limits the calls take >= "
        f"{h['seconds_at_published_limits']:.0f} s"
    )
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
