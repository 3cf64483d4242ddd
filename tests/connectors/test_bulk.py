"""Bulk first loads: Salesforce Bulk API 2.0 and Marketo Bulk Extract land what the REST paths
land, resume the same job after a crash without landing twice, and retry failed jobs. Their
pages are fetched ahead but parsed by the consumer (`DeferredPage`): the read-ahead holds CSV
bytes, not record dicts, and the counts and states stay those of the pages in order."""

import csv
import io
import json
import shutil
import threading
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.core.csv_text import dict_rows, lines_of
from connectors.core.errors import VendorError
from connectors.landing.duckdb import DuckDBDestination
from connectors.run import StreamResult, close_readers, extract_stream
from connectors.sources.marketo import bulk as marketo_bulk
from connectors.sources.salesforce import bulk as salesforce_bulk
from sandbox.fakes import marketo_bulk as marketo_fake_bulk
from sandbox.fakes.faults import FaultConfig
from sandbox.serve import running

from .sandbox_support import expected_ids, make_world

FAST_CLOCK = 30  # the fake's clock runs 30x: jobs complete and limiter windows pass quickly
ENV = {"CONNECTORS_RATE_SCALE": str(FAST_CLOCK), "CONNECTORS_BACKOFF_MAX": "0.2"}
# Every activity type through the export (no priority type read over REST first): the crash
# tests below count each record once, where a REST resume re-reads the one at its cursor.
MARKETO_BULK_ONLY = {"MARKETO_BULK": "always", "MARKETO_PRIORITY_ACTIVITY_TYPES": "none"}
SF_BULK = {"SALESFORCE_BULK": "always", "SALESFORCE_BULK_RESULT_RECORDS": "40"}


class _Crash(Exception):
    pass


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_world(tmp_path_factory.mktemp("bulk_world"), leads=200, seed=7)


@pytest.fixture(autouse=True)
def _fresh_readers():
    close_readers()
    yield
    close_readers()


def _run(sandbox, path: Path, source: str, stream: str, env: dict, **kwargs: Any) -> StreamResult:  # type: ignore[no-untyped-def]
    close_readers()
    return extract_stream(
        source, stream, destination=DuckDBDestination(path), run_id="r",
        env={**sandbox.env, **ENV, **env}, **kwargs,
    )  # fmt: skip


