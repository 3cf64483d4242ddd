"""dlt's `rest_api` source pulling the same sandbox endpoints into its own DuckDB file.

Two profiles: `default` (dlt's defaults: jsonl load files, nested data unpacked into child
tables, one normalize worker) and `tuned` (parquet load files, file rotation, two normalize
workers, parallelized resources, nested data kept as JSON columns like our `_raw`).
Telemetry is off and dlt's working dirs live under a temp dir.
"""

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

from connectors.registry import STREAMS
from connectors.sources.marketo.reader import PAGE_SIZE, TYPE_IDS_PER_CALL
from connectors.sources.salesforce.reader import BATCH_SIZE
from sandbox.client import salesforce_login

EPOCH = "1970-01-01T00:00:00Z"
SF_API = "services/data/v62.0"
# Marketo stream `leads` needs one leads.json call per page of lead-change activities with the
# page's ids; rest_api resolves children per parent record, so it is left out of the compared set.
UNSUPPORTED = {"marketo.leads"}

TUNED_ENV = {
    "NORMALIZE__WORKERS": "2",
    "NORMALIZE__DATA_WRITER__FILE_MAX_ITEMS": "100000",
    "DATA_WRITER__BUFFER_MAX_ITEMS": "20000",
    "EXTRACT__WORKERS": "3",
}


def _salesforce_source(env: dict[str, str], streams: set[str] | None, tuned: bool) -> Any:
    from dlt.sources.rest_api import rest_api_source

    access_token, instance = salesforce_login(env)
    headers = {"Authorization": f"Bearer {access_token}"}
    resources: list[dict[str, Any]] = []
    for stream in STREAMS["salesforce"]:
        if streams is not None and f"salesforce.{stream.name}" not in streams:
            continue
        described = requests.get(
            f"{instance}/{SF_API}/sobjects/{stream.endpoint}/describe", headers=headers, timeout=30
        ).json()
        names = [
            f["name"] for f in described["fields"] if f.get("type") not in {"address", "location"}
        ]
        soql = (
            f"SELECT {', '.join(names)} FROM {stream.endpoint} "
            f"ORDER BY {stream.cursor_field} ASC, Id ASC"
        )
        resources.append(
            {
                "name": f"salesforce__{stream.name}",
                "endpoint": {
                    # The query goes in the path so the next-URL paginator replaces it whole.
                    "path": f"{SF_API}/queryAll?q={quote(soql, safe='')}",
                    "data_selector": "records",
                    "paginator": {"type": "json_link", "next_url_path": "nextRecordsUrl"},
                },
            }
        )
    return rest_api_source(
        {
            "client": {
                "base_url": f"{instance}/",
                "auth": {"type": "bearer", "token": access_token},
                "headers": {"Sforce-Query-Options": f"batchSize={BATCH_SIZE}"},
            },
            "resource_defaults": {"parallelized": tuned},
            "resources": resources,
        },
        name="salesforce",
    )


def _marketo_source(env: dict[str, str], streams: set[str] | None, tuned: bool) -> Any:
    from dlt.sources.rest_api import rest_api_source

    base = env["MARKETO_BASE_URL"]
    token = requests.post(
        f"{base}/identity/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": env["MARKETO_CLIENT_ID"],
            "client_secret": env["MARKETO_CLIENT_SECRET"],
        },
        timeout=30,
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}

    def paging_token() -> str:
        return requests.get(
            f"{base}/rest/v1/activities/pagingtoken.json",
            params={"sinceDatetime": EPOCH},
            headers=headers,
            timeout=30,
        ).json()["nextPageToken"]

    def wanted(name: str) -> bool:
        return streams is None or f"marketo.{name}" in streams

    marketo_paginator = {
        "type": "cursor",
        "cursor_path": "nextPageToken",
        "cursor_param": "nextPageToken",
        "has_more_path": "moreResult",
    }
    resources: list[dict[str, Any]] = []
    if wanted("activity_types"):
        resources.append(
            {
                "name": "marketo__activity_types",
                "endpoint": {
                    "path": "rest/v1/activities/types.json",
                    "data_selector": "result",
                    "paginator": "single_page",
                },
            }
        )
    if wanted("activities"):
        types = requests.get(
            f"{base}/rest/v1/activities/types.json", headers=headers, timeout=30
        ).json()["result"]
        ids = sorted(int(t["id"]) for t in types)
        for start in range(0, len(ids), TYPE_IDS_PER_CALL):
            group = ",".join(str(i) for i in ids[start : start + TYPE_IDS_PER_CALL])
            resources.append(
                {
                    # One resource per group of 10 type ids; all land in one table.
                    "name": f"marketo__activities_{start // TYPE_IDS_PER_CALL}",
                    "table_name": "marketo__activities",
                    "endpoint": {
                        "path": "rest/v1/activities.json",
                        "params": {
                            "activityTypeIds": group,
                            "nextPageToken": paging_token(),
                            "batchSize": PAGE_SIZE,
                        },
                        "data_selector": "result",
                        "paginator": marketo_paginator,
                    },
                }
            )
    if wanted("deleted_leads"):
        resources.append(
            {
                "name": "marketo__deleted_leads",
                "endpoint": {
                    "path": "rest/v1/activities/deletedleads.json",
                    "params": {"nextPageToken": paging_token(), "batchSize": PAGE_SIZE},
                    "data_selector": "result",
                    "paginator": marketo_paginator,
                },
            }
        )
    return rest_api_source(
        {
            "client": {"base_url": f"{base}/", "auth": {"type": "bearer", "token": token}},
            "resource_defaults": {"parallelized": tuned},
            "resources": resources,
        },
        name="marketo",
    )


