"""Measurement primitives: wall time, peak RSS of a whole process tree, medians with ranges."""

import os
import platform
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Self

import psutil

# Child processes that are not the system under test (the sandbox's fakes): left out of RSS.
NOT_MEASURED: set[int] = set()


def children_rss(process: psutil.Process) -> int:
    """Summed RSS of `process`'s descendants, leaving out NOT_MEASURED pids and their subtrees."""
    total = 0
    pending = list(process.children())
    while pending:
        proc = pending.pop()
        if proc.pid in NOT_MEASURED:
            continue
        try:
            total += proc.memory_info().rss
            pending.extend(proc.children())
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return total


class Sampler:
    """Calls `tick()` every `interval` seconds in a daemon thread while the `with` block runs."""

    def __init__(self, interval: float, name: str = "sampler") -> None:
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def tick(self) -> None:
        raise NotImplementedError

    def _run(self) -> None:
        while not self._stop.is_set():
            self.tick()
            self._stop.wait(self.interval)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


class PeakRss(Sampler):
    """Samples the summed RSS of this process and all its children (dbt, workers) every 20 ms.

    Summing over the tree matters: dbt runs as a child process, dlt forks normalize workers.
    The sandbox server (a child too, pids in NOT_MEASURED) and its subtree are left out.
    """

    def __init__(self, interval: float = 0.02) -> None:
        super().__init__(interval, name="peak-rss")
        self.peak_bytes = 0

    def _tree_rss(self) -> int:
        me = psutil.Process(os.getpid())
        return me.memory_info().rss + children_rss(me)

    def tick(self) -> None:
        self.peak_bytes = max(self.peak_bytes, self._tree_rss())

    def __enter__(self) -> Self:
        self.peak_bytes = self._tree_rss()
        return super().__enter__()

    def __exit__(self, *exc: object) -> None:
        super().__exit__(*exc)
        self.peak_bytes = max(self.peak_bytes, self._tree_rss())


@dataclass
class Sample:
    seconds: float
    peak_rss_mb: float
    extra: dict[str, Any] = field(default_factory=dict)


@contextmanager
def measured() -> Iterator[dict[str, Any]]:
    """Yields a dict the caller may fill with extra figures; adds seconds and peak RSS."""
    out: dict[str, Any] = {}
    with PeakRss() as rss:
        # The tree's RSS before the work (imports, caches of earlier repetitions).
        out["baseline_rss_mb"] = rss.peak_bytes / 2**20
        start = time.perf_counter()
        yield out
        out["seconds"] = time.perf_counter() - start
    out["peak_rss_mb"] = rss.peak_bytes / 2**20
    out["rss_growth_mb"] = out["peak_rss_mb"] - out["baseline_rss_mb"]


@dataclass(frozen=True)
class Summary:
    median: float
    low: float
    high: float
    n: int

    def fmt(self, unit: str = "", digits: int = 2) -> str:
        return f"{self.median:.{digits}f}{unit} [{self.low:.{digits}f}-{self.high:.{digits}f}]"


def own_peak_rss_mb() -> float:
    """This process's peak RSS since it started its program, in MB.

    Linux's `VmHWM` belongs to the process image. `ru_maxrss` does not: it carries over the
    parent's high-water mark through fork and exec, so a child started by a parent that had
    grown to 860 MB reported 866 MB while its own peak was 490 MB.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def summarise(values: list[float]) -> Summary:
    return Summary(statistics.median(values), min(values), max(values), len(values))


def alternate(
    contenders: dict[str, Callable[[], dict[str, Any]]], repetitions: int
) -> dict[str, list[dict[str, Any]]]:
    """Runs contenders interleaved (A B C A B C ...) so machine noise hits all of them alike."""
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in contenders}
    for _ in range(repetitions):
        for name, run in contenders.items():
            results[name].append(run())
    return results


def machine() -> dict[str, Any]:
    freq = psutil.cpu_freq()
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu": platform.processor() or platform.machine(),
        "logical_cpus": psutil.cpu_count(),
        "cpu_mhz": freq.max if freq else None,
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
    }
