"""Progress of a running extraction, as lines an operator reads in the Dagster run log.

The connectors call `on_page` after every page (from one thread per source); a reporter
thread turns the latest counts into one line per source every few seconds, so a long first
load shows what it is doing while it runs instead of only when the step ends. Dagster-free:
the step passes `context.log.info` as `emit`.
"""

import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from connectors.run import StreamResult


@dataclass(frozen=True)
class _Snapshot:
    stream: str
    records: int
    pages: int
    seconds: float
    at: float  # clock time of the page


class ExtractionProgress:
    """The newest page counts of each source's current stream; safe to feed from any thread."""

    def __init__(
        self, plan: Mapping[str, Sequence[str]], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._plan = {source: list(streams) for source, streams in plan.items()}
        self._clock = clock
        self._started = clock()
        self._lock = threading.Lock()
        self._current: dict[str, _Snapshot] = {}
        self._finished: list[tuple[str, _Snapshot]] = []  # not reported yet

    def on_page(self, result: StreamResult) -> None:
        snapshot = _Snapshot(
            result.stream, result.records_sent, result.pages, result.seconds, self._clock()
        )
        with self._lock:
            previous = self._current.get(result.source)
            if previous is not None and previous.stream != snapshot.stream:
                # A source extracts its streams in turn: a new stream means the last one ended.
                self._finished.append((result.source, previous))
            self._current[result.source] = snapshot

    def lines(self) -> list[str]:
        """Streams finished since the last call, then one line per source: its current
        stream's records, pages and rate, or what it is waiting for."""
        now = self._clock()
        with self._lock:
            current = dict(self._current)
            finished, self._finished = self._finished, []
        done = [f"{self._counts(source, s)} (done)" for source, s in finished]
        return done + [self._line(source, current.get(source), now) for source in self._plan]

    def _counts(self, source: str, snapshot: _Snapshot) -> str:
        streams = self._plan[source]
        position = streams.index(snapshot.stream) + 1 if snapshot.stream in streams else "?"
        rate = snapshot.records / snapshot.seconds if snapshot.seconds > 0 else 0.0
        pages = f"{snapshot.pages:,} page" + ("" if snapshot.pages == 1 else "s")
        return (
            f"{source}.{snapshot.stream}: {snapshot.records:,} records, {pages}, "
            f"{rate:,.0f} records/s, stream {position} of {len(streams)}"
        )

    def _line(self, source: str, snapshot: _Snapshot | None, now: float) -> str:
        if snapshot is None:
            return f"{source}: waiting for its first page ({now - self._started:.0f} s)"
        quiet = now - snapshot.at
        return self._counts(source, snapshot) + (
            f", last page {quiet:.0f} s ago" if quiet >= 1.0 else ""
        )


@contextmanager
def reporting(
    progress: ExtractionProgress, emit: Callable[[str], None], every: float
) -> Iterator[ExtractionProgress]:
    """Call `emit` with each progress line every `every` seconds while the block runs.

    The reporter is a daemon thread stopped on the way out, so an interrupted or failed
    extraction never waits for it.
    """
    stop = threading.Event()

    def report() -> None:
        while not stop.wait(every):
            for line in progress.lines():
                emit(line)

    thread = threading.Thread(target=report, name="extract-progress", daemon=True)
    thread.start()
    try:
        yield progress
    finally:
        stop.set()
        thread.join(timeout=every)
