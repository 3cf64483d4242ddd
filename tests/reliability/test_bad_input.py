"""Malformed vendor payloads: every record is loaded or quarantined with a reason, never lost.

Hypothesis builds pages of records for every stream of every connector, mixing valid records
with broken ones (missing or blank ids, ids of the wrong type, unparseable or wrongly typed
cursors, huge strings, invalid UTF-8 (as decoded with replacement characters), unexpected nesting,
values that are not objects at all). Each page goes through the connectors' page processing
(`connectors.landing.split_page`) and is written to a DuckDB warehouse with the real
destination; then the warehouse holds exactly loaded + quarantined = sent rows.
"""

import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.core.vendor import Stream
from connectors.landing.base import Batch
from connectors.landing.duckdb import DuckDBDestination
from connectors.landing.rows import split_page
from connectors.registry import STREAMS

from .scoreboard import SCOREBOARD

ALL_STREAMS = [stream for streams in STREAMS.values() for stream in streams]
SOURCE_OF = {s.name + s.endpoint: source for source, streams in STREAMS.items() for s in streams}

GOOD_TIMESTAMP = st.sampled_from(
    ["2026-03-01T09:15:00.000+0000", "2026-03-01T09:15:00Z", "2026-03-01T09:15:00+09:00"]
)
WEIRD_SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.just("caf\ufffd broken utf-8"),  # invalid UTF-8 bytes, decoded with replacement
    st.just("x" * 200_000),  # huge string
    st.just(""),
    st.just("   "),
    st.just("2026-13-45T99:99:99Z"),
    st.just("not a date"),
)
WEIRD_VALUE = st.recursive(
    WEIRD_SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _set(record: dict, dotted: str, value: object) -> None:
    *parents, leaf = dotted.split(".")
    for part in parents:
        child = record.get(part)
        if not isinstance(child, dict):
            child = record[part] = {}
        record = child
    record[leaf] = value


@st.composite
def vendor_record(draw: st.DrawFn, stream: Stream) -> object:
    """A record of the stream: valid, or broken in one or more ways."""
    if draw(st.integers(0, 9)) == 0:
        return draw(WEIRD_VALUE)  # not an object at all (list, string, null, ...)
    record: dict = draw(st.dictionaries(st.text(max_size=12), WEIRD_VALUE, max_size=4))
    if draw(st.booleans()):
        _set(record, stream.primary_key, draw(st.text(min_size=1, max_size=20)))
    elif draw(st.booleans()):
        _set(record, stream.primary_key, draw(WEIRD_VALUE))
    if stream.cursor_field is not None:
        if draw(st.booleans()):
            _set(record, stream.cursor_field, draw(GOOD_TIMESTAMP))
        elif draw(st.booleans()):
            _set(record, stream.cursor_field, draw(WEIRD_VALUE))
    return record


@st.composite
def stream_page(draw: st.DrawFn) -> tuple[str, Stream, list]:
    stream = draw(st.sampled_from(ALL_STREAMS))
    records = draw(st.lists(vendor_record(stream), min_size=1, max_size=8))
    return SOURCE_OF[stream.name + stream.endpoint], stream, records


def _land(source: str, stream: Stream, records: list, warehouse: Path) -> tuple[list, list]:
    rows, quarantine = split_page(stream, records)
    DuckDBDestination(warehouse).write_batch(
        Batch(
            source=source,
            stream=stream.name,
            rows=rows,
            quarantine=quarantine,
            state=None,
            run_id="hypothesis",
            extracted_at=datetime.now(UTC),
        )
    )
    return rows, quarantine


def _counts(path: Path, table: str) -> tuple[int, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        loaded = con.execute(f"select count(*) from raw.{table}").fetchone()[0]
        quarantined = con.execute("select count(*) from raw._quarantine").fetchone()[0]
        reasons = con.execute(
            "select count(*) from raw._quarantine where coalesce(trim(reason), '') = ''"
        ).fetchone()[0]
        assert reasons == 0, "a quarantined record has no reason"
        return loaded, quarantined
    finally:
        con.close()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(page=stream_page())
def test_every_malformed_record_is_loaded_or_quarantined_with_a_reason(
    page: tuple[str, Stream, list], tmp_path_factory: pytest.TempPathFactory
) -> None:
    source, stream, records = page
    warehouse = tmp_path_factory.mktemp("bad_input") / "w.duckdb"
    rows, quarantine = split_page(stream, records)
    assert len(rows) + len(quarantine) == len(records)
    assert all(q.reason.strip() for q in quarantine)
    for row in rows:  # a loaded row has a usable id and its JSON is the record
        assert row.id.strip()
        json.loads(row.raw_json)
    _land(source, stream, records, warehouse)
    loaded, quarantined = _counts(warehouse, f"{source}__{stream.name}")
    assert (loaded, quarantined) == (len(rows), len(quarantine))
    SCOREBOARD.trials += 1
    SCOREBOARD.faults["malformed_page"] += 1
    SCOREBOARD.add_records(len(records), loaded, quarantined)


def test_lone_surrogate_from_a_vendor_payload_is_quarantined(tmp_path: Path) -> None:
    records = json.loads(
        '[{"Id": "001A", "SystemModstamp": "2026-03-01T09:15:00.000+0000", '
        '"Name": "bad \\ud800 name"}]'
    )
    stream = next(s for s in STREAMS["salesforce"] if s.name == "account")
    _rows, quarantine = _land("salesforce", stream, records, tmp_path / "w.duckdb")
    assert len(quarantine) == 1 and "utf" in quarantine[0].reason.lower()
