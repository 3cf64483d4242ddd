"""What this process's RSS is made of, sampled: `python -m bench.connector_speed --memory-parts`.

RSS alone says how much, not whose. Every `interval` seconds this records the process's RSS
split the way the kernel and the allocators see it, and keeps the sample at the highest RSS:

- `anonymous_mb` / `file_mb`: the process's own memory vs mapped libraries (smaps_rollup);
- `malloc_in_use_mb`, `malloc_free_mb`: glibc's heap (every arena), in use and freed but kept;
- `malloc_mmapped_mb`: blocks above the mmap threshold (page bodies, CSV ranges, Arrow
  buffers in flight: connectors/core/malloc.py sets the threshold to 64 KiB);
- `arrow_mb`: bytes Arrow's default pool holds (inside glibc's figures when that pool is
  the system allocator, as connectors/core/malloc.py sets it);
- `other_anonymous_mb`: the rest of the anonymous memory: Python's small-object arenas
  (obmalloc mmaps its own), thread stacks, and what DuckDB allocates outside glibc's heap.

glibc's `mallinfo2` and `/proc/self/smaps_rollup` are Linux-only; elsewhere those parts read
None. The sampler runs in a daemon thread, so it adds a thread, not a process.
"""

import ctypes
import ctypes.util
import threading
from pathlib import Path
from typing import Any

import psutil

from bench.measure import Sampler

_MB = 2**20
_SMAPS = Path("/proc/self/smaps_rollup")


class _MallInfo2(ctypes.Structure):
    # glibc's struct mallinfo2 (malloc.h), every field a size_t
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def _mallinfo2() -> Any:
    name = ctypes.util.find_library("c")
    try:
        function = ctypes.CDLL(name).mallinfo2 if name else None
    except (OSError, AttributeError):  # not glibc, or glibc < 2.33
        return None
    if function is not None:
        function.restype = _MallInfo2
    return function


def _smaps_mb() -> dict[str, int]:
    parts: dict[str, int] = {}
    try:
        for line in _SMAPS.read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("Anonymous", "Pss_File"):
                parts[key] = int(rest.split()[0]) // 1024
    except OSError:
        pass
    return parts


class MemoryParts(Sampler):
    """Samples this process's memory composition; `peak` is the first sample at the highest RSS."""

    def __init__(self, interval: float = 0.25) -> None:
        super().__init__(interval, name="memory-parts")
        self.peak: dict[str, float | None] = {}
        self.samples = 0
        self._mallinfo = _mallinfo2()

    def sample(self) -> dict[str, float | None]:
        rss = psutil.Process().memory_info().rss // _MB
        smaps = _smaps_mb()
        arrow, arrow_outside_glibc = _arrow_mb()
        parts: dict[str, float | None] = {
            "rss_mb": rss,
            "anonymous_mb": smaps.get("Anonymous"),
            "file_mb": smaps.get("Pss_File"),
            "malloc_in_use_mb": None,
            "malloc_free_mb": None,
            "malloc_mmapped_mb": None,
            "arrow_mb": arrow,
            "other_anonymous_mb": None,
            "threads": threading.active_count(),
        }
        if self._mallinfo is not None:
            info = self._mallinfo()
            parts["malloc_in_use_mb"] = info.uordblks // _MB
            parts["malloc_free_mb"] = info.fordblks // _MB
            parts["malloc_mmapped_mb"] = info.hblkhd // _MB
            anonymous = parts["anonymous_mb"]
            if anonymous is not None:
                heap = (info.arena + info.hblkhd) // _MB
                parts["other_anonymous_mb"] = anonymous - heap - arrow_outside_glibc
        return parts

    def tick(self) -> None:
        parts = self.sample()
        self.samples += 1
        # The first sample at the highest RSS: a later one as high may already have freed
        # what made the peak while the pages it freed are still counted.
        if not self.peak or (parts["rss_mb"] or 0) > (self.peak.get("rss_mb") or 0):
            self.peak = parts


def _arrow_mb() -> tuple[int | None, int]:
    """Bytes Arrow's default pool holds, and of them those outside glibc's heap (its pool is
    mimalloc or jemalloc unless connectors/core/malloc.py set the system allocator)."""
    try:
        import pyarrow as pa
    except ImportError:
        return None, 0
    held = pa.total_allocated_bytes() // _MB
    return held, 0 if pa.default_memory_pool().backend_name == "system" else held


def describe(parts: dict[str, float | None]) -> str:
    """One line: 'RSS 469 MB at its peak: anonymous 374 (glibc heap in use 98, ...), ...'."""

    def mb(key: str) -> str:
        value = parts.get(key)
        return "n/a" if value is None else f"{value:,.0f}"

    return (
        f"RSS {mb('rss_mb')} MB at its peak: anonymous {mb('anonymous_mb')} "
        f"(glibc heap in use {mb('malloc_in_use_mb')}, freed but kept {mb('malloc_free_mb')}, "
        f"mmapped blocks {mb('malloc_mmapped_mb')}; Arrow's pool {mb('arrow_mb')}; "
        f"other {mb('other_anonymous_mb')}), files {mb('file_mb')}; "
        f"{parts.get('threads')} threads"
    )
