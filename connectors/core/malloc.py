"""Allocator settings for a process that extracts several sources side by side.

Measured at 100k leads, all sources at once (`python -m bench --scenarios m`): the Python heap
at its peak is ~140 MB (tracemalloc), the landing DuckDB's tracked memory 100–240 MB, yet the
process held 650 MB. The rest was memory freed but kept by allocators:

- glibc gives each thread that allocates concurrently its own arena (up to 8 per core), and
  freed pages of one arena are not reused by another: capped at two arenas (710 → 622 MB).
- glibc raises its mmap threshold each time a large block is freed (up to 32 MB), after which
  page bodies, CSV ranges and Arrow buffers land on the heap and fragment it; a fixed 64 KiB
  threshold keeps them mmapped, returned to the system when freed, and a 1 MiB trim threshold
  gives back the heap's free top.
- pyarrow's default pool (mimalloc) keeps freed pages for reuse; landing builds one Arrow
  table per page, so the system allocator, which the settings above govern, is used instead.

Together: 650 → 540 MB at 100k in the same time. Each is skipped where the environment sets
it already (`MALLOC_ARENA_MAX`, `MALLOC_MMAP_THRESHOLD_`, `MALLOC_TRIM_THRESHOLD_`,
`ARROW_DEFAULT_MEMORY_POOL`, read at start by glibc and pyarrow) and off glibc.
"""

import ctypes
import ctypes.util
import os
import sys
import threading

# mallopt parameter numbers in glibc's malloc.h
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
ARENAS = 2
MMAP_THRESHOLD_BYTES = 64 * 1024
TRIM_THRESHOLD_BYTES = 2**20

_GLIBC_SETTINGS = (
    ("MALLOC_ARENA_MAX", M_ARENA_MAX, ARENAS),
    ("MALLOC_MMAP_THRESHOLD_", M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES),
    ("MALLOC_TRIM_THRESHOLD_", M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES),
)
_done = threading.Lock()
_applied: list[tuple[str, ...]] = []


def tune_allocators() -> tuple[str, ...]:
    """Apply the settings above once per process; the names of those applied."""
    with _done:
        if not _applied:
            _applied.append((*_tune_glibc(), *_tune_arrow()))
        return _applied[0]


def _tune_glibc() -> list[str]:
    if not sys.platform.startswith("linux"):
        return []
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        return [
            variable
            for variable, parameter, value in _GLIBC_SETTINGS
            if variable not in os.environ
            and libc is not None
            and libc.mallopt(parameter, value) == 1
        ]
    except (OSError, AttributeError):  # musl and others have no mallopt
        return []


def _tune_arrow() -> list[str]:
    if "ARROW_DEFAULT_MEMORY_POOL" in os.environ:
        return []
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())
    return ["ARROW_DEFAULT_MEMORY_POOL"]
