"""glibc malloc arenas for a process that extracts several sources side by side.

glibc gives each thread that allocates concurrently its own arena (up to 8 per core), and
freed pages of one arena are not reused by another: with three sources, each with a read-ahead
thread, the heap of parsed pages was spread over many arenas and RSS stayed high after each
page was landed (100k leads, all sources at once: 710 MB; with two arenas 622 MB, same
speed). `MALLOC_ARENA_MAX` in the environment, read by glibc at start, wins over this.
"""

import ctypes
import ctypes.util
import os
import sys
import threading

M_ARENA_MAX = -8  # mallopt parameter number in glibc's malloc.h
ARENAS = 2
_done = threading.Lock()
_applied: list[bool] = []


def limit_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas once per process (Linux with glibc only); True if applied."""
    with _done:
        if _applied:
            return _applied[0]
        applied = False
        if sys.platform.startswith("linux") and "MALLOC_ARENA_MAX" not in os.environ:
            name = ctypes.util.find_library("c")
            try:
                libc = ctypes.CDLL(name) if name else None
                applied = bool(libc is not None and libc.mallopt(M_ARENA_MAX, arenas) == 1)
            except (OSError, AttributeError):  # musl and others have no mallopt
                applied = False
        _applied.append(applied)
        return applied