def _rows(path: Path, table: str) -> list[tuple[str, dict]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(f"select id, _raw from raw.{table} order by _load_seq").fetchall()
    finally:
        con.close()
    return [(i, json.loads(raw)) for i, raw in rows]


def _latest(path: Path, table: str) -> dict[str, dict]:
    return dict(_rows(path, table))


def _same_values(bulk: dict, rest: dict) -> bool:
    """Bulk CSV has no empty string (it is null) and writes datetimes with Z."""
    for name, value in rest.items():
        other = bulk.get(name)
        if name == "attributes" or other == value or (value == "" and other is None):
            continue
        if isinstance(value, str) and value.endswith("+0000") and other == value[:-5] + "Z":
            continue
        return False
    return True


def _posts(sandbox, source: str, path_part: str) -> int:  # type: ignore[no-untyped-def]
    requests = sandbox.stats(source)["requests"]
    return sum(n for template, n in requests.items() if template.endswith(path_part))


def test_bulk_salesforce_lands_what_rest_lands(world: Path, tmp_path: Path) -> None:
    with running(world, clock_speed=FAST_CLOCK) as sandbox:
        for stream in ("lead", "task"):
            bulk = _run(sandbox, tmp_path / "bulk.duckdb", "salesforce", stream, SF_BULK)
            rest = _run(
                sandbox,
                tmp_path / "rest.duckdb",
                "salesforce",
                stream,
                {"SALESFORCE_BULK": "never"},
            )
            assert bulk.records_sent == rest.records_sent
            by_bulk = _latest(tmp_path / "bulk.duckdb", f"salesforce__{stream}")
            by_rest = _latest(tmp_path / "rest.duckdb", f"salesforce__{stream}")
            assert set(by_bulk) == set(by_rest) == expected_ids(world)[f"salesforce__{stream}"]
            assert all(_same_values(by_bulk[i], by_rest[i]) for i in by_rest)
        assert _posts(sandbox, "salesforce", "/jobs/query") == 2  # one job per stream


def test_bulk_salesforce_auto_counts_first_and_goes_rest_for_small_increments(
    world: Path, tmp_path: Path
) -> None:
    env = {"SALESFORCE_BULK_MIN_RECORDS": "50"}
    with running(world, clock_speed=FAST_CLOCK) as sandbox:
        first = _run(sandbox, tmp_path / "w.duckdb", "salesforce", "lead", env)
        assert _posts(sandbox, "salesforce", "/jobs/query") == 1  # 90 leads >= 50: bulk
        sandbox.reset_stats()
        second = _run(sandbox, tmp_path / "w.duckdb", "salesforce", "lead", env)
        assert _posts(sandbox, "salesforce", "/jobs/query") == 0  # a COUNT(), then REST
        assert second.records_sent <= 2 and second.cursor_after == first.cursor_after


def test_bulk_salesforce_crash_resumes_the_same_job_without_landing_twice(
    world: Path, tmp_path: Path
) -> None:
    path = tmp_path / "w.duckdb"
    with running(world, clock_speed=FAST_CLOCK) as sandbox:

        def crash_after_three_pages(result: StreamResult) -> None:
            if result.pages == 3:
                raise _Crash

        env = {**SF_BULK, "CONNECTORS_PREFETCH_PAGES": "0"}
        with pytest.raises(_Crash):
            _run(sandbox, path, "salesforce", "task", env, on_page=crash_after_three_pages)
        landed_before = len(_rows(path, "salesforce__task"))
        assert 0 < landed_before < len(expected_ids(world)["salesforce__task"])
        resumed = _run(sandbox, path, "salesforce", "task", env)
        assert _posts(sandbox, "salesforce", "/jobs/query") == 1  # the same job, resumed
        rows = _rows(path, "salesforce__task")
        ids = [i for i, _ in rows]
        assert len(ids) == len(set(ids)) == len(expected_ids(world)["salesforce__task"])
        assert resumed.records_sent == len(ids) - landed_before


def test_bulk_salesforce_failed_jobs_are_created_again(world: Path, tmp_path: Path) -> None:
    faults = FaultConfig(bulk_fail_jobs=2, sources=["salesforce"])
    with running(world, faults=faults, clock_speed=FAST_CLOCK) as sandbox:
        _run(sandbox, tmp_path / "w.duckdb", "salesforce", "lead", SF_BULK)
        assert _posts(sandbox, "salesforce", "/jobs/query") == 3
    assert (
        set(_latest(tmp_path / "w.duckdb", "salesforce__lead"))
        == expected_ids(world)["salesforce__lead"]
    )


def test_bulk_salesforce_expired_results_fail_clearly_then_resume(
    world: Path, tmp_path: Path
) -> None:
    path = tmp_path / "w.duckdb"
    expired = FaultConfig(bulk_results_expired=True, sources=["salesforce"])
    with running(world, faults=expired, clock_speed=FAST_CLOCK) as sandbox:
        with pytest.raises(VendorError, match="bulk pass gave up"):
            _run(sandbox, path, "salesforce", "lead", SF_BULK)
        sandbox.set_faults(FaultConfig())
        _run(sandbox, path, "salesforce", "lead", SF_BULK)
    assert set(_latest(path, "salesforce__lead")) == expected_ids(world)["salesforce__lead"]


@pytest.mark.parametrize("stream", ["activities", "leads"])
def test_bulk_marketo_first_load_lands_what_rest_lands(
    world: Path, tmp_path: Path, stream: str
) -> None:
    with running(world, clock_speed=FAST_CLOCK) as sandbox:
        _run(sandbox, tmp_path / "bulk.duckdb", "marketo", stream, {"MARKETO_BULK": "always"})
        assert _posts(sandbox, "marketo", "/create.json") > 0
        _run(sandbox, tmp_path / "rest.duckdb", "marketo", stream, {"MARKETO_BULK": "never"})
    by_bulk = _latest(tmp_path / "bulk.duckdb", f"marketo__{stream}")
    by_rest = _latest(tmp_path / "rest.duckdb", f"marketo__{stream}")
    assert set(by_bulk) == set(by_rest) == expected_ids(world)[f"marketo__{stream}"]

    def values(record: dict) -> dict:  # REST leaves out null keys and bulk has no `id`
        return {k: v for k, v in record.items() if v is not None and k != "id"}

    assert not [i for i in by_rest if values(by_rest[i]) != values(by_bulk[i])][:3]


def test_bulk_marketo_crash_resumes_inside_the_file_and_retries_failed_exports(
    world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(marketo_bulk, "RANGE_BYTES", 8192)  # several pages per window
    path = tmp_path / "w.duckdb"
    faults = FaultConfig(bulk_fail_jobs=1, sources=["marketo"])
    env = {**MARKETO_BULK_ONLY, "CONNECTORS_PREFETCH_PAGES": "0"}
    with running(world, faults=faults, clock_speed=FAST_CLOCK) as sandbox:

        def crash_midway(result: StreamResult) -> None:
            if result.records_sent > 600:
                raise _Crash

        with pytest.raises(_Crash):
            _run(sandbox, path, "marketo", "activities", env, on_page=crash_midway)
        before = len(_rows(path, "marketo__activities"))
        _run(sandbox, path, "marketo", "activities", env)
        ids = [i for i, _ in _rows(path, "marketo__activities")]
    assert before > 600
    assert sorted(ids) == sorted(expected_ids(world)["marketo__activities"])  # none twice


def test_bulk_marketo_pages_are_bounded_inside_a_range_and_resume_between_them(
    world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A byte range is parsed PAGE_BYTES of whole lines at a time (bounded memory whatever the
    range); each page commits its own offset, so a crash between two pages of one range
    resumes after the last committed one: nothing lost, nothing twice."""
    monkeypatch.setattr(marketo_bulk, "PAGE_BYTES", 4096)  # RANGE_BYTES stays 8 MB
    path = tmp_path / "w.duckdb"
    env = {**MARKETO_BULK_ONLY, "CONNECTORS_PREFETCH_PAGES": "0"}
    sizes: list[int] = []
    with running(world, clock_speed=FAST_CLOCK) as sandbox:

        def crash_midway(result: StreamResult) -> None:
            sizes.append(result.records_sent - sum(sizes))
            if result.records_sent > 300:
                raise _Crash

        with pytest.raises(_Crash):
            _run(sandbox, path, "marketo", "activities", env, on_page=crash_midway)
        ranges = _posts(sandbox, "marketo", "/create.json")
        first = _run(sandbox, path, "marketo", "activities", env)
        ids = [i for i, _ in _rows(path, "marketo__activities")]
    # one 4 KB page of activity lines holds a few dozen records, never a whole range
    assert max(sizes) < 100 and len([n for n in sizes if n]) > 3
    assert first.pages > 2 * ranges
    assert sorted(ids) == sorted(expected_ids(world)["marketo__activities"])  # none twice


def test_bulk_marketo_auto_goes_bulk_for_a_large_instance_only(world: Path, tmp_path: Path) -> None:
    with running(world, clock_speed=FAST_CLOCK) as sandbox:
        _run(sandbox, tmp_path / "small.duckdb", "marketo", "leads", {})
        assert _posts(sandbox, "marketo", "/create.json") == 0  # ~300 lead changes: REST
        sandbox.reset_stats()
        _run(
            sandbox, tmp_path / "large.duckdb", "marketo", "leads", {"MARKETO_BULK_MIN_LEADS": "50"}
        )
        assert _posts(sandbox, "marketo", "/create.json") > 0


def _state(path: Path, source: str, stream: str) -> dict:
    with duckdb.connect(str(path), read_only=True) as con:
        row = con.execute(
            "select state from meta.stream_state where source = ? and stream = ?",
            [source, stream],
        ).fetchall()
    return json.loads(row[0][0])


def _threads_calling(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> set[str]:
    """Names of the threads that call `module.name` from now on."""
    seen: set[str] = set()
    original = getattr(module, name)

    def spy(*args: Any) -> Any:
        seen.add(threading.current_thread().name)
        return original(*args)

    monkeypatch.setattr(module, name, spy)
    return seen


def test_bulk_salesforce_result_sets_are_parsed_by_the_consumer_and_counted_in_order(
    world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsers = _threads_calling(monkeypatch, salesforce_bulk, "record_of")
    path = tmp_path / "w.duckdb"
    with running(world, clock_speed=FAST_CLOCK) as sandbox:
        result = _run(sandbox, path, "salesforce", "task", SF_BULK)  # read-ahead on (default 2)
    assert parsers == {threading.current_thread().name}  # never a prefetch-* thread
    expected = expected_ids(world)["salesforce__task"]
    assert result.pages > 3
    assert sorted(i for i, _ in _rows(path, "salesforce__task")) == sorted(expected)
    state = _state(path, "salesforce", "task")
    assert state.get("bulk") is None and state.get("last_pass_records") == len(expected)


def test_bulk_marketo_pages_are_parsed_by_the_consumer_and_resume_with_read_ahead(
    world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash while pages wait unparsed in the read-ahead loses none and lands none twice:
    the committed state is that of the last page parsed and landed, not of the last fetched."""
    monkeypatch.setattr(marketo_bulk, "PAGE_BYTES", 4096)
    parsers = _threads_calling(monkeypatch, marketo_bulk, "activity_of")
    path = tmp_path / "w.duckdb"
    env = {**MARKETO_BULK_ONLY, "CONNECTORS_PREFETCH_PAGES": "2"}
    with running(world, clock_speed=FAST_CLOCK) as sandbox:

        def crash_midway(result: StreamResult) -> None:
            if result.records_sent > 300:
                raise _Crash

        with pytest.raises(_Crash):
            _run(sandbox, path, "marketo", "activities", env, on_page=crash_midway)
        landed = len(_rows(path, "marketo__activities"))
        midway = _state(path, "marketo", "activities")["bulk"]
        _run(sandbox, path, "marketo", "activities", env)
    assert parsers == {threading.current_thread().name}
    assert landed > 300 and midway["records"] == landed  # counted up to the landed page
    expected = expected_ids(world)["marketo__activities"]
    ids = [i for i, _ in _rows(path, "marketo__activities")]
    assert sorted(ids) == sorted(expected)  # none twice
    state = _state(path, "marketo", "activities")
    assert state.get("bulk") is None and state.get("last_pass_records") == len(expected)


CSV_PIECES = [
    "a",
    "b,c",
    '"x\ny"',
    '"q\r\nr"',
    "\r\n",
    "\n",
    "\r",
    "\x0c",
    "\x85",
    "\u2028",
    "é",
    '""',
    ",",
    '"',
]


@given(st.lists(st.sampled_from(CSV_PIECES), max_size=30))
def test_bulk_csv_lines_split_as_stringio_did(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert list(lines_of(text)) == list(io.StringIO(text, newline=""))
    try:
        expected: Any = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        expected = type(exc)
    try:
        got: Any = list(csv.reader(lines_of(text)))
    except csv.Error as exc:
        got = type(exc)
    assert got == expected


def test_bulk_csv_dict_rows_keep_quoted_line_breaks_and_ragged_rows() -> None:
    text = 'Id,Name,Note\r\n1,"two\nlines",x\r\n2,short\r\n3,a,b,extra\r\n'
    rows = list(dict_rows(text))
    assert rows[0] == {"Id": "1", "Name": "two\nlines", "Note": "x"}
    assert rows[1] == {"Id": "2", "Name": "short", "Note": None}  # never dropped
    assert rows[2][None] == ["extra"]  # kept, never dropped


def test_bulk_marketo_unused_activity_types_do_not_hold_the_cursor_at_the_start(
    world: Path, tmp_path: Path
) -> None:
    """A real instance lists activity types nobody uses. A group of them (10 ids a call)
    lists nothing; their cursors still move to the run's start, so the stream's cursor is set:
    the next run reads only what is new, and auto does not take it for a first load (bulk)."""
    copy = tmp_path / "world"
    shutil.copytree(world, copy)
    types_file = copy / "marketo" / "activity_types.json"
    types = json.loads(types_file.read_text(encoding="utf-8"))
    unused = [{**types[0], "id": 1000 + i, "name": f"Unused {i}"} for i in range(12)]
    types_file.write_text(json.dumps(types + unused), encoding="utf-8")
    path = tmp_path / "w.duckdb"
    with running(copy, clock_speed=FAST_CLOCK) as sandbox:
        first = _run(sandbox, path, "marketo", "activities", {"MARKETO_BULK": "never"})
        second = _run(sandbox, path, "marketo", "activities", {"MARKETO_BULK": "never"})
    assert first.cursor_after is not None and second.cursor_before == first.cursor_after
    assert 0 < second.loaded < first.loaded / 10


def test_bulk_marketo_a_stopped_pass_cancels_the_export_queued_ahead(
    world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that stops inside a window (here its page budget) cancels the next window's
    export it had queued: left queued, Marketo would process it and spend the day's export
    volume that the next run's count cannot see. The next run lands the rest, each once."""
    monkeypatch.setattr(marketo_bulk, "RANGE_BYTES", 4096)  # a budget page is a byte range
    path = tmp_path / "w.duckdb"
    env = {**MARKETO_BULK_ONLY, "CONNECTORS_MAX_PAGES_PER_STREAM": "12"}
    with running(world, clock_speed=FAST_CLOCK) as sandbox:
        stopped = _run(sandbox, path, "marketo", "activities", env)
        jobs = sandbox.fakes["marketo"].bulk.jobs.values()
        committed = _state(path, "marketo", "activities")["bulk"]["job_id"]
        cancelled = [j for j in jobs if j.status == "Cancelled"]
        open_jobs = [j.id for j in jobs if j.status in ("Created", "Queued", "Processing")]
        _run(sandbox, path, "marketo", "activities", MARKETO_BULK_ONLY)
    assert "pages" in (stopped.stopped_early or "")
    assert len(cancelled) == 1 and open_jobs in ([], [committed])
    ids = [i for i, _ in _rows(path, "marketo__activities")]
    assert sorted(ids) == sorted(expected_ids(world)["marketo__activities"])


def test_bulk_marketo_waits_for_a_place_in_an_export_queue_others_filled(
    world: Path, tmp_path: Path
) -> None:
    """Marketo queues ten exports per subscription, every integration's. With the queue full
    (error 1029 on enqueue), the pass waits for a place instead of failing the stream, and
    queues nothing ahead while none is free."""
    with running(world, clock_speed=FAST_CLOCK) as sandbox:
        exports = sandbox.fakes["marketo"].bulk
        now = sandbox.fakes["marketo"].clock.now()
        for n in range(marketo_fake_bulk.MAX_QUEUED):  # another integration's exports
            other = marketo_fake_bulk.ExportJob(
                id=f"other-{n}", kind="leads", fields=["id"], start=now, end=now,
                by="createdAt", type_ids=None, created=now, status="Queued", queued=now,
            )  # fmt: skip
            exports.jobs[other.id] = other
        path = tmp_path / "w.duckdb"
        env = {**MARKETO_BULK_ONLY, "CONNECTORS_BULK_POLL_MAX_SECONDS": "0.5"}
        result = _run(sandbox, path, "marketo", "activities", env)
        enqueues = _posts(sandbox, "marketo", "/enqueue.json")
        ours = [j for j in exports.jobs.values() if not j.id.startswith("other-")]
    assert result.stopped_early is None
    queued = [j for j in ours if j.queued is not None]
    assert enqueues > len(queued)  # refused while the queue was full, then taken
    assert all(j.status in ("Completed", "Cancelled", "Created") for j in ours)
    ids = [i for i, _ in _rows(path, "marketo__activities")]
    assert sorted(ids) == sorted(expected_ids(world)["marketo__activities"])


@pytest.mark.parametrize("moment", ["waiting", "reading"])
def test_bulk_marketo_a_killed_run_leaves_no_export_queued_ahead_unread(
    moment: str, world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run killed inside a window (while Marketo processes its export, or while its file
    is read) cannot cancel the next window's export it had queued. The export is in the
    stream state, so the next run reads it (Marketo processed it and charged its file to the
    day: it is counted and used) instead of exporting the window again and leaving the first
    one unseen."""
    monkeypatch.setattr(marketo_bulk, "RANGE_BYTES", 4096)  # several pages per window
    path = tmp_path / "w.duckdb"
    env = {**MARKETO_BULK_ONLY, "CONNECTORS_PREFETCH_PAGES": "0"}
    with running(world, clock_speed=FAST_CLOCK) as sandbox:
        exports = sandbox.fakes["marketo"].bulk
        waits = 0
        wait = marketo_bulk.MarketoBulk._wait

        def killed_waiting(self: Any, kind: str, export_id: str) -> int:
            nonlocal waits
            waits += 1
            if waits == 3:  # the third window's export, the fourth's queued ahead
                raise _Crash
            return wait(self, kind, export_id)

        def killed_reading(result: StreamResult) -> None:
            if result.records_sent > 300:
                raise _Crash

        with monkeypatch.context() as killed:  # a killed process runs no clean-up
            killed.setattr(marketo_bulk.MarketoBulk, "_cancel", lambda *_: None)
            if moment == "waiting":
                killed.setattr(marketo_bulk.MarketoBulk, "_wait", killed_waiting)
            with pytest.raises(_Crash):
                reading = killed_reading if moment == "reading" else None
                _run(sandbox, path, "marketo", "activities", env, on_page=reading)
        ahead = _state(path, "marketo", "activities")["bulk"]["ahead_job_id"]
        _run(sandbox, path, "marketo", "activities", env)
        jobs = list(exports.jobs.values())
    assert ahead is not None and exports.jobs[ahead].served > 0  # read by the next run
    unread = [(j.id, j.status) for j in jobs if j.status != "Cancelled" and not j.served]
    assert unread == []
    windows = [(j.start, j.end) for j in jobs]
    assert len(windows) == len(set(windows))  # no window exported twice
    ids = [i for i, _ in _rows(path, "marketo__activities")]
    assert sorted(ids) == sorted(expected_ids(world)["marketo__activities"])  # none twice
