"""Daily quotas: the connectors count what they spend per vendor day, stop cleanly with the
cursor committed before the reserve left for other integrations, never meet the vendor's
daily-limit error, say when they resume, and the next day goes on to complete data."""

from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from connectors.core.timeutil import parse_datetime
from connectors.landing.duckdb import DuckDBDestination
from connectors.run import StreamResult, close_readers, extract_source, extract_stream

from .sandbox_support import _jsonl, expected_ids, latest_versions, make_world
from .test_bulk import ENV, FAST_CLOCK, MARKETO_BULK_ONLY, _posts, _rows

pytest.importorskip("sandbox.serve")
from sandbox.fakes import marketo_bulk as marketo_fake_bulk
from sandbox.serve import Sandbox, running


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_world(tmp_path_factory.mktemp("quota_world"), leads=200, seed=7)


@pytest.fixture(autouse=True)
def _fresh_readers():
    close_readers()
    yield
    close_readers()


def _usage(path: Path, vendor: str) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        row = con.execute("select sum(calls) from meta.api_usage where vendor = ?", [vendor])
        return int(row.fetchone()[0] or 0)
    finally:
        con.close()


def _new_day(path: Path) -> None:
    """What the vendor's midnight does to the count (tests cannot wait for it)."""
    con = duckdb.connect(str(path))
    con.execute("delete from meta.api_usage")
    con.close()


def _activities_day(sandbox: Sandbox, path: Path, env: dict[str, str], day: int) -> StreamResult:
    close_readers()
    return extract_stream(
        "marketo", "activities", destination=DuckDBDestination(path), run_id=f"day-{day}",
        env={**sandbox.env, **env},
    )  # fmt: skip


def _until_done(
    sandbox: Sandbox, path: Path, env: dict[str, str], first: int = 1
) -> list[StreamResult]:
    """Runs of Marketo's activities, one a vendor day from day `first` (the day's counts, ours
    and the fake's, cleared between them), until one ends without a stop."""
    results: list[StreamResult] = []
    for day in range(first, first + 40):
        results.append(_activities_day(sandbox, path, env, day))
        if not results[-1].stopped_early:
            return results
        _new_day(path)
        sandbox.fakes["marketo"].bulk.exported_today = 0  # the vendor's midnight
    raise AssertionError(f"not done after {len(results)} vendor days")


def test_quota_marketo_stops_before_the_reserve_never_meets_607_and_resumes(
    world: Path, tmp_path: Path
) -> None:
    path = tmp_path / "w.duckdb"
    env = {**ENV, "MARKETO_DAILY_CALLS": "20", "CONNECTORS_QUOTA_RESERVE_SHARE": "0.25",
           "MARKETO_BULK": "never"}  # fmt: skip
    with running(
        world, enforce_limits=True, clock_speed=FAST_CLOCK, daily_quotas={"marketo": 20}
    ) as sandbox:
        dest = DuckDBDestination(path)
        results = extract_source(
            "marketo", destination=dest, run_id="day-1", env={**sandbox.env, **env}
        )
        stopped = [r for r in results if r.stopped_early]
        assert stopped, [r.records_sent for r in results]
        message = stopped[0].stopped_early or ""
        assert "15 of 20 calls" in message and "CONNECTORS_QUOTA_RESERVE_SHARE" in message
        assert "the next run after" in message
        fake = sandbox.fakes["marketo"]
        # 20 minus the 25 % reserve, token requests counted too (Marketo does not): no 607
        assert fake.calls_today <= 15
        assert _usage(path, "marketo") == 15
        seen = fake.calls_today
        # A second run the same day starts from the recorded spend and stops at once.
        close_readers()
        again = extract_source(
            "marketo", destination=dest, run_id="day-1b", env={**sandbox.env, **env}
        )
        assert fake.calls_today == seen and all(r.records_sent == 0 for r in again)
        # The next day goes on from the committed cursors until everything is in.
        for day in range(2, 40):
            _new_day(path)
            fake.calls_today = 0
            close_readers()
            done = extract_source(
                "marketo", destination=dest, run_id=f"day-{day}", env={**sandbox.env, **env}
            )
            if not any(r.stopped_early for r in done):
                break
        assert fake.status_counts.get("200", 0) > 0
    landed = latest_versions(path)
    for stream in ("activities", "leads", "deleted_leads"):
        assert set(landed[f"marketo__{stream}"]) == expected_ids(world)[f"marketo__{stream}"]


