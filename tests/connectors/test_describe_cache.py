"""Salesforce field lists are kept in the stream state: a later run (a new process) does not
describe again until CONNECTORS_DESCRIBE_TTL_HOURS, and a field the org dropped meanwhile
(INVALID_FIELD) makes the reader describe again instead of failing. Marketo's types.json is
asked once per run, not once per stream."""

import json
from pathlib import Path

import duckdb
import pytest

from connectors.landing.duckdb import DuckDBDestination
from connectors.run import close_readers, extract_source

from .sandbox_support import make_world, present_salesforce_streams
from .test_sandbox_integration import FAST

serve = pytest.importorskip("sandbox.serve")


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    return make_world(tmp_path_factory.mktemp("world") / "data", leads=100, seed=5)


def _calls(sb, source: str, marker: str) -> int:
    return sum(n for path, n in sb.stats(source)["requests"].items() if marker in path)


def _run(world: Path, dest: DuckDBDestination, env: dict[str, str], source: str) -> None:
    close_readers()  # each run as a new process would: no in-memory caches
    streams = present_salesforce_streams(world) if source == "salesforce" else None
    extract_source(source, destination=dest, run_id="r", env=env, streams=streams)
    close_readers()


def test_describe_is_reused_from_the_state_until_its_ttl(world, tmp_path) -> None:
    streams = present_salesforce_streams(world)
    with serve.running(world) as sb:
        env = {**sb.env, **FAST}
        dest = DuckDBDestination(tmp_path / "w.duckdb")
        _run(world, dest, env, "salesforce")
        assert _calls(sb, "salesforce", "describe") == len(streams)
        sb.reset_stats()
        _run(world, dest, env, "salesforce")
        assert _calls(sb, "salesforce", "describe") == 0
        sb.reset_stats()
        _run(world, dest, {**env, "CONNECTORS_DESCRIBE_TTL_HOURS": "0"}, "salesforce")
        assert _calls(sb, "salesforce", "describe") == len(streams)


def test_a_dropped_field_in_the_cached_list_means_describe_again(world, tmp_path) -> None:
    path = tmp_path / "w.duckdb"
    with serve.running(world) as sb:
        env = {**sb.env, **FAST}
        dest = DuckDBDestination(path)
        _run(world, dest, env, "salesforce")
        con = duckdb.connect(str(path))
        (state,) = con.execute(
            "SELECT state FROM meta.stream_state WHERE source = 'salesforce' AND stream = 'lead'"
        ).fetchone()
        state = json.loads(state)
        state["fields"].append("Dropped_Field__c")
        con.execute(
            "UPDATE meta.stream_state SET state = ? "
            "WHERE source = 'salesforce' AND stream = 'lead'",
            [json.dumps(state)],
        )
        con.close()
        sb.reset_stats()
        close_readers()
        result = extract_source(
            "salesforce", destination=dest, run_id="r2", env=env, streams=["lead"]
        )[0]
        close_readers()
        assert _calls(sb, "salesforce", "describe") == 1
        assert result.records_sent >= 1  # the boundary record, read with the fresh field list
    assert (
        "Dropped_Field__c"
        not in json.loads(
            duckdb.connect(str(path), read_only=True)
            .execute("SELECT state FROM meta.stream_state WHERE stream = 'lead'")
            .fetchone()[0]
        )["fields"]
    )


def test_marketo_types_are_asked_once_per_run(world, tmp_path) -> None:
    with serve.running(world) as sb:
        _run(world, DuckDBDestination(tmp_path / "w.duckdb"), {**sb.env, **FAST}, "marketo")
        assert _calls(sb, "marketo", "types.json") == 1


def test_marketo_lead_fields_are_reused_from_the_state(world, tmp_path) -> None:
    with serve.running(world) as sb:
        env = {**sb.env, **FAST}
        dest = DuckDBDestination(tmp_path / "w.duckdb")
        _run(world, dest, env, "marketo")
        assert _calls(sb, "marketo", "describe") == 1
        sb.mutate("marketo", modify=3, seed=1)  # changed leads, fetched with the kept list
        sb.reset_stats()
        _run(world, dest, env, "marketo")
        assert _calls(sb, "marketo", "leads.json") >= 1
        assert _calls(sb, "marketo", "describe") == 0
        sb.mutate("marketo", modify=3, seed=2)
        sb.reset_stats()
        _run(world, dest, {**env, "CONNECTORS_DESCRIBE_TTL_HOURS": "0"}, "marketo")
        assert _calls(sb, "marketo", "describe") == 1
