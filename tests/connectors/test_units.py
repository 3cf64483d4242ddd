"""Unit tests: redaction, landing split, cursor progress, DuckDB landing transaction."""

import json
from datetime import UTC, datetime

import duckdb
import pytest

from connectors.core.cursor import CursorProgress
from connectors.core.redact import redact, register_secret
from connectors.core.state import StreamState
from connectors.core.timeutil import BadTimestamp, parse_datetime
from connectors.landing.base import Batch, QuarantineRow, RawRow
from connectors.landing.duckdb import DuckDBDestination
from connectors.landing.rows import split_page
from connectors.registry import STREAMS, get_stream


def test_stream_names_match_the_contract() -> None:
    assert [s.name for s in STREAMS["salesforce"]] == [
        "user", "user_role", "account", "contact", "lead", "opportunity",
        "opportunity_history", "opportunity_stage", "lead_history", "task", "event",
    ]  # fmt: skip
    # leads before activities: a day's export allowance goes to the leads first
    assert [s.name for s in STREAMS["marketo"]] == [
        "activity_types", "leads", "activities", "deleted_leads",
    ]  # fmt: skip
    assert [s.name for s in STREAMS["gong"]] == ["users", "calls"]
    assert get_stream("salesforce", "lead_history").cursor_field == "CreatedDate"
    assert get_stream("gong", "calls").primary_key == "metaData.id"
    assert get_stream("marketo", "activity_types").cursor_field is None


def test_redact_masks_registered_secrets_and_credential_shapes() -> None:
    register_secret("s3ntinel-secret-value")
    text = (
        "boom s3ntinel-secret-value; Authorization: Bearer abc.def-123 "
        "GET /identity/oauth/token?client_id=x&client_secret=topsecret&grant_type=c "
        "password=hunter22 Authorization: Basic dXNlcjpwYXNz"
    )
    out = redact(text)
    for leaked in ("s3ntinel-secret-value", "abc.def-123", "topsecret", "hunter22", "dXNlcjpwYXNz"):
        assert leaked not in out
    assert "grant_type=c" in out
    assert redact("") == ""


def test_parse_datetime_variants() -> None:
    expected = datetime(2026, 3, 1, 9, 15, tzinfo=UTC)
    assert parse_datetime("2026-03-01T09:15:00.000+0000") == expected
    assert parse_datetime("2026-03-01T09:15:00Z") == expected
    assert parse_datetime("2026-03-01T18:15:00+09:00") == expected
    for bad in (None, "", "yesterday", 12345, "2026-13-45T00:00:00Z"):
        with pytest.raises(BadTimestamp):
            parse_datetime(bad)


def test_split_page_quarantines_bad_records_and_keeps_counts() -> None:
    stream = get_stream("gong", "calls")
    records = [
        {"metaData": {"id": "1", "started": "2026-01-01T00:00:00Z"}, "newField": [1]},
        {"metaData": {"started": "2026-01-01T00:00:00Z"}},  # no id
        {"metaData": {"id": "3", "started": "not a date"}},
        "not an object",
        {"metaData": {"id": "", "started": "2026-01-01T00:00:00Z"}},
    ]
    rows, quarantine = split_page(stream, records)
    assert len(rows) + len(quarantine) == len(records)
    assert [r.id for r in rows] == ["1"]
    assert json.loads(rows[0].raw_json)["newField"] == [1]  # schema drift lands in _raw
    reasons = [q.reason for q in quarantine]
    assert reasons[0] == "missing primary key metaData.id"
    assert reasons[1].startswith("unparseable cursor metaData.started")


def test_cursor_progress_holds_back_when_out_of_order() -> None:
    start = parse_datetime("2026-01-01T00:00:00Z")
    progress = CursorProgress(start, "t")
    progress.observe([{"t": "2026-01-02T00:00:00Z"}, {"t": "2026-01-03T00:00:00Z"}])
    assert progress.committable() == parse_datetime("2026-01-03T00:00:00Z")
    progress.observe([{"t": "2026-01-02T12:00:00Z"}, {"t": "bad"}])
    assert progress.committable() == start  # out of order: keep the pass start until done
    assert progress.final() == parse_datetime("2026-01-03T00:00:00Z")


def _state(n: int) -> StreamState:
    return StreamState(cursor=datetime(2026, 1, n, tzinfo=UTC))


def _batch(rows: list[RawRow], state: StreamState | None, quarantine=()) -> Batch:
    return Batch(
        source="gong",
        stream="calls",
        rows=rows,
        quarantine=list(quarantine),
        state=state,
        run_id="r1",
        extracted_at=datetime(2026, 7, 1, tzinfo=UTC),
    )


def test_duckdb_destination_appends_with_increasing_load_seq(tmp_path) -> None:
    dest = DuckDBDestination(tmp_path / "w.duckdb")
    assert dest.read_state("gong", "calls") == StreamState()
    t = parse_datetime("2026-01-01T00:00:00Z")
    dest.write_batch(_batch([RawRow("a", t, '{"x":1}'), RawRow("b", None, "{}")], _state(1)))
    dest.write_batch(
        _batch([RawRow("a", t, '{"x":2}')], None, [QuarantineRow("missing primary key", "{}")])
    )
    assert dest.read_state("gong", "calls") == _state(1)
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    rows = con.execute(
        "SELECT id, _raw->>'x', _load_seq, _run_id FROM raw.gong__calls ORDER BY _load_seq"
    ).fetchall()
    assert rows == [("a", "1", 1, "r1"), ("b", None, 2, "r1"), ("a", "2", 3, "r1")]
    assert con.execute("SELECT source, stream, reason FROM raw._quarantine").fetchall() == [
        ("gong", "calls", "missing primary key")
    ]
    con.close()


def test_duckdb_batch_and_state_roll_back_together(tmp_path) -> None:
    dest = DuckDBDestination(tmp_path / "w.duckdb")
    dest.write_batch(_batch([RawRow("a", None, "{}")], _state(1)))
    with pytest.raises(duckdb.Error):
        dest.write_batch(_batch([RawRow("b", None, "not json")], _state(2)))
    assert dest.read_state("gong", "calls") == _state(1)
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM raw.gong__calls").fetchone() == (1,)
    con.close()
