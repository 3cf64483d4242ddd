"""Helpers for the integration tests against the sandbox fakes."""

import json
from pathlib import Path

import duckdb

from connectors.registry import STREAMS

SF_OBJECTS = {s.name: s.endpoint for s in STREAMS["salesforce"]}


def make_world(out: Path, leads: int = 200, seed: int = 7) -> Path:
    """The real generator when it exists; the fakes' small hand-built world until then."""
    try:
        from sandbox.world import generate
    except ImportError:
        from tests.sandbox.conftest import build_fixture_world

        build_fixture_world(out, leads=leads, seed=seed)
        return out
    generate(out, leads=leads, seed=seed)
    return out


def _jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def expected_ids(world: Path) -> dict[str, set[str]]:
    """Primary keys each stream must land on a first run, from the data files."""
    out: dict[str, set[str]] = {}
    for stream, sobject in SF_OBJECTS.items():
        out[f"salesforce__{stream}"] = {
            r["Id"] for r in _jsonl(world / "salesforce" / f"{sobject}.jsonl")
        }
    # The fakes serve activities.jsonl plus the generator's deleted_leads.jsonl (type 37).
    activities = _jsonl(world / "marketo" / "activities.jsonl")
    activities += _jsonl(world / "marketo" / "deleted_leads.jsonl")
    out["marketo__activities"] = {str(a["marketoGUID"]) for a in activities}
    out["marketo__deleted_leads"] = {
        str(a["marketoGUID"]) for a in activities if a.get("activityTypeId") == 37
    }
    out["marketo__leads"] = {str(r["id"]) for r in _jsonl(world / "marketo" / "leads.jsonl")}
    types = json.loads((world / "marketo" / "activity_types.json").read_text(encoding="utf-8"))
    if isinstance(types, dict):
        types = types.get("result", [])
    out["marketo__activity_types"] = {str(t["id"]) for t in types}
    out["gong__users"] = {str(u["id"]) for u in _jsonl(world / "gong" / "users.jsonl")}
    out["gong__calls"] = {str(c["metaData"]["id"]) for c in _jsonl(world / "gong" / "calls.jsonl")}
    return out


def present_salesforce_streams(world: Path) -> list[str]:
    return [s for s, o in SF_OBJECTS.items() if (world / "salesforce" / f"{o}.jsonl").exists()]


def latest_versions(path: Path) -> dict[str, dict[str, str]]:
    """Per raw table: id -> _raw of the row with the highest _load_seq (what staging keeps)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [
            t[0]
            for t in con.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'raw' AND table_name NOT LIKE '\\_%' ESCAPE '\\'"
            ).fetchall()
        ]
        out: dict[str, dict[str, str]] = {}
        for table in tables:
            rows = con.execute(
                f"SELECT id, _raw::VARCHAR FROM raw.{table} "
                "QUALIFY row_number() OVER (PARTITION BY id ORDER BY _load_seq DESC) = 1"
            ).fetchall()
            out[table] = dict(rows)
        return out
    finally:
        con.close()


def normalised(versions: dict[str, dict[str, str]]) -> dict[str, dict[str, object]]:
    """Parsed JSON, minus the Salesforce `attributes.url` noise that does not change data."""
    return {t: {i: json.loads(raw) for i, raw in rows.items()} for t, rows in versions.items()}
