"""Sources extracted side by side (extract_sources) and pages read ahead (prefetch): the same
data as one source and one page at a time, a failing source leaves the others landed, and an
error in a reader reaches the caller after the pages read before it."""

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from connectors.core.prefetch import Prefetched, prefetched
from connectors.landing.duckdb import DuckDBDestination
from connectors.registry import STREAMS
from connectors.run import close_readers, extract_sources

from .sandbox_support import latest_versions, make_world, present_salesforce_streams
from .test_sandbox_integration import FAST, extract_all

serve = pytest.importorskip("sandbox.serve")


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    return make_world(tmp_path_factory.mktemp("world") / "data", leads=200, seed=11)


@pytest.fixture(autouse=True)
def _fresh_readers():
    close_readers()
    yield
    close_readers()


def _plan(world: Path) -> dict[str, list[str] | None]:
    return {
        source: present_salesforce_streams(world) if source == "salesforce" else None
        for source in STREAMS
    }


def test_side_by_side_lands_exactly_what_one_at_a_time_lands(world, tmp_path) -> None:
    with serve.running(world) as sb:
        env = {**sb.env, **FAST}
        extract_all(world, DuckDBDestination(tmp_path / "sequential.duckdb"), env, "seq")
        close_readers()
        # No read-ahead here, then the default read-ahead: both equal the sequential run.
        for name, extra in (("no_prefetch", {"CONNECTORS_PREFETCH_PAGES": "0"}), ("side", {})):
            close_readers()
            outcomes = extract_sources(
                _plan(world),
                destination=DuckDBDestination(tmp_path / f"{name}.duckdb"),
                run_id=name,
                env={**env, **extra},
            )
            assert [o.source for o in outcomes] == list(STREAMS)
            assert all(o.error is None for o in outcomes)
            for outcome in outcomes:
                for r in outcome.results:
                    assert r.loaded + r.quarantined == r.records_sent
    expected = latest_versions(tmp_path / "sequential.duckdb")
    assert sum(len(ids) for ids in expected.values()) > 1000
    assert latest_versions(tmp_path / "no_prefetch.duckdb") == expected
    assert latest_versions(tmp_path / "side.duckdb") == expected


def test_a_failing_source_does_not_stop_the_others(world, tmp_path) -> None:
    with serve.running(world) as sb:
        env = {**sb.env, **FAST, "GONG_ACCESS_KEY_SECRET": "wrong"}
        path = tmp_path / "w.duckdb"
        dest = DuckDBDestination(path)
        outcomes = extract_sources(_plan(world), destination=dest, run_id="r", env=env)
    by_source = {o.source: o for o in outcomes}
    assert by_source["gong"].error is not None
    assert "GONG_ACCESS_KEY" in str(by_source["gong"].error)
    for source in ("salesforce", "marketo"):
        assert by_source[source].error is None
        assert sum(r.loaded for r in by_source[source].results) > 0
    landed = latest_versions(path)
    assert not any(table.startswith("gong__") and ids for table, ids in landed.items())
    assert landed["marketo__leads"]


def _numbers(n: int, fail_at: int | None = None, delay: float = 0.0) -> Iterator[int]:
    for i in range(n):
        if i == fail_at:
            raise RuntimeError(f"vendor broke at {i}")
        time.sleep(delay)
        yield i


def test_prefetch_keeps_order_and_bounds_the_read_ahead() -> None:
    produced: list[int] = []

    def source() -> Iterator[int]:
        for i in range(50):
            produced.append(i)
            yield i

    seen = []
    for item in prefetched(source(), depth=2):
        seen.append(item)
        time.sleep(0.002)
        # queue of 2, plus one item the producer holds while the queue is full
        assert len(produced) - len(seen) <= 3
    assert seen == list(range(50))


def test_prefetch_error_arrives_after_the_items_before_it() -> None:
    seen = []
    with pytest.raises(RuntimeError, match="vendor broke at 7"):
        for item in prefetched(_numbers(20, fail_at=7)):
            seen.append(item)
    assert seen == list(range(7))


def test_prefetch_stops_and_closes_the_source_when_the_consumer_leaves() -> None:
    closed = threading.Event()

    def source() -> Iterator[int]:
        try:
            yield from _numbers(10_000, delay=0.001)
        finally:
            closed.set()

    reader = Prefetched(source(), depth=2)
    for item in reader:
        if item == 5:
            break
    assert closed.wait(5)  # the generator was closed by its own thread, not left running
    assert not reader._thread.is_alive()
