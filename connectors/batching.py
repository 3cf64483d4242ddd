"""When buffered pages are committed: a batch's own limits, and a byte budget that the
sources extracted side by side share.

Each source buffers the pages it reads and commits them as one batch (rows, quarantine and the
stream state of the last page in one transaction). Per-source limits alone add up: three
sources side by side each hold a batch of up to `max_bytes`, and the Arrow copy of it while it
waits for the one warehouse connection, so how much is in flight depended on how long the
sources happened to overlap, which grows with the data (bench/README, issue 21). The budget
caps the sum instead: every source running takes an equal share of it as its byte limit, so a
source alone keeps whole batches and three together never hold more than the budget.
"""

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime

from connectors.core.quota import QuotaLedger
from connectors.core.state import StreamState
from connectors.core.timeutil import utcnow
from connectors.landing.base import Batch, LandingSession, QuarantineRow, RawRow


@dataclass(frozen=True)
class BatchPolicy:
    """When buffered pages are committed: whichever limit is reached first.

    One commit per 300-record Marketo page cost more than the rows; a batch bounds both
    memory (records, bytes of `_raw`) and the work a crash can lose (seconds).
    """

    max_records: int = 10_000
    max_bytes: int = 8 * 2**20
    max_seconds: float = 5.0


DEFAULT_BATCH_POLICY = BatchPolicy()


class BatchBudget:
    """Bytes of batches in flight, shared by the sources of one `extract_sources` call.

    A batch is in flight from its first page until its commit returns (pages buffered, then
    the Arrow table built from them, waiting for and inside the insert). Each source thread
    is a member while it extracts; `policy()` gives it `total_bytes / members` as its byte
    limit (never more than the policy's own) and the record limit in the same proportion. A
    member's batch is either filling or being committed, never both, so the members' batches
    together stay within the budget, plus at most one page each (a page is never split).
    Nothing waits on the budget: a source over its share commits sooner.
    """

    def __init__(self, total_bytes: int) -> None:
        if total_bytes <= 0:
            raise ValueError(f"a batch budget needs a positive size, not {total_bytes}")
        self.total_bytes = total_bytes
        self._members = 0
        self._lock = threading.Lock()

    @property
    def members(self) -> int:
        return self._members

    @contextlib.contextmanager
    def member(self) -> Iterator["BatchBudget"]:
        """The calling source's share of the budget, for as long as the block runs."""
        with self._lock:
            self._members += 1
        try:
            yield self
        finally:
            with self._lock:
                self._members -= 1

    def policy(self, own: BatchPolicy) -> BatchPolicy:
        """`own`, with its byte and record limits cut to this member's share of the budget."""
        share = self.total_bytes // max(1, self._members)
        if share >= own.max_bytes:
            return own
        return replace(
            own,
            max_bytes=max(1, share),
            max_records=max(1, own.max_records * share // own.max_bytes),
        )


@dataclass
class PendingBatch:
    """Pages read but not yet committed, and the state of the newest one."""

    rows: list[RawRow] = field(default_factory=list)
    quarantine: list[QuarantineRow] = field(default_factory=list)
    state: StreamState | None = None
    pages: int = 0
    size: int = 0  # characters of _raw and quarantine payloads
    since: float = 0.0
    extracted_at: datetime | None = None
    failed: bool = False

    def add(
        self, rows: list[RawRow], quarantine: list[QuarantineRow], state: StreamState | None
    ) -> None:
        if self.pages == 0:
            self.since = time.monotonic()
        self.rows.extend(rows)
        self.quarantine.extend(quarantine)
        self.size += sum(len(r.raw_json) for r in rows) + sum(len(q.payload) for q in quarantine)
        if state is not None:  # each page's state covers every earlier page too
            self.state = state
        self.pages += 1
        self.extracted_at = utcnow()

    def full(self, policy: BatchPolicy) -> bool:
        return (
            len(self.rows) + len(self.quarantine) >= policy.max_records
            or self.size >= policy.max_bytes
            or time.monotonic() - self.since >= policy.max_seconds
        )

    def commit(
        self,
        landing: LandingSession,
        source: str,
        stream: str,
        run_id: str,
        ledger: QuotaLedger | None = None,
    ) -> None:
        if self.pages == 0:
            return
        assert self.extracted_at is not None
        batch = Batch(
            source=source,
            stream=stream,
            rows=self.rows,
            quarantine=self.quarantine,
            state=self.state,
            run_id=run_id,
            extracted_at=self.extracted_at,
            # The calls that paid for these rows are recorded with them.
            usage=ledger.take_unflushed() if ledger is not None else [],
        )
        try:
            landing.write_batch(batch)
        except BaseException:
            self.failed = True  # rolled back; not tried again on the way out
            raise
