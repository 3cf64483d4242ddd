"""Landing in batches: one connection per stream run, several pages per transaction.

The state committed with a batch is the state of its last page (it covers every row committed
so far); memory holds at most one batch; an error keeps the pages already read; a hard kill
between commits loses only uncommitted pages, which the resumed cursor reads again.
"""

import dataclasses
import json
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from connectors.core.errors import VendorError
from connectors.core.http import HttpStats, NonFinite, decode_json
from connectors.core.state import StreamState
from connectors.core.timeutil import to_iso
from connectors.core.vendor import Page, StreamRun
from connectors.landing.base import Batch
from connectors.landing.duckdb import DuckDBDestination
from connectors.landing.rows import split_page, to_json
from connectors.registry import get_stream, get_vendor
from connectors.run import BatchPolicy, close_readers, extract_stream

from .sandbox_support import latest_versions, make_world
from .test_sandbox_integration import FAST, extract_all

ROOT = Path(__file__).resolve().parents[2]


def _day(n: int) -> datetime:
    return datetime(2026, 1, n + 1, tzinfo=UTC)


def _page(n: int, size: int = 3) -> Page:
    records = [
        {"metaData": {"id": f"{n}-{i}", "started": f"2026-01-{n + 1:02d}T00:00:00Z"}}
        for i in range(size)
    ]
    return Page(records, StreamState(cursor=_day(n)))


def _cursors(batches: list[Batch]) -> list[datetime | None]:
    return [b.state.cursor if b.state is not None else None for b in batches]


class _Client:
    stats = HttpStats()
    ledger = None


class _Reader:
    """A gong.calls reader yielding prepared pages, then optionally failing."""

    def __init__(self, pages: list[Page], fail_after: bool = False) -> None:
        self.client = _Client()
        self._pages = pages
        self._fail_after = fail_after

    def read(self, run: StreamRun) -> Iterator[Page]:
        yield from self._pages
        if self._fail_after:
            raise VendorError("gong: HTTP 500 after every retry")


class _Recorder:
    """A destination that keeps the batches it was asked to commit (and may refuse them)."""

    def __init__(self, refuse: bool = False) -> None:
        self.batches: list[Batch] = []
        self.sessions = 0
        self.refuse = refuse

    @contextmanager
    def session(self) -> Iterator["_Recorder"]:
        self.sessions += 1
        yield self

    def read_state(self, source: str, stream: str) -> StreamState:
        return StreamState()

    def write_batch(self, batch: Batch) -> None:
        self.batches.append(batch)
        if self.refuse:
            raise OSError("disk full")


def _install_reader(monkeypatch: pytest.MonkeyPatch, fake: Any) -> None:
    """gong.calls read by `fake.read` instead of the Gong API."""
    gong = get_vendor("gong")
    calls = dataclasses.replace(gong.stream("calls"), read=type(fake).read)
    vendor = dataclasses.replace(gong, streams=(calls,))
    monkeypatch.setattr("connectors.run.reader_for", lambda source, settings: fake)
    monkeypatch.setattr("connectors.run.get_vendor", lambda source: vendor)


@pytest.fixture
def reader(monkeypatch: pytest.MonkeyPatch):
    def install(pages: list[Page], fail_after: bool = False) -> None:
        fake = _Reader(pages, fail_after)
        _install_reader(monkeypatch, fake)

    return install


def _extract(dest: Any, policy: BatchPolicy, on_page=None):
    return extract_stream(
        "gong", "calls", destination=dest, run_id="r", batch_policy=policy, on_page=on_page
    )


def test_pages_commit_in_batches_with_the_state_of_their_last_page(reader) -> None:
    pages = [_page(n) for n in range(10)]
    pages[4] = Page(pages[4].records, None)  # a page that leaves the state as it is
    reader(pages)
    dest = _Recorder()
    result = _extract(dest, BatchPolicy(max_records=7, max_bytes=10**9, max_seconds=1e9))
    assert dest.sessions == 1
    assert [len(b.rows) for b in dest.batches] == [9, 9, 9, 3]  # 3 pages, 3, 3, then the rest
    assert _cursors(dest.batches) == [_day(2), _day(5), _day(8), _day(9)]
    landed = [r.id for b in dest.batches for r in b.rows]
    assert landed == [r["metaData"]["id"] for p in pages for r in p.records]
    assert (result.records_sent, result.loaded, result.pages) == (30, 30, 10)
    assert result.cursor_after == to_iso(_day(9))


def test_a_batch_never_holds_more_than_its_limit_plus_one_page(reader) -> None:
    reader([_page(n, size=5) for n in range(12)])
    dest = _Recorder()
    _extract(dest, BatchPolicy(max_records=12, max_bytes=10**9, max_seconds=1e9))
    assert max(len(b.rows) for b in dest.batches) < 12 + 5
    dest = _Recorder()
    _extract(dest, BatchPolicy(max_records=10**9, max_bytes=1, max_seconds=1e9))
    assert len(dest.batches) == 12  # the byte cap alone: one page per commit


def test_time_limit_commits_every_page_when_zero(reader) -> None:
    reader([_page(n) for n in range(4)])
    dest = _Recorder()
    _extract(dest, BatchPolicy(max_records=10**9, max_bytes=10**9, max_seconds=0))
    assert _cursors(dest.batches) == [_day(n) for n in range(4)]


