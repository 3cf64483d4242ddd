"""Postgres destination against 127.0.0.1:5432 in a database of its own."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest

from connectors.core.state import StreamState
from connectors.core.timeutil import parse_datetime
from connectors.landing.base import Batch, QuarantineRow, RawRow
from connectors.landing.postgres import PostgresDestination

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_dsn() -> Iterator[str]:
    name = f"connectors_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(ADMIN_DSN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:  # pragma: no cover - environment without Postgres
        pytest.skip(f"Postgres not reachable: {exc}")
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _state(n: int) -> StreamState:
    return StreamState(cursor=datetime(2026, 1, n, tzinfo=UTC))


def _batch(rows, state, quarantine=()) -> Batch:
    return Batch(
        source="salesforce",
        stream="lead",
        rows=rows,
        quarantine=list(quarantine),
        state=state,
        run_id="run-pg",
        extracted_at=datetime(2026, 7, 1, tzinfo=UTC),
    )


def test_postgres_landing_state_and_quarantine(pg_dsn: str) -> None:
    dest = PostgresDestination(pg_dsn)
    assert dest.read_state("salesforce", "lead") == StreamState()
    t = parse_datetime("2026-01-01T00:00:00.000+0000")
    dest.write_batch(_batch([RawRow("00Q1", t, '{"Email":"a@b.jp","名前":"テスト"}')], _state(1)))
    dest.write_batch(
        _batch(
            [RawRow("00Q1", t, '{"Email":"new@b.jp"}')],
            _state(2),
            [QuarantineRow("r", "{}")],
        )
    )
    assert dest.read_state("salesforce", "lead") == _state(2)
    with psycopg.connect(pg_dsn) as con:
        rows = con.execute(
            "SELECT id, _raw->>'Email', _load_seq, _cursor FROM raw.salesforce__lead "
            "ORDER BY _load_seq"
        ).fetchall()
        assert [(r[0], r[1], r[2]) for r in rows] == [
            ("00Q1", "a@b.jp", 1),
            ("00Q1", "new@b.jp", 2),
        ]
        assert rows[0][3] == t
        assert con.execute("SELECT count(*) FROM raw._quarantine").fetchone() == (1,)


def test_postgres_failed_batch_leaves_state_and_rows_untouched(pg_dsn: str) -> None:
    dest = PostgresDestination(pg_dsn)
    dest.write_batch(_batch([RawRow("a", None, "{}")], _state(1)))
    with pytest.raises(psycopg.Error):
        dest.write_batch(_batch([RawRow("b", None, "not json")], _state(2)))
    assert dest.read_state("salesforce", "lead") == _state(1)
    with psycopg.connect(pg_dsn) as con:
        assert con.execute("SELECT count(*) FROM raw.salesforce__lead").fetchone() == (1,)


def test_extract_from_the_fakes_into_postgres(pg_dsn: str, tmp_path) -> None:
    serve = pytest.importorskip("sandbox.serve")
    from connectors.run import close_readers, extract_source

    from .sandbox_support import expected_ids, make_world

    world = make_world(tmp_path / "world", leads=200, seed=7)
    close_readers()
    try:
        with serve.running(world) as sb:
            dest = PostgresDestination(pg_dsn)
            for source in ("gong", "marketo"):
                extract_source(source, destination=dest, run_id="pg", env=sb.env)
            again = extract_source("gong", destination=dest, run_id="pg2", env=sb.env)
    finally:
        close_readers()
    assert again[1].records_sent <= 3  # incremental from the committed Postgres state
    expected = expected_ids(world)
    with psycopg.connect(pg_dsn) as con:
        for table in ("gong__calls", "gong__users", "marketo__activities", "marketo__leads"):
            ids = {r[0] for r in con.execute(f"SELECT DISTINCT id FROM raw.{table}").fetchall()}
            assert ids == expected[table], table
        seqs = con.execute("SELECT _load_seq FROM raw.gong__calls ORDER BY _load_seq").fetchall()
        assert [s[0] for s in seqs] == list(range(1, len(seqs) + 1))
