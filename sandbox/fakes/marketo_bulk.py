"""Bulk Extract of the Marketo fake: leads and activities (vendor-apis.md 3.7, the swagger's
`/bulk/v1/{leads|activities}/export/...`).

A job is created (`Created`) with a `createdAt` (or, for leads, `updatedAt`) window of at most
31 days, enqueued (`Queued`; at most 10 jobs queued or processing), processed two at a time
(`Processing`, then `Completed` a few fake seconds later, the file snapshotted then), and its
file served as CSV (`null` for an empty value, activities' `attributes` as a JSON array) with
`Range: bytes=` support. Limits: 500 MB of exported files a day (a job past it fails with
"Export daily quota exceeded"; once it is spent, enqueue answers error 1029 with that message),
enforced only with the fake's limits on. Faults: the next
`bulk_fail_jobs` jobs fail; `bulk_results_expired` answers 404-like error 1003 for files.
"""

import csv
import hashlib
import io
import itertools
import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sandbox.fakes.base import ApiError, Request, Response, json_response

if TYPE_CHECKING:
    from sandbox.fakes.marketo import MarketoFake

CSV_TYPE = "text/csv;charset=UTF-8"
MAX_WINDOW = timedelta(days=31)
MAX_QUEUED = 10
MAX_PROCESSING = 2
DAILY_EXPORT_BYTES = 500 * 2**20
PROCESSING_SECONDS = 2.0  # fake seconds a job takes once it processes
ACTIVITY_FIELDS = [
    "marketoGUID",
    "leadId",
    "activityDate",
    "activityTypeId",
    "campaignId",
    "primaryAttributeValueId",
    "primaryAttributeValue",
    "attributes",
]
_ids = itertools.count(1)


