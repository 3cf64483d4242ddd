"""Land a sandbox data directory into raw tables (contracts section 4), for dbt tests.

The connectors are the real landing path; this loader lets the dbt project be tested on the
sandbox's files alone. It writes what the vendor APIs would have returned: Salesforce records
get the `attributes` key the REST API adds, Gong calls are the CallData lines.
"""

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import psycopg
import pyarrow as pa


@dataclass(frozen=True)
class Stream:
    source: str
    stream: str
    file: str  # path inside the data dir
    id_path: tuple[str, ...]
    cursor_path: tuple[str, ...] | None
    salesforce_object: str | None = None  # adds `attributes` when set
    optional: bool = False

    @property
    def table(self) -> str:
        return f"{self.source}__{self.stream}"


HUBSPOT_STREAMS = (
    "owners",
    "deal_pipelines",
    "contacts",
    "companies",
    "deals",
    "calls",
    "meetings",
    "emails",
)


def _vendors(data_dir: Path) -> set[str]:
    """The vendors a data dir has (manifest `vendors`; absent: the three-tool company)."""
    manifest = data_dir / "manifest.json"
    if manifest.exists():
        vendors = json.loads(manifest.read_text(encoding="utf-8")).get("vendors")
        if vendors:
            return set(vendors)
    return {"salesforce", "marketo", "gong"}


def _sf(stream: str, sobject: str, cursor: str = "SystemModstamp") -> Stream:
    return Stream(
        "salesforce",
        stream,
        f"salesforce/{sobject}.jsonl",
        ("Id",),
        (cursor,),
        salesforce_object=sobject,
    )


STREAMS: Sequence[Stream] = (
    _sf("user", "User"),
    _sf("user_role", "UserRole"),
    _sf("account", "Account"),
    _sf("contact", "Contact"),
    _sf("lead", "Lead"),
    _sf("opportunity", "Opportunity"),
    _sf("opportunity_history", "OpportunityHistory"),
    _sf("opportunity_stage", "OpportunityStage"),
    _sf("lead_history", "LeadHistory", cursor="CreatedDate"),
    _sf("task", "Task"),
    _sf("event", "Event"),
    Stream("marketo", "leads", "marketo/leads.jsonl", ("id",), ("updatedAt",)),
    Stream(
        "marketo", "activities", "marketo/activities.jsonl", ("marketoGUID",), ("activityDate",)
    ),
    Stream("marketo", "activity_types", "marketo/activity_types.json", ("id",), None),
    Stream(
        "marketo",
        "deleted_leads",
        "marketo/deleted_leads.jsonl",
        ("marketoGUID",),
        ("activityDate",),
        optional=True,
    ),
    Stream("gong", "users", "gong/users.jsonl", ("id",), None),
    Stream("gong", "calls", "gong/calls.jsonl", ("metaData", "id"), ("metaData", "started")),
    # HubSpot (hubspot-contract.md 1): the CRM object as HubSpot sends it, cursor updatedAt
    *(
        Stream("hubspot", name, f"hubspot/{name}.jsonl", ("id",), ("updatedAt",), optional=True)
        for name in HUBSPOT_STREAMS
    ),
)

RAW_COLUMNS = ("id", "_cursor", "_raw", "_extracted_at", "_run_id", "_load_seq")


def _dig(record: Mapping[str, Any], path: Sequence[str]) -> Any:
    value: Any = record
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def _records(data_dir: Path, stream: Stream) -> Iterator[dict[str, Any]]:
    path = data_dir / stream.file
    if not path.exists():
        if stream.optional or stream.source not in _vendors(data_dir):
            return
        raise FileNotFoundError(f"sandbox file missing for {stream.table}: {path}")
    if path.suffix == ".json":
        loaded = json.loads(path.read_text(encoding="utf-8"))
        items = loaded.get("result", loaded) if isinstance(loaded, dict) else loaded
        yield from items
        return
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as error:
                    raise ValueError(f"{path}:{number}: not JSON: {error}") from error