def _gong_source(env: dict[str, str], streams: set[str] | None, tuned: bool) -> Any:
    from dlt.sources.rest_api import rest_api_source

    resources: list[dict[str, Any]] = []
    if streams is None or "gong.users" in streams:
        resources.append(
            {
                "name": "gong__users",
                "endpoint": {
                    "path": "v2/users",
                    "data_selector": "users",
                    "paginator": {
                        "type": "cursor",
                        "cursor_path": "records.cursor",
                        "cursor_param": "cursor",
                    },
                },
            }
        )
    if streams is None or "gong.calls" in streams:
        from connectors.sources.gong.reader import CONTENT_SELECTOR

        resources.append(
            {
                "name": "gong__calls",
                "endpoint": {
                    "path": "v2/calls/extensive",
                    "method": "POST",
                    "json": {
                        "filter": {"fromDateTime": EPOCH, "toDateTime": "2100-01-01T00:00:00Z"},
                        "contentSelector": CONTENT_SELECTOR,
                    },
                    "data_selector": "calls",
                    "paginator": {
                        "type": "cursor",
                        "cursor_path": "records.cursor",
                        "cursor_body_path": "cursor",
                    },
                },
            }
        )
    return rest_api_source(
        {
            "client": {
                "base_url": f"{env['GONG_BASE_URL']}/",
                "auth": {
                    "type": "http_basic",
                    "username": env["GONG_ACCESS_KEY"],
                    "password": env["GONG_ACCESS_KEY_SECRET"],
                },
            },
            "resource_defaults": {"parallelized": tuned},
            "resources": resources,
        },
        name="gong",
    )


@contextmanager
def dlt_pipeline(name: str, duckdb_path: Path, *, tuned: bool) -> Iterator[Any]:
    """A dlt pipeline `<name>_default|tuned` into a fresh DuckDB file, with telemetry off and the
    profile's settings in the environment while it is used (restored after)."""
    for stale in (duckdb_path, duckdb_path.with_name(duckdb_path.name + ".wal")):
        stale.unlink(missing_ok=True)
    settings = {"RUNTIME__DLTHUB_TELEMETRY": "false", **(TUNED_ENV if tuned else {})}
    saved = {key: os.environ.get(key) for key in settings}
    os.environ.update(settings)
    try:
        import dlt

        with tempfile.TemporaryDirectory(prefix="bench-dlt-") as workdir:
            yield dlt.pipeline(
                pipeline_name=f"{name}_{'tuned' if tuned else 'default'}",
                destination=dlt.destinations.duckdb(str(duckdb_path)),
                dataset_name="raw",
                pipelines_dir=workdir,
            )
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def extract(
    env: dict[str, str], duckdb_path: Path, *, tuned: bool, streams: set[str] | None = None
) -> dict[str, Any]:
    """Run one dlt pipeline over the three sources; records = top-level rows per stream."""
    with dlt_pipeline("bench", duckdb_path, tuned=tuned) as pipeline:
        sources = [
            _salesforce_source(env, streams, tuned),
            _marketo_source(env, streams, tuned),
            _gong_source(env, streams, tuned),
        ]
        if tuned:
            for source in sources:
                source.max_table_nesting = 0
        pipeline.run(sources, loader_file_format="parquet" if tuned else None)
        row_counts = pipeline.last_trace.last_normalize_info.row_counts
    records = {
        table.replace("__", ".", 1): count
        for table, count in row_counts.items()
        if "__" in table and not table.startswith("_dlt") and table.count("__") == 1
    }
    return {"records": records, "requests": None}