def _moment(text: Any, what: str) -> datetime:
    try:
        value = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(200, "1003", f"Invalid date in {what}: {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _cell(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


@dataclass
class ExportJob:
    id: str
    kind: str  # "leads" or "activities"
    fields: list[str]
    start: datetime
    end: datetime
    by: str  # "createdAt" or "updatedAt"
    type_ids: set[int] | None
    created: datetime
    status: str = "Created"
    queued: datetime | None = None
    started: datetime | None = None
    finished: datetime | None = None
    file: bytes | None = None
    records: int = 0
    error: str | None = None
    fail: bool = False
    served: int = 0  # bytes of its file served (tests: was a completed export read?)

    def info(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "exportId": self.id,
            "format": "CSV",
            "status": self.status,
            "createdAt": _iso(self.created),
        }
        if self.queued:
            out["queuedAt"] = _iso(self.queued)
        if self.started:
            out["startedAt"] = _iso(self.started)
        if self.finished:
            out["finishedAt"] = _iso(self.finished)
        if self.status == "Completed" and self.file is not None:
            out["numberOfRecords"] = self.records
            out["fileSize"] = len(self.file)
            out["fileChecksum"] = "sha256:" + hashlib.sha256(self.file).hexdigest()
        if self.error:
            out["errorMsg"] = self.error
        return out


class BulkExports:
    """The export jobs of one Marketo fake."""

    def __init__(self, fake: "MarketoFake") -> None:
        self.fake = fake
        self.jobs: dict[str, ExportJob] = {}
        self.exported_today = 0
        self._lock = threading.Lock()
        for kind in ("leads", "activities"):
            base = f"/bulk/v1/{kind}/export"
            fake.route("POST", base + "/create.json", lambda r, k=kind: self.create(r, k))
            fake.route("POST", base + "/{export_id}/enqueue.json", self.enqueue)
            fake.route("GET", base + "/{export_id}/status.json", self.status)
            fake.route("POST", base + "/{export_id}/cancel.json", self.cancel)
            fake.route("GET", base + "/{export_id}/file.json", self.file)

    @staticmethod
    def _answer(job: ExportJob) -> Response:
        return json_response(
            200,
            {"requestId": "bulk#sandbox", "success": True, "result": [job.info()], "warnings": []},
        )

    def create(self, request: Request, kind: str) -> Response:
        body = request.json() or {}
        if not isinstance(body, dict) or not isinstance(body.get("filter"), dict):
            raise ApiError(200, "1003", "filter is required")
        window_key = "createdAt" if "createdAt" in body["filter"] else "updatedAt"
        if kind == "activities" and window_key != "createdAt":
            raise ApiError(200, "1003", "createdAt filter is required for activities")
        window = body["filter"].get(window_key)
        if not isinstance(window, dict):
            raise ApiError(200, "1003", f"{window_key} filter needs startAt and endAt")
        start = _moment(window.get("startAt"), "startAt")
        end = _moment(window.get("endAt"), "endAt")
        if not start < end or end - start > MAX_WINDOW:
            raise ApiError(200, "1003", "Date range filter must be positive and at most 31 days")
        fields = body.get("fields")
        if kind == "activities":
            fields = fields or ACTIVITY_FIELDS
            unknown = set(fields) - set(ACTIVITY_FIELDS)
        else:
            unknown = set(fields or []) - set(self.fake.lead_fields)
        if not fields or unknown:
            raise ApiError(200, "1006", f"Field not found: {sorted(unknown)[:5]}")
        ids = body["filter"].get("activityTypeIds")
        job = ExportJob(
            id=f"sandbox-export-{next(_ids):06d}",
            kind=kind,
            fields=list(fields),
            start=start,
            end=end,
            by=window_key,
            type_ids={int(i) for i in ids} if ids else None,
            created=self.fake.clock.now(),
            fail=self.fake.take_bulk_failure(),
        )
        with self._lock:
            self.jobs[job.id] = job
        return self._answer(job)

    def _job(self, request: Request) -> ExportJob:
        with self._lock:
            job = self.jobs.get(request.path_params["export_id"])
        if job is None:
            raise ApiError(200, "1003", "Export job not found")
        return job

    def enqueue(self, request: Request) -> Response:
        job = self._job(request)
        with self._lock:
            if job.status != "Created":
                raise ApiError(200, "1003", f"Export job is {job.status}, not Created")
            self._advance()  # the queue drains with time, whoever asks
            waiting = sum(1 for j in self.jobs.values() if j.status in ("Queued", "Processing"))
            if waiting >= MAX_QUEUED:
                raise ApiError(200, "1029", "Too many jobs (10) in queue")
            if self.fake.enforce_limits and self.exported_today >= DAILY_EXPORT_BYTES:
                raise ApiError(200, "1029", "Export daily quota exceeded")
            job.status, job.queued = "Queued", self.fake.clock.now()
        return self._answer(job)

    def _advance(self) -> None:
        """Queued jobs start two at a time; a processing job completes after a while."""
        now = self.fake.clock.now()
        for job in sorted(self.jobs.values(), key=lambda j: j.queued or now):
            started = job.started
            if (
                job.status == "Processing"
                and started
                and (now - started).total_seconds() >= (PROCESSING_SECONDS)
            ):
                self._finish(job, now)
        processing = sum(1 for j in self.jobs.values() if j.status == "Processing")
        for job in sorted(self.jobs.values(), key=lambda j: j.queued or now):
            if job.status == "Queued" and processing < MAX_PROCESSING:
                job.status, job.started = "Processing", now
                processing += 1

    def _finish(self, job: ExportJob, now: datetime) -> None:
        job.finished = now
        if job.fail:
            job.status, job.error = "Failed", "Internal error while exporting"
            return
        content, records = self._render(job)
        if self.fake.enforce_limits and self.exported_today + len(content) > DAILY_EXPORT_BYTES:
            job.status, job.error = "Failed", "Export daily quota exceeded"
            return
        self.exported_today += len(content)
        job.file, job.records, job.status = content, records, "Completed"

    def _render(self, job: ExportJob) -> tuple[bytes, int]:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(job.fields)
        rows = self.fake.export_rows(job.kind, job.by, job.start, job.end, job.type_ids)
        count = 0
        for record in rows:
            writer.writerow([_cell(record.get(name)) for name in job.fields])
            count += 1
        return out.getvalue().encode(), count

    def status(self, request: Request) -> Response:
        job = self._job(request)
        with self._lock:
            self._advance()
        return self._answer(job)

    def cancel(self, request: Request) -> Response:
        job = self._job(request)
        with self._lock:
            if job.status in ("Created", "Queued", "Processing"):
                job.status = "Cancelled"
        return self._answer(job)

    def file(self, request: Request) -> Response:
        job = self._job(request)
        if job.status != "Completed" or job.file is None:
            raise ApiError(200, "1003", f"Export job is {job.status}, no file yet")
        if self.fake.faults.bulk_results_expired:
            raise ApiError(200, "1003", "Export file has expired")
        content = job.file
        self.fake.note_page(job.records)
        wanted = request.headers.get("Range") or ""
        if wanted.startswith("bytes="):
            first, _, last = wanted[6:].partition("-")
            start = int(first or 0)
            stop = min(len(content) - 1, int(last)) if last else len(content) - 1
            part = content[start : stop + 1]
            job.served += len(part)
            headers = {"Content-Range": f"bytes {start}-{stop}/{len(content)}"}
            return Response(206, part, headers, content_type=CSV_TYPE)
        job.served += len(content)
        return Response(200, content, {}, content_type=CSV_TYPE)
