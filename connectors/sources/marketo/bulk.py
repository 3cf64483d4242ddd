"""Marketo Bulk Extract for first loads and backfills of leads and activities (vendor-apis.md
3.7): the whole history in a few export jobs instead of one REST call per 300 records.

A pass walks windows of at most 31 days (fewer when a month's file would take too much of
the day's export allowance) from its start (the stream's cursor, or the day of
the instance's first activity) to the moment the pass began; per window it creates an export
job (leads by `createdAt`, or by `updatedAt` when a backfill starts from a cursor; activities
by `createdAt`), enqueues it, polls its status with backoff, and reads its CSV file in byte
ranges, landing a page per range. The window, the export id and the byte offset reached live
in the stream state (`StreamState.bulk`), so a restarted run goes on inside the same file;
a failed job or an expired file is exported again (at most twice per window). When every
window is in, the stream's cursor (and every activity type's) is the pass's start: the REST
increments take over from there. Export volume is counted against the daily allowance.
An activities pass exports every type but the priority ones (`BulkPass.type_ids`), which the
reader reads over REST first on each of the pass's runs (reader.read_activities).
"""

import contextlib
import json
import logging
from collections.abc import Callable, Generator, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from connectors.core.csv_text import dict_rows
from connectors.core.errors import VendorError
from connectors.core.paging import Request
from connectors.core.polling import poll_until_done
from connectors.core.quota import QuotaReserveReached
from connectors.core.state import BulkPass, StreamState
from connectors.core.timeutil import parse_datetime, to_iso_seconds
from connectors.core.vendor import DeferredPage, Page, StreamRun

if TYPE_CHECKING:
    from connectors.sources.marketo.reader import MarketoReader

log = logging.getLogger(__name__)
T = TypeVar("T")

WINDOW = timedelta(days=31)
JOB_ATTEMPTS = 3
RANGE_BYTES = 8 * 2**20  # one byte range of a file: one call
PAGE_BYTES = 2**20  # whole CSV lines parsed into one page of records (bounds their memory)
# An export's size is known only when it completes: one not yet completed counts against the
# day's allowance at the densest bytes per second of window seen in the pass, plus room for
# the instance's growth from one month to the next. Windows are sized so that one holds at
# most WINDOW_SHARE of the day's allowance (two are in flight at a time), down to MIN_WINDOW.
FILE_GROWTH = 1.25
WINDOW_SHARE = 0.25
MIN_WINDOW = timedelta(hours=1)
LEAD_CHANGE_TYPES = (12, 13)  # New Lead, Change Data Value
ACTIVITY_INTEGERS = ("leadId", "activityTypeId", "campaignId", "primaryAttributeValueId")
LEAD_TYPES = {"integer": int, "float": float, "currency": float, "percent": float}


NOTHING_AHEAD: dict[str, Any] = {"ahead_job_id": None, "ahead_end": None}


# An export the run before queued ahead that Marketo still has: read it, do not export again.
STILL_THERE = ("Queued", "Processing", "Completed")


class ExportGone(Exception):
    """The export failed, was cancelled, or its file expired; `over_quota`: the vendor refused
    it for the day's export volume; `ran`: after running it (its file passed what the day had
    left), not when it was queued (the day was spent before it)."""

    def __init__(self, message: str, over_quota: bool = False, ran: bool = True) -> None:
        super().__init__(message)
        self.over_quota = over_quota
        self.ran = ran


def _over_quota(message: str) -> bool:
    """A failed export's `errorMsg` (no code there): Marketo's "Export daily quota exceeded"."""
    text = message.lower()
    return "export" in text and "quota" in text


def _value(text: str) -> Any:
    return None if text == "null" else text


def activity_of(row: dict[str, str]) -> dict[str, Any]:
    """An activity CSV row as activities.json would have it (numbers, attributes as a list)."""
    record: dict[str, Any] = {k: _value(v) for k, v in row.items()}
    for name in ACTIVITY_INTEGERS:
        value = record.get(name)
        if isinstance(value, str) and value.lstrip("-").isdigit():
            record[name] = int(value)
    attributes = record.get("attributes")
    if isinstance(attributes, str):
        with contextlib.suppress(ValueError):  # else kept as sent
            record["attributes"] = json.loads(attributes)
    return record