def raw_rows(
    data_dir: Path, stream: Stream, run_id: str, extracted_at: datetime
) -> list[tuple[Any, ...]]:
    """Rows of raw.<source>__<stream> in file order, `_load_seq` counting from 1."""
    rows = []
    for seq, record in enumerate(_records(data_dir, stream), start=1):
        if stream.salesforce_object:
            record = {"attributes": {"type": stream.salesforce_object}, **record}
        record_id = _dig(record, stream.id_path)
        if record_id is None:
            raise ValueError(f"{stream.table}: record {seq} has no {'.'.join(stream.id_path)}")
        cursor = _dig(record, stream.cursor_path) if stream.cursor_path else None
        rows.append(
            (
                str(record_id),
                cursor,
                json.dumps(record, ensure_ascii=False),
                extracted_at,
                run_id,
                seq,
            )
        )
    return rows


def _ddl(table: str, json_type: str) -> str:
    return (
        f"create table raw.{table} (id varchar not null, _cursor timestamptz, "
        f"_raw {json_type} not null, "
        "_extracted_at timestamptz not null, _run_id varchar not null, _load_seq bigint not null)"
    )


def _stream_state_ddl(json_type: str) -> str:
    """The connectors' state table (contracts 4), empty: a data dir holds no connector state."""
    return (
        "create table if not exists meta.stream_state (source varchar not null, "
        f"stream varchar not null, state {json_type}, updated_at timestamptz not null, "
        "run_id varchar not null, state_version integer, last_full_scan_started_at timestamptz)"
    )


def land_duckdb(data_dir: Path, database: Path, run_id: str = "test-run") -> dict[str, int]:
    """Replace every raw table in the DuckDB file with the data dir's records."""
    extracted_at = datetime.now(UTC)
    counts: dict[str, int] = {}
    with duckdb.connect(str(database)) as conn:
        conn.execute("create schema if not exists raw")
        conn.execute("create schema if not exists meta")
        conn.execute(_stream_state_ddl("json"))
        for stream in STREAMS:
            rows = raw_rows(data_dir, stream, run_id, extracted_at)
            conn.execute(f"drop table if exists raw.{stream.table}")
            conn.execute(_ddl(stream.table, "json"))
            if rows:
                # Arrow, not executemany: about a thousand times faster in DuckDB.
                batch = pa.table(
                    {name: [row[i] for row in rows] for i, name in enumerate(RAW_COLUMNS)}
                )
                conn.register("landing_batch", batch)
                conn.execute(
                    f"insert into raw.{stream.table} select id, cast(_cursor as timestamptz), "
                    "cast(_raw as json), _extracted_at, _run_id, _load_seq from landing_batch"
                )
                conn.unregister("landing_batch")
            counts[stream.table] = len(rows)
    return counts


def land_postgres(data_dir: Path, dsn: str, run_id: str = "test-run") -> dict[str, int]:
    """Replace every raw table in the Postgres database (COPY) with the data dir's records."""
    extracted_at = datetime.now(UTC)
    counts: dict[str, int] = {}
    with psycopg.connect(dsn, autocommit=False) as conn, conn.cursor() as cur:
        cur.execute("create schema if not exists raw")
        cur.execute("create schema if not exists meta")
        cur.execute(_stream_state_ddl("jsonb"))
        for stream in STREAMS:
            rows = raw_rows(data_dir, stream, run_id, extracted_at)
            cur.execute(f"drop table if exists raw.{stream.table}")
            cur.execute(_ddl(stream.table, "jsonb"))
            with cur.copy(f"copy raw.{stream.table} ({', '.join(RAW_COLUMNS)}) from stdin") as copy:
                for row in rows:
                    copy.write_row(row)
            counts[stream.table] = len(rows)
        conn.commit()
    return counts
