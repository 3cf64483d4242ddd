"""Read pages ahead in a background thread while the caller lands the current one.

Without it each page costs the vendor's response time plus our parsing and landing, one after
the other; with it the two overlap (the socket wait and DuckDB's insert release the GIL), so
an extraction runs at about the slower of the two instead of their sum.

The order of pages is unchanged, so each page's state still covers exactly the pages before
it. At most `depth` pages wait in the queue, so memory stays bounded. An error in the reader
reaches the caller at the page where it happened, after the pages read before it.
"""

import queue
import threading
from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")
_POLL_SECONDS = 0.1


class _Done:
    pass


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class Prefetched(Generic[T]):
    """Iterates over `source` in a daemon thread, `depth` items ahead of the consumer."""

    def __init__(self, source: Iterator[T], depth: int = 2, name: str = "prefetch") -> None:
        self._source = source
        self._queue: queue.Queue[T | _Done | _Failed] = queue.Queue(maxsize=max(1, depth))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._produce, name=name, daemon=True)
        self._thread.start()

    def _put(self, item: "T | _Done | _Failed") -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def _produce(self) -> None:
        try:
            for item in self._source:
                if not self._put(item):
                    return
            self._put(_Done())
        except BaseException as exc:  # handed to the consumer, raised there
            self._put(_Failed(exc))
        finally:
            # A generator must be closed by the thread that runs it.
            close = getattr(self._source, "close", None)
            if close is not None:
                close()

    def __iter__(self) -> Iterator[T]:
        try:
            while True:
                item = self._queue.get()
                if isinstance(item, _Done):
                    return
                if isinstance(item, _Failed):
                    raise item.error
                yield item
        finally:
            self.close()

    def close(self) -> None:
        """Stop reading ahead and wait for the thread (it finishes its current request)."""
        self._stop.set()
        self._thread.join()


def prefetched(source: Iterator[T], depth: int = 2, name: str = "prefetch") -> Iterator[T]:
    return iter(Prefetched(source, depth, name))