def test_quota_salesforce_reads_the_org_usage_and_keeps_the_reserve(
    world: Path, tmp_path: Path
) -> None:
    env = {**ENV, "CONNECTORS_QUOTA_RESERVE_SHARE": "0.5", "SALESFORCE_BULK": "never"}
    with running(
        world, enforce_limits=True, clock_speed=FAST_CLOCK, daily_quotas={"salesforce": 12}
    ) as sandbox:
        results = extract_source(
            "salesforce", destination=DuckDBDestination(tmp_path / "w.duckdb"), run_id="r",
            env={**sandbox.env, **env},
        )  # fmt: skip
        stopped = [r for r in results if r.stopped_early]
        assert stopped and "API requests of the last 24 h" in (stopped[0].stopped_early or "")
        assert sandbox.stats("salesforce")["status"].get("403", 0) == 0  # no REQUEST_LIMIT
        assert sandbox.fakes["salesforce"].calls_today <= 7  # half of 12, plus the last answer


def test_quota_gong_counts_its_calls(world: Path, tmp_path: Path) -> None:
    env = {**ENV, "GONG_DAILY_CALLS": "3", "CONNECTORS_QUOTA_RESERVE_SHARE": "0"}
    with running(world, enforce_limits=True, clock_speed=FAST_CLOCK) as sandbox:
        result: StreamResult = extract_stream(
            "gong", "calls", destination=DuckDBDestination(tmp_path / "w.duckdb"), run_id="r",
            env={**sandbox.env, **env},
        )  # fmt: skip
        assert result.stopped_early and sandbox.fakes["gong"].calls_today == 3
        assert _posts(sandbox, "gong", "/extensive") == 3


def test_quota_marketo_export_volume_stops_a_bulk_pass_between_windows(
    world: Path, tmp_path: Path
) -> None:
    path = tmp_path / "w.duckdb"
    env = {**ENV, "MARKETO_BULK": "always", "MARKETO_DAILY_EXPORT_MB": "1",
           "CONNECTORS_QUOTA_RESERVE_SHARE": "0.85"}  # fmt: skip
    with running(world, clock_speed=FAST_CLOCK) as sandbox:
        days = _until_done(sandbox, path, env)
    assert all("bulk export volume" in (r.stopped_early or "") for r in days[:-1])
    assert len(days) > 1  # the allowance cut the pass, and the next day went on
    landed = latest_versions(path)["marketo__activities"]
    assert set(landed) == expected_ids(world)["marketo__activities"]


def test_quota_marketo_export_allowance_goes_to_the_leads_first(
    world: Path, tmp_path: Path
) -> None:
    """A first load whose export files pass the day's allowance: every lead lands on day one
    (leads are a tenth of the volume and the funnel's base), the activities stop between
    windows naming the allowance and go on the next day."""
    path = tmp_path / "w.duckdb"
    # 1 MB less a 90 % reserve: ~100 KB a day, where this world's leads export is ~34 KB and
    # its activities ~400 KB.
    env = {**ENV, "MARKETO_BULK": "always", "MARKETO_DAILY_EXPORT_MB": "1",
           "CONNECTORS_QUOTA_RESERVE_SHARE": "0.9"}  # fmt: skip
    with running(world, clock_speed=FAST_CLOCK) as sandbox:
        day_one = extract_source(
            "marketo", destination=DuckDBDestination(path), run_id="day-1",
            env={**sandbox.env, **env},
        )  # fmt: skip
        results = {r.stream: r for r in day_one}
        assert not results["leads"].stopped_early
        assert "bulk export volume" in (results["activities"].stopped_early or "")
        landed = latest_versions(path)
        assert set(landed["marketo__leads"]) == expected_ids(world)["marketo__leads"]
        assert set(landed["marketo__activities"]) < expected_ids(world)["marketo__activities"]


