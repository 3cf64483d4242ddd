"""Which Python allocations are live at the heap's peak: `connector_speed --heap-peak`.

`--memory-parts` says how much of the RSS is Python's small objects; this says whose. It
traces allocations with `tracemalloc` (Python's heap only: DuckDB's and Arrow's native
memory are not traced) and, every `interval` seconds, takes a snapshot when the traced size
is above the highest one snapshotted so far by `margin` bytes, keeping only that one. At
the end it prints the top allocation sites (grouped by a few frames) of the snapshot at the
peak. Tracing made a 100k extraction 7x slower, so its seconds are not the extraction's.
"""

import tracemalloc
from typing import Any, Self

from bench.measure import Sampler

_MB = 2**20


class HeapPeak(Sampler):
    def __init__(self, interval: float = 2.0, frames: int = 6, margin: int = 4 * _MB) -> None:
        super().__init__(interval, name="heap-peak")
        self.frames = frames
        self.margin = margin
        self.peak_bytes = 0
        self.snapshot: tracemalloc.Snapshot | None = None

    def __enter__(self) -> Self:
        tracemalloc.start(self.frames)
        return super().__enter__()

    def __exit__(self, *exc: object) -> None:
        super().__exit__(*exc)
        tracemalloc.stop()

    def tick(self) -> None:
        current, _ = tracemalloc.get_traced_memory()
        if current > self.peak_bytes + self.margin or self.snapshot is None:
            # The snapshot's own memory is not traced (tracemalloc ignores itself).
            self.snapshot = tracemalloc.take_snapshot()
            self.peak_bytes = current

    def top(self, limit: int = 25, group_by: str = "traceback") -> list[dict[str, Any]]:
        """The largest allocation sites of the peak's snapshot (tracemalloc's own left out)."""
        if self.snapshot is None:
            return []
        snapshot = self.snapshot.filter_traces((tracemalloc.Filter(False, tracemalloc.__file__),))
        stats = snapshot.statistics(group_by)
        return [
            {
                "mb": round(stat.size / _MB, 1),
                "blocks": stat.count,
                "where": [_frame(f) for f in stat.traceback],
            }
            for stat in stats[:limit]
        ]


def _frame(frame: tracemalloc.Frame) -> str:
    return f"{frame.filename.split('site-packages/')[-1]}:{frame.lineno}"


def describe(peak: HeapPeak, limit: int = 25) -> str:
    lines = [f"traced Python heap at its sampled peak: {peak.peak_bytes / _MB:,.0f} MB"]
    for site in peak.top(limit):
        where = " < ".join(reversed(site["where"][-4:]))  # the innermost frame first
        lines.append(f"{site['mb']:8.1f} MB {site['blocks']:9,d} blocks  {where}")
    return "\n".join(lines)