def lead_of(row: dict[str, str], types: dict[str, str]) -> dict[str, Any]:
    """A lead CSV row as leads.json would have it (typed by describe)."""
    record: dict[str, Any] = {}
    for name, text in row.items():
        value = _value(text)
        kind = types.get(name)
        if value is not None and kind in LEAD_TYPES:
            with contextlib.suppress(ValueError):  # else kept as sent
                value = LEAD_TYPES[kind](value)
        elif value is not None and kind == "boolean":
            value = value.lower() == "true"
        record[name] = value
    return record


def complete_lines(buffer: bytes) -> int:
    """Length of the longest prefix of `buffer` made of whole CSV lines (a newline inside a
    quoted value does not end a line: quotes before a line end are even)."""
    quotes = buffer.count(b'"')
    end = len(buffer)
    while True:
        cut = buffer.rfind(b"\n", 0, end)
        if cut < 0:
            return 0
        quotes -= buffer.count(b'"', cut + 1, end)
        if quotes % 2 == 0:
            return cut + 1
        end = cut


def _pages(
    lines: bytes, header: str, kind: str, types: dict[str, str]
) -> Iterator[tuple[int, Callable[[], list[dict[str, Any]]]]]:
    """(end offset within `lines`, the page's parse) per PAGE_BYTES of whole lines; a line
    longer than that is one page with the rest of `lines`, which always ends at a line end or
    the file's. A page is parsed when its records are wanted (`DeferredPage`), so the pages
    read ahead wait as ~1 MB of bytes each rather than ~5,000 record dicts."""
    done = 0
    while done < len(lines):
        step = len(lines) - done
        if step > PAGE_BYTES:
            step = complete_lines(lines[done : done + PAGE_BYTES]) or step
        yield done + step, partial(_records, lines[done : done + step], header, kind, types)
        done += step


def _records(page: bytes, header: str, kind: str, types: dict[str, str]) -> list[dict[str, Any]]:
    rows = dict_rows(header + page.decode("utf-8", "surrogateescape"))
    return [lead_of(r, types) if kind == "leads" else activity_of(r) for r in rows]