def _served_activities(world: Path) -> list[dict]:
    served = _jsonl(world / "marketo" / "activities.jsonl")
    return served + _jsonl(world / "marketo" / "deleted_leads.jsonl")


def _landings(path: Path) -> dict[str, int]:
    """marketoGUID -> how many rows of raw.marketo__activities hold it."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute("select id, count(*) from raw.marketo__activities group by id")
        return dict(rows.fetchall())
    finally:
        con.close()


def test_quota_bulk_marketo_priority_activity_types_are_whole_on_day_one(
    world: Path, tmp_path: Path
) -> None:
    """A first load whose activity exports pass the day's allowance: the priority types (the
    MQL's) are read over REST and whole on day one, the exports leave them out, the other
    types' windows go on day after day, each activity lands once, and once the pass is done
    every type goes on by REST increments from its own cursor."""
    path = tmp_path / "w.duckdb"
    priority = {12, 13}
    env = {**ENV, "MARKETO_BULK_MIN_LEADS": "1", "MARKETO_DAILY_EXPORT_MB": "1",
           "CONNECTORS_QUOTA_RESERVE_SHARE": "0.9",
           "MARKETO_PRIORITY_ACTIVITY_TYPES": " 13, 12 ,13"}  # fmt: skip
    served = _served_activities(world)
    types = {str(a["marketoGUID"]): int(a["activityTypeId"]) for a in served}
    wanted = {guid for guid, kind in types.items() if kind in priority}
    assert wanted and len(wanted) < len(types)

    with running(world, clock_speed=FAST_CLOCK) as sandbox:
        first = _activities_day(sandbox, path, env, 1)
        assert "bulk export volume" in (first.stopped_early or "")
        landed = set(latest_versions(path)["marketo__activities"])
        assert wanted <= landed < set(types)
        jobs = list(sandbox.fakes["marketo"].bulk.jobs.values())
        assert jobs and all(j.type_ids and not j.type_ids & priority for j in jobs)
        _new_day(path)
        days = 1 + len(_until_done(sandbox, path, env, first=2))
        assert set(latest_versions(path)["marketo__activities"]) == set(types)
        # The exports land each activity once; a REST increment re-reads the activities at
        # its cursor (>=, staging keeps one), at most a few a day.
        again = {g: n - 1 for g, n in _landings(path).items() if n > 1}
        assert set(again) <= wanted and sum(again.values()) <= 2 * days
        exports = len(sandbox.fakes["marketo"].bulk.jobs)
        after = _activities_day(sandbox, path, env, days + 1)
        since = parse_datetime(after.cursor_before)
        later = [a for a in served if parse_datetime(a["activityDate"]) >= since]
        assert after.stopped_early is None and after.loaded == len(later) < len(types) / 10
        assert len(sandbox.fakes["marketo"].bulk.jobs) == exports  # REST increments only


def test_quota_bulk_marketo_exports_in_flight_never_pass_the_vendors_daily_volume(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The size of an export is known only when it completes, and the next window's is queued
    while this one's runs: both count against the day at the size of the largest file seen,
    so the vendor's own limit ("Export daily quota exceeded") is never met, and every
    activity lands over the days."""
    world = make_world(tmp_path_factory.mktemp("export_world"), leads=2000, seed=7)
    monkeypatch.setattr(marketo_fake_bulk, "DAILY_EXPORT_BYTES", 2**20)  # the vendor's 1 MB
    path = tmp_path / "w.duckdb"
    env = {**ENV, "MARKETO_BULK": "always", "MARKETO_DAILY_EXPORT_MB": "1",
           "CONNECTORS_QUOTA_RESERVE_SHARE": "0.05",
           "MARKETO_PRIORITY_ACTIVITY_TYPES": "none"}  # fmt: skip
    with running(world, clock_speed=FAST_CLOCK, enforce_limits=True) as sandbox:
        days = _until_done(sandbox, path, env)
        assert not [j.error for j in sandbox.fakes["marketo"].bulk.jobs.values() if j.error]
    assert len(days) > 2
    landed = latest_versions(path)["marketo__activities"]
    assert set(landed) == expected_ids(world)["marketo__activities"]


