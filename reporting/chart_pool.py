"""Draws the report's matplotlib charts in worker processes.

matplotlib spends about 0.1 s a chart (a layout pass for the tight box, then the SVG) and a
page has about 70 of them, all on one core: most of the report's time once the marts are
read. A pool of spawned processes (no fork of a Dagster step's threads) draws them side by
side while the page is assembled; the page resolves each chart when it writes it.
"""

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any

# Beyond four the spawn of each worker (importing matplotlib) costs more than it draws.
MAX_WORKERS = 4


class PendingChart:
    """A chart being drawn: Jinja writes it through `__html__` (an SVG that matplotlib has
    escaped), waiting for the worker. A pool that broke (a worker killed, or a caller's
    script that spawn cannot import again) costs time, not the chart: it is drawn here."""

    def __init__(self, pool: Executor, draw: Callable[..., str], *args: Any, **kwargs: Any) -> None:
        self._call = (draw, args, kwargs)
        self._svg: str | None = None
        self._future: Future[str] | None
        try:
            self._future = pool.submit(draw, *args, **kwargs)
        except BrokenProcessPool:
            self._future = None

    def __html__(self) -> str:
        if self._svg is None:
            try:
                if self._future is None:
                    raise BrokenProcessPool("the pool broke before this chart")
                self._svg = self._future.result()
            except BrokenProcessPool:
                draw, args, kwargs = self._call
                self._svg = draw(*args, **kwargs)
        return self._svg

    def __str__(self) -> str:
        return self.__html__()


def workers() -> int:
    """One worker per core, at most MAX_WORKERS; 1 = draw in this process."""
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


@contextmanager
def chart_pool(count: int | None = None) -> Iterator[Executor | None]:
    """A process pool of `count` workers (default: `workers()`), or None for one."""
    count = workers() if count is None else count
    if count <= 1:
        yield None
        return
    with ProcessPoolExecutor(
        max_workers=count, mp_context=multiprocessing.get_context("spawn")
    ) as pool:
        yield pool