class MarketoBulk:
    def __init__(self, reader: "MarketoReader") -> None:
        self.reader = reader
        self._estimates: dict[tuple[datetime | None, Any], int] = {}

    def wanted(self, run: StreamRun) -> bool:
        """A pass under way goes on; a first load (or a full re-sync) and a backfill from a
        cursor older than MARKETO_BULK_AFTER_DAYS go bulk (MARKETO_BULK: auto)."""
        if run.state.bulk is not None:
            return True
        mode = self.reader.settings.value("MARKETO_BULK")
        if mode != "auto":
            return mode == "always"
        cursor = run.state.cursor
        after = timedelta(days=self.reader.settings.value("MARKETO_BULK_AFTER_DAYS"))
        if cursor is not None and run.started_at - cursor <= after:
            return False
        floor = self.reader.settings.value("MARKETO_BULK_MIN_LEADS")
        return self.lead_changes_since(cursor, run.started_at) >= floor

    def lead_changes_since(self, since: datetime | None, until: datetime) -> int:
        """About how many lead changes (New Lead, Change Data Value) lie between `since` and
        `until`: exact when they fit one page, else the first page's rate over the span. Two
        calls, asked once per pass start and shared by the leads and activities streams."""
        key = (since, until.date())
        if key not in self._estimates:
            body = self.reader._get(
                "/rest/v1/activities.json",
                {
                    "nextPageToken": self.reader.paging_token(since),
                    "activityTypeIds": ",".join(map(str, LEAD_CHANGE_TYPES)),
                    "batchSize": 300,
                },
            )
            found = [a for a in body.get("result") or [] if isinstance(a, dict)]
            dates = sorted(
                parse_datetime(a["activityDate"]) for a in found if a.get("activityDate")
            )
            estimate = len(found)
            if body.get("moreResult") and len(dates) > 1:
                seen = max((dates[-1] - dates[0]).total_seconds(), 1.0)
                estimate = int(len(found) * (until - dates[0]).total_seconds() / seen)
            self._estimates[key] = estimate
        return self._estimates[key]

    # -- the pass ------------------------------------------------------------------------
    def read(
        self, run: StreamRun, kind: str, type_ids: tuple[int, ...] | None = None
    ) -> Iterator[Page | DeferredPage]:
        """`kind`: "leads" or "activities"; `type_ids`: the activity types a new pass exports
        (None: every type; a pass under way keeps its own). The next window's export is
        created and queued while this one's file is read (Marketo processes two at a time),
        so the pass takes about as long as its exports, not their sum. Pages are parsed by
        the consumer, in order (`DeferredPage`); it counts the pass's records as it parses."""
        bulk = run.state.bulk or BulkPass(
            since=run.state.cursor, until=run.started_at, type_ids=type_ids
        )
        ahead = self._ahead_of(kind, bulk)  # window start -> (export, its end)
        counted = bulk.records  # records parsed in this pass so far (by the consumer)

        def page(parse: Callable[[], list[dict[str, Any]]], at: BulkPass) -> Page:
            nonlocal counted
            records = parse()
            counted += len(records)
            return Page(records, self._state(run.state, replace(at, records=counted)))

        def done(at: BulkPass, type_ids: list[int] | None) -> Page:
            return Page([], self._done(run, replace(at, records=counted), type_ids))

        try:
            bulk = yield from self._walk(run, kind, bulk, ahead, page)
        finally:
            # An export queued ahead and not read (the run stopped: the day's allowance, the
            # stream's budget, an error) would still be processed and take the day's volume,
            # unseen by the next run's count: cancel it.
            self._cancel(kind, [export for export, _ in ahead.values()])
        # Read here: the activity types may take a call, and calls stay in this thread.
        type_ids = self.reader.activity_type_ids() if run.stream.name == "activities" else None
        yield DeferredPage(partial(done, bulk, type_ids))

    def _walk(
        self,
        run: StreamRun,
        kind: str,
        bulk: BulkPass,
        ahead: dict[datetime, tuple[str, datetime]],
        page: Callable[[Callable[[], list[dict[str, Any]]], BulkPass], Page],
    ) -> Generator[DeferredPage, None, BulkPass]:
        """The pass's windows from where it stands to its end, a deferred page per page of
        their files; returns the pass as it ends."""
        start = bulk.window_start or bulk.since or self._first_activity_day(bulk.until)
        while start < bulk.until:
            queued = ahead.pop(start, None)
            end = self._end_of(bulk, start, queued)
            bulk = replace(bulk, window_start=start, window_end=end)
            for attempt in range(1, JOB_ATTEMPTS + 1):
                if bulk.job_id is None and queued is not None:
                    bulk = replace(bulk, job_id=queued[0], position=None, **NOTHING_AHEAD)
                    queued = None
                try:
                    for parse, reached in self._window(run, kind, bulk, start, end, ahead):
                        bulk = reached
                        yield DeferredPage(partial(page, parse, bulk))
                    break
                except ExportGone as gone:
                    if gone.over_quota:
                        # The vendor refused the day's volume: the pass goes on on the
                        # vendor's next day, the window halved if its file was what passed it.
                        if gone.ran:
                            end = self._halved(kind, start, end, gone)
                        bulk = replace(
                            bulk, job_id=None, position=None, window_end=end, **NOTHING_AHEAD
                        )  # what was queued ahead is cancelled below
                        yield DeferredPage(partial(page, list, bulk))
                        raise self._refused(kind, gone) from None
                    if attempt == JOB_ATTEMPTS:
                        raise VendorError(f"marketo: {kind} export gave up: {gone}") from None
                    bulk = replace(bulk, job_id=None, position=None)
            bulk = replace(bulk, job_id=None, position=None, window_end=None)
            start = end
        return bulk

    def _state(self, state: StreamState, bulk: BulkPass) -> StreamState:
        return state.evolve(bulk=bulk)

    def _end_of(
        self, bulk: BulkPass, start: datetime, queued: tuple[str, datetime] | None
    ) -> datetime:
        """Where the window from `start` ends: as committed for a window under way (31 days
        for an export made before windows were sized), as queued ahead, else sized now."""
        if bulk.window_start == start and bulk.window_end is not None:
            return bulk.window_end
        if bulk.window_start == start and bulk.job_id is not None:
            return min(start + WINDOW, bulk.until)
        if queued is not None:
            return queued[1]
        return self._window_end(bulk, start)

    def _window_end(self, bulk: BulkPass, start: datetime) -> datetime:
        """31 days from `start`, or fewer when the pass's density says such a window's file
        would pass WINDOW_SHARE of the day's export allowance."""
        length = WINDOW
        ledger = self.reader.client.ledger
        if bulk.bytes_per_second and ledger is not None and ledger.export_bytes_limit:
            share = ledger.allowed(ledger.export_bytes_limit) * WINDOW_SHARE
            seconds = share / (bulk.bytes_per_second * FILE_GROWTH)
            length = min(WINDOW, max(MIN_WINDOW, timedelta(seconds=seconds)))
        return min(start + length, bulk.until)

    @staticmethod
    def _halved(kind: str, start: datetime, end: datetime, gone: ExportGone) -> datetime:
        if end - start <= MIN_WINDOW:
            raise VendorError(
                f"marketo: an export of {kind} of {end - start} was refused for the day's "
                f"volume ({gone}): raise MARKETO_DAILY_EXPORT_MB to the subscription's "
                "allowance, or read over REST (MARKETO_BULK=never)"
            ) from None
        return max(start + (end - start) / 2, start + MIN_WINDOW)

    def _refused(self, kind: str, gone: ExportGone) -> QuotaReserveReached:
        ledger = self.reader.client.ledger
        after = ledger.next_day_starts().strftime("%Y-%m-%d %H:%M %Z") if ledger else "a day"
        return QuotaReserveReached(
            f"marketo: the {kind} export was refused for the day's export volume ({gone}); "
            f"stopped with the cursor committed{', its window halved' if gone.ran else ''}; the "
            f"next run after {after} goes on"
        )

    def _done(self, run: StreamRun, bulk: BulkPass, type_ids: list[int] | None) -> StreamState:
        """Everything up to the pass's start is in: the REST increments go on from it. For
        activities (`type_ids`: every type known), every type's cursor is at least that: the
        pass exported its types up to it, and the priority types were read over REST earlier
        in this run, past it (they keep a later cursor their read reached)."""
        state = run.state.evolve(cursor=bulk.until, bulk=None, last_pass_records=bulk.records)
        if type_ids is None:
            return state
        reached = state.partition_cursors
        cursors = {str(t): max(reached.get(str(t)) or bulk.until, bulk.until) for t in type_ids}
        return state.evolve(partition_cursors=cursors)

    def _ahead_of(self, kind: str, bulk: BulkPass) -> dict[datetime, tuple[str, datetime]]:
        """The export the run before queued ahead, when Marketo still has it (queued,
        processing or done: a completed file is read and counted like any other); a run that
        was killed could not cancel it. Cancelled, failed or unknown ones are forgotten."""
        if not (bulk.ahead_job_id and bulk.window_end and bulk.ahead_end):
            return {}
        try:
            result = self._status(kind, bulk.ahead_job_id)
        except ExportGone:
            return {}
        if not isinstance(result, dict) or result.get("status") not in STILL_THERE:
            return {}
        return {bulk.window_end: (bulk.ahead_job_id, bulk.ahead_end)}

    def _first_activity_day(self, until: datetime) -> datetime:
        """The day of the instance's first activity: where a first load's windows begin."""
        ids = self.reader.activity_type_ids()[:10]
        token = self.reader.paging_token(None)
        body = self.reader._get(
            "/rest/v1/activities.json",
            {"nextPageToken": token, "activityTypeIds": ",".join(map(str, ids)), "batchSize": 1},
        )
        dates = [
            parse_datetime(a["activityDate"])
            for a in body.get("result") or []
            if isinstance(a, dict) and a.get("activityDate")
        ]
        first = min(dates) if dates else until - WINDOW
        return first.replace(hour=0, minute=0, second=0, microsecond=0)

    # -- one window ----------------------------------------------------------------------
    def _window(
        self,
        run: StreamRun,
        kind: str,
        bulk: BulkPass,
        start: datetime,
        end: datetime,
        ahead: dict[datetime, tuple[str, datetime]],
    ) -> Iterator[tuple[Callable[[], list[dict[str, Any]]], BulkPass]]:
        """(a page's parse, the pass's position after it) per page of the window's file."""
        ledger = self.reader.client.ledger
        if bulk.job_id is None:
            if ledger is not None:  # this export, and any queued ahead, not yet counted
                queued = sum((e - s for s, (_, e) in ahead.items()), end - start)
                ledger.check_export(self._expected(bulk, queued) or 0)
            bulk = replace(bulk, job_id=self._create(kind, bulk, start, end), position=None)
            yield list, bulk  # the export id is committed before its file is read
        following = self._window_end(bulk, end)
        if end < bulk.until and end not in ahead and self._room_ahead(bulk, following - start):
            export_id = self._create_ahead(kind, bulk, end, following)
            if export_id is not None:
                ahead[end] = (export_id, following)
                bulk = replace(bulk, ahead_job_id=export_id, ahead_end=following)
                yield list, bulk  # committed before the wait: Marketo takes minutes an export
        size = self._wait(kind, str(bulk.job_id))
        density = size / max((end - start).total_seconds(), 1.0)
        bulk = replace(bulk, bytes_per_second=max(bulk.bytes_per_second, density))
        if ledger is not None and bulk.position is None:
            ledger.spend_export(size)
        header, offset, buffer = self._start(kind, str(bulk.job_id), bulk.position, size, run)
        types = self.reader.lead_types() if kind == "leads" else {}
        while offset < size or buffer:
            if offset < size:
                chunk = self._range(kind, str(bulk.job_id), offset, size, run)
                offset += len(chunk)
                buffer += chunk
            cut = len(buffer) if offset >= size else complete_lines(buffer)
            if cut == 0 and offset < size:
                continue  # one value longer than a range: read on
            lines, buffer = buffer[:cut], buffer[cut:]
            start = offset - len(buffer) - len(lines)  # the file offset of lines[0]
            # A range is parsed a page (PAGE_BYTES of whole lines) at a time, each page with
            # its own resumable offset: the records in memory stay ~PAGE_BYTES whatever the
            # range or the file (one 8 MB range of activities was ~40k record dicts).
            for end, parse in _pages(lines, header, kind, types):
                bulk = replace(bulk, position=str(start + end))
                yield parse, bulk

    @staticmethod
    def _expected(bulk: BulkPass, span: timedelta) -> int | None:
        """Bytes that exports of windows `span` long in all may add to the day (None: no file
        of this pass seen yet)."""
        if not bulk.bytes_per_second:
            return None
        return int(bulk.bytes_per_second * FILE_GROWTH * span.total_seconds())

    def _room_ahead(self, bulk: BulkPass, span: timedelta) -> bool:
        """Whether the next window's export may be queued while this one runs (`span`: both
        windows): with a daily allowance, only once a file's size is known and both fit what
        is left of the day."""
        ledger = self.reader.client.ledger
        if ledger is None or ledger.export_bytes_limit is None:
            return True
        expected = self._expected(bulk, span)
        return expected is not None and ledger.fits_export(expected)

    def _url(self, kind: str, suffix: str) -> str:
        return f"{self.reader.base}/bulk/v1/{kind}/export{suffix}"

    def _create(self, kind: str, bulk: BulkPass, start: datetime, end: datetime) -> str:
        """A new export of the window, queued (after waiting for a place in a full queue)."""
        export_id = self._new_export(kind, bulk, start, end)
        self._enqueue(kind, export_id, wait=True)
        return export_id

    def _create_ahead(
        self, kind: str, bulk: BulkPass, start: datetime, end: datetime
    ) -> str | None:
        """The same for the next window while this one runs; None when the queue is full (the
        export is cancelled: the window is exported in its turn)."""
        export_id = self._new_export(kind, bulk, start, end)
        if self._enqueue(kind, export_id, wait=False):
            return export_id
        self._cancel(kind, [export_id])
        return None

    def _new_export(self, kind: str, bulk: BulkPass, start: datetime, end: datetime) -> str:
        window = {"startAt": to_iso_seconds(start), "endAt": to_iso_seconds(end)}
        if kind == "activities":
            found: dict[str, Any] = {"createdAt": window}
            if bulk.type_ids is not None:
                found["activityTypeIds"] = list(bulk.type_ids)
            body: dict[str, Any] = {"format": "CSV", "filter": found}
        else:
            # A first load takes every lead by creation; a backfill, those changed since.
            by = "createdAt" if bulk.since is None else "updatedAt"
            body = {"format": "CSV", "fields": self.reader.lead_fields(), "filter": {by: window}}
        created = self._post(self._url(kind, "/create.json"), body)
        return str(created["exportId"])

    def _enqueue(self, kind: str, export_id: str, *, wait: bool) -> bool:
        """Queue the export. Marketo queues ten exports per subscription, the customer's other
        integrations' included; while it is full (1029), wait for a place up to the bulk job
        deadline, or give up at once (`wait` false: an export queued ahead can wait for its
        turn instead)."""

        def queued() -> bool | None:
            try:
                self._post(self._url(kind, f"/{export_id}/enqueue.json"), None)
            except VendorError as exc:
                if exc.says("1029", "queue"):
                    return None if wait else False
                raise
            return True

        return self._poll(queued, f"marketo: a place in the export queue for {export_id}")

    def _cancel(self, kind: str, exports: list[str]) -> None:
        for export_id in exports:
            try:
                self._post(self._url(kind, f"/{export_id}/cancel.json"), None)
            except Exception as exc:  # best effort: the run is stopping already
                log.warning("marketo: could not cancel export %s: %s", export_id, exc)

    def _post(self, url: str, body: Any) -> dict[str, Any]:
        try:
            answer = self.reader.client.request("POST", url, json=body).body
        except VendorError as exc:
            if exc.says("1029", "quota"):  # at create or enqueue: the day's volume is spent
                raise ExportGone(str(exc), over_quota=True, ran=False) from None
            raise
        result = (answer.get("result") or [None])[0] if isinstance(answer, dict) else None
        if not isinstance(result, dict) or not result.get("exportId"):
            raise VendorError(f"marketo: bulk export answered {answer}")
        return result

    def _wait(self, kind: str, export_id: str) -> int:
        """Until the export completes; its file size. ExportGone when it failed."""

        def file_size() -> int | None:
            result = self._status(kind, export_id)
            status = result.get("status")
            if status in ("Failed", "Cancelled"):
                message = str(result.get("errorMsg") or "")
                raise ExportGone(f"export {export_id} {status}: {message}", _over_quota(message))
            return int(result.get("fileSize") or 0) if status == "Completed" else None

        return self._poll(file_size, f"marketo: export {export_id}")

    def _status(self, kind: str, export_id: str) -> Any:
        """The export's status record as Marketo answers it; ExportGone for an export Marketo
        no longer knows."""
        try:
            answer = self.reader._get(f"/bulk/v1/{kind}/export/{export_id}/status.json")
        except VendorError as exc:
            raise ExportGone(str(exc)) from None
        return (answer.get("result") or [{}])[0]

    def _poll(self, check: Callable[[], T | None], what: str) -> T:
        settings = self.reader.settings
        return poll_until_done(
            check,
            what=what,
            deadline_seconds=settings.value("CONNECTORS_BULK_JOB_DEADLINE_SECONDS"),
            longest_pause=settings.value("CONNECTORS_BULK_POLL_MAX_SECONDS"),
        )

    def _file(self, kind: str, export_id: str, first: int, last: int) -> bytes:
        request = Request(
            "GET",
            self._url(kind, f"/{export_id}/file.json"),
            headers={"Range": f"bytes={first}-{last}"},
            decode=False,
        )
        try:
            body = self.reader.client.send(request).body
        except VendorError as exc:  # the file expired
            raise ExportGone(str(exc)) from None
        if not isinstance(body, bytes):
            raise ExportGone(f"export {export_id}: no file ({body})")
        return body

    def _start(
        self, kind: str, export_id: str, position: str | None, size: int, run: StreamRun
    ) -> tuple[str, int, bytes]:
        """The file's header line, the offset read to, and what was read past the header: a
        fresh file's first range brings both; a resumed one asks for its head apart."""
        if position is None:
            first = self._range(kind, export_id, 0, size, run) if size else b""
        else:
            first = self._file(kind, export_id, 0, min(size, 64 * 1024) - 1)
        header, _, rest = first.partition(b"\n")
        line = (header + b"\n").decode("utf-8", "surrogateescape")
        if position is None:
            return line, len(first), rest
        return line, int(position), b""

    def _range(self, kind: str, export_id: str, offset: int, size: int, run: StreamRun) -> bytes:
        run.budget.spend_page()
        return self._file(kind, export_id, offset, min(size, offset + RANGE_BYTES) - 1)