def test_quota_bulk_marketo_windows_shrink_to_the_daily_export_volume(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows are sized from the pass's bytes per second of window to a share of the day's
    export allowance; an export the vendor refuses for the day's volume (here: the customer's
    other integrations spent it) stops the day cleanly with its window halved, instead of
    failing the stream; every activity lands once."""
    world = make_world(tmp_path_factory.mktemp("dense_world"), leads=1000, seed=7)
    allowance = 0.25  # MB a day; this world's activities export ~1.6 MB over 18 months
    vendor_limit = int(allowance * 2**20)
    monkeypatch.setattr(marketo_fake_bulk, "DAILY_EXPORT_BYTES", vendor_limit)
    path = tmp_path / "w.duckdb"
    env = {**ENV, "MARKETO_BULK": "always", "MARKETO_DAILY_EXPORT_MB": str(allowance),
           "CONNECTORS_QUOTA_RESERVE_SHARE": "0.05",
           "MARKETO_PRIORITY_ACTIVITY_TYPES": "none"}  # fmt: skip
    with running(world, clock_speed=FAST_CLOCK, enforce_limits=True) as sandbox:
        exports = sandbox.fakes["marketo"].bulk
        exports.exported_today = vendor_limit - 4096  # day one: another integration's exports
        stops = [r.stopped_early or "" for r in _until_done(sandbox, path, env)[:-1]]
        jobs = sorted(exports.jobs.values(), key=lambda j: j.created)
    assert "refused" in stops[0] and "Export daily quota exceeded" in (jobs[0].error or "")
    assert jobs[1].start == jobs[0].start and jobs[1].end - jobs[1].start == timedelta(days=15.5)
    assert [j for j in jobs if j.error] == [jobs[0]]
    # a quarter of the day's allowance a window, from the densest month seen (x1.25 margin)
    assert any(j.end - j.start < timedelta(days=10) for j in jobs)
    assert max(len(j.file or b"") for j in jobs) < vendor_limit * 0.95 / 2
    assert len(stops) > 3
    landed = sorted(i for i, _ in _rows(path, "marketo__activities"))
    assert landed == sorted(expected_ids(world)["marketo__activities"])  # each once


def test_quota_bulk_marketo_a_day_spent_by_others_stops_at_enqueue_and_keeps_the_window(
    world: Path, tmp_path: Path
) -> None:
    """The customer's other integrations spent the day's export volume: Marketo answers the
    enqueue with error 1029 "Export daily quota exceeded". The run stops cleanly (no stream
    failure), the window is not halved (its file was not what passed the volume), and the
    next vendor day reads everything once."""
    path = tmp_path / "w.duckdb"
    env = {**ENV, **MARKETO_BULK_ONLY}
    with running(world, clock_speed=FAST_CLOCK, enforce_limits=True) as sandbox:
        exports = sandbox.fakes["marketo"].bulk
        exports.exported_today = marketo_fake_bulk.DAILY_EXPORT_BYTES  # spent by others
        first = _activities_day(sandbox, path, env, 1)
        refused = sorted(exports.jobs.values(), key=lambda j: j.created)
        _new_day(path)
        exports.exported_today = 0  # the vendor's midnight
        rest = _until_done(sandbox, path, env, first=2)
        jobs = sorted(exports.jobs.values(), key=lambda j: j.created)
    assert "refused" in (first.stopped_early or "")  # a stream failure would have raised
    assert "halved" not in (first.stopped_early or "")
    assert [j.status for j in refused] == ["Created"]  # never queued, nothing exported
    assert jobs[len(refused)].start == refused[0].start
    assert jobs[len(refused)].end == refused[0].end  # the same window on the next day
    assert len(rest) == 1  # one export a day's allowance holds at this scale
    landed = sorted(i for i, _ in _rows(path, "marketo__activities"))
    assert landed == sorted(expected_ids(world)["marketo__activities"])  # each once