def test_an_error_midway_keeps_the_pages_already_read(reader, tmp_path: Path) -> None:
    reader([_page(n) for n in range(4)], fail_after=True)
    path = tmp_path / "w.duckdb"
    dest = DuckDBDestination(path)
    with pytest.raises(VendorError):
        _extract(dest, BatchPolicy(max_records=10**9, max_bytes=10**9, max_seconds=1e9))
    assert dest.read_state("gong", "calls").cursor == _day(3)
    assert len(latest_versions(path)["gong__calls"]) == 12


def test_a_callback_error_keeps_the_pages_already_read(reader) -> None:
    reader([_page(n) for n in range(4)])
    dest = _Recorder()

    def stop_after_two(result) -> None:
        if result.pages == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _extract(dest, BatchPolicy(), on_page=stop_after_two)
    assert _cursors(dest.batches) == [_day(1)]


def test_a_refused_commit_is_not_tried_again_on_the_way_out(reader) -> None:
    reader([_page(n) for n in range(4)])
    dest = _Recorder(refuse=True)
    with pytest.raises(OSError, match="disk full"):
        _extract(dest, BatchPolicy(max_records=3, max_bytes=10**9, max_seconds=1e9))
    assert len(dest.batches) == 1


def test_duckdb_session_is_one_connection_reused_when_nested(tmp_path: Path) -> None:
    dest = DuckDBDestination(tmp_path / "w.duckdb")
    with dest.session() as outer, dest.session() as inner:
        assert inner is outer
        assert outer.read_state("gong", "calls") == StreamState()
    # closed on exit: another process (here a read-only connection) may open the file
    duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True).close()


def test_raw_json_is_the_stdlib_text_and_keeps_what_orjson_cannot_write() -> None:
    record = {"a": 'テスト\n"q"', "b": [1, 2.5, None, True], "c": {"d": -0.0, "e": 10**18}}
    assert to_json(record) == json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    assert to_json({"big": 2**70}) == '{"big":1180591620717411303424}'
    body = decode_json(b'{"x":NaN,"y":-Infinity,"z":123456789012345678901234567890}')
    assert isinstance(body["x"], NonFinite)
    assert to_json(body) == '{"x":NaN,"y":-Infinity,"z":123456789012345678901234567890}'
    stream = get_stream("gong", "users")
    rows, quarantine = split_page(stream, [{"id": "1", "name": "a\ud800"}, {"id": "2"}])
    assert [r.id for r in rows] == ["2"]
    assert quarantine[0].reason.startswith("invalid UTF-8")


# -- a hard kill between commits, at chosen pages, against the sandbox ----------------------
_KILLED_RUN = """
import os, sys
from connectors.landing.duckdb import DuckDBDestination
from connectors.run import BatchPolicy, extract_source
from connectors.registry import STREAMS

env, path, kill_at = {env!r}, {path!r}, {kill_at}
seen = 0

def die(result):
    global seen
    seen += 1
    if seen == kill_at:
        os._exit(9)  # like SIGKILL: no flush, no cleanup

dest = DuckDBDestination(path)
for source in STREAMS:
    extract_source(source, destination=dest, run_id="killed", env=env, on_page=die,
                   batch_policy=BatchPolicy(max_records=500, max_bytes=10**9, max_seconds=1e9))
"""


def test_hard_kill_between_batches_then_rerun_lands_exactly_once(tmp_path: Path) -> None:
    serve = pytest.importorskip("sandbox.serve")
    world = make_world(tmp_path / "world", leads=200, seed=7)
    with serve.running(world) as sb:
        env = {**sb.env, **FAST}
        close_readers()
        extract_all(world, DuckDBDestination(tmp_path / "reference.duckdb"), env, "ref")
        close_readers()
        path = tmp_path / "killed.duckdb"
        for kill_at in (3, 9, 17):  # pages into the run: mid-batch in different streams
            script = _KILLED_RUN.format(env=env, path=str(path), kill_at=kill_at)
            code = textwrap.dedent(script)
            done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=120)
            assert done.returncode == 9
        extract_all(world, DuckDBDestination(path), env, "resumed")
        close_readers()
    assert latest_versions(path) == latest_versions(tmp_path / "reference.duckdb")


def test_a_batch_closed_by_time_carries_the_state_of_its_own_last_page(
    reader, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The time limit may close a batch while the next page is being fetched: that page's
    state must not be committed with the rows before it (a crash would skip its records)."""
    pages = [_page(n) for n in range(6)]

    class _SlowReader(_Reader):
        def read(self, run: StreamRun) -> Iterator[Page]:
            for page in self._pages:
                time.sleep(0.03)
                yield page

    slow = _SlowReader(pages)
    _install_reader(monkeypatch, slow)
    dest = _Recorder()
    _extract(dest, BatchPolicy(max_records=10**9, max_bytes=10**9, max_seconds=0.02))
    for batch in dest.batches:
        last_id = batch.rows[-1].id
        assert batch.state is not None
        assert batch.state.cursor == _day(int(last_id.split("-")[0]))
    assert [r.id for b in dest.batches for r in b.rows] == [
        r["metaData"]["id"] for p in pages for r in p.records
    ]
