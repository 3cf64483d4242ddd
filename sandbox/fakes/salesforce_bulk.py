"""Bulk API 2.0 query jobs of the Salesforce fake (vendor-apis.md 1.8).

`POST /jobs/query` takes a SOQL query (no ORDER BY, as Bulk 2.0 refuses it) and snapshots
its answer; `GET /jobs/query/{id}` moves UploadComplete -> InProgress -> JobComplete as the
fake's clock runs (about one second plus a second per 50,000 records); `GET .../results`
serves the rows as CSV (a header, every value quoted, null as empty) in result sets paged by
`Sforce-Locator` (the literal `null` after the last), `maxRecords` at most 100,000 a set.
Failure modes (`FaultConfig.bulk_fail_jobs`, `bulk_results_expired`): the next jobs fail,
results are no longer available.
"""

import base64
import csv
import io
import itertools
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sandbox.fakes import soql
from sandbox.fakes.base import ApiError, Request, Response, dumps, json_response

if TYPE_CHECKING:
    from sandbox.fakes.salesforce import SalesforceFake

MAX_RECORDS = 100_000
DEFAULT_RECORDS = 50_000
SECONDS_PER_RECORD = 1 / 50_000
_ids = itertools.count(1)


@dataclass
class BulkJob:
    id: str
    operation: str
    sobject: str
    query: str
    fields: list[str]
    layout: tuple[str, ...]
    rows: list[bytes]
    created: datetime
    version: str
    state: str = "UploadComplete"
    error: str | None = None
    served: set[str] = field(default_factory=set)

    def info(self) -> dict[str, Any]:
        stamp = self.created.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
        body: dict[str, Any] = {
            "id": self.id,
            "operation": self.operation,
            "object": self.sobject,
            "createdById": "005SANDBOX000001AAA",
            "createdDate": stamp,
            "systemModstamp": stamp,
            "state": self.state,
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": float(self.version),
            "jobType": "V2Query",
            "lineEnding": "LF",
            "columnDelimiter": "COMMA",
        }
        if self.state == "JobComplete":
            body["numberRecordsProcessed"] = len(self.rows)
            body["retries"] = 0
            body["totalProcessingTime"] = 1000
        if self.error:
            body["errorMessage"] = self.error
        return body


def _cell(value: Any) -> str:
    """A value as Bulk 2.0 CSV writes it: booleans lower case, datetimes with Z, null empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value[:-5] + "Z" if value.endswith("+0000") else value
    if isinstance(value, dict | list):
        return dumps(value)
    return str(value)


def _locator(offset: int) -> str:
    """Opaque to clients, like Salesforce's (`MTAwMDA` is the 10,000th record)."""
    return base64.b64encode(str(offset).encode()).decode().rstrip("=")


def _offset(locator: str | None) -> int:
    if not locator:
        return 0
    try:
        return int(base64.b64decode(locator + "=" * (-len(locator) % 4)).decode())
    except ValueError:
        raise ApiError(400, "INVALID_LOCATOR", "invalid locator") from None


class BulkQueryJobs:
    """The query jobs of one Salesforce fake."""

    def __init__(self, fake: "SalesforceFake") -> None:
        self.fake = fake
        self.jobs: dict[str, BulkJob] = {}
        self._lock = threading.Lock()
        prefix = "/services/data/v{version}/jobs/query"
        fake.route("POST", prefix, self.create)
        fake.route("GET", prefix + "/{job}", self.status)
        fake.route("DELETE", prefix + "/{job}", self.delete)
        fake.route("PATCH", prefix + "/{job}", self.abort)
        fake.route("GET", prefix + "/{job}/results", self.results)

    def create(self, request: Request) -> Response:
        body = request.json() or {}
        operation = body.get("operation")
        if operation not in ("query", "queryAll"):
            raise ApiError(400, "INVALIDJOB", "operation must be query or queryAll")
        text = str(body.get("query") or "")
        try:
            parsed = soql.parse(text)
        except soql.SoqlError as exc:
            raise ApiError(400, exc.code, exc.message) from exc
        if parsed.order_by or parsed.offset or parsed.count:
            raise ApiError(
                400, "INVALIDJOB", "ORDER BY, OFFSET and COUNT() are not supported by Bulk API 2.0"
            )
        version = request.path_params["version"]
        fake = self.fake
        try:
            with fake.lock:
                table = fake.tables.get(parsed.sobject) or fake._table_ci(parsed.sobject)
                plan = soql.resolve(parsed, fake._field_types(table))
                rows, start, total = table.select(plan, operation == "queryAll")
        except soql.SoqlError as exc:
            raise ApiError(400, exc.code, exc.message) from exc
        job = BulkJob(
            id=f"750SANDBOX{next(_ids):08d}",
            operation=operation,
            sobject=table.name,
            query=text,
            fields=plan.fields,
            layout=table.layout,
            rows=rows[start : start + total],
            created=fake.clock.now(),
            version=version,
        )
        with self._lock:
            if fake.take_bulk_failure():
                job.error = "InternalServerError : retry the job"
            self.jobs[job.id] = job
        return json_response(200, job.info())

    def _job(self, request: Request) -> BulkJob:
        with self._lock:
            job = self.jobs.get(request.path_params["job"])
        if job is None:
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        return job

    def _advance(self, job: BulkJob) -> None:
        if job.state in ("JobComplete", "Failed", "Aborted"):
            return
        elapsed = (self.fake.clock.now() - job.created).total_seconds()
        if job.state == "UploadComplete":
            job.state = "InProgress"  # every job is seen in progress once
        elif elapsed >= 1 + len(job.rows) * SECONDS_PER_RECORD:
            job.state = "Failed" if job.error else "JobComplete"

    def status(self, request: Request) -> Response:
        job = self._job(request)
        with self._lock:
            self._advance(job)
        return json_response(200, job.info())

    def delete(self, request: Request) -> Response:
        job = self._job(request)
        with self._lock:
            self.jobs.pop(job.id, None)
        return Response(204, b"")

    def abort(self, request: Request) -> Response:
        job = self._job(request)
        if (request.json() or {}).get("state") != "Aborted":
            raise ApiError(400, "INVALIDJOBSTATE", "only state Aborted can be set")
        with self._lock:
            job.state = "Aborted"
        return json_response(200, job.info())

    def results(self, request: Request) -> Response:
        job = self._job(request)
        if job.state != "JobComplete":
            raise ApiError(
                412,
                "JOB_NOT_COMPLETE",
                f"can only download query results of successfully completed bulk job {job.id}",
            )
        if self.fake.faults.bulk_results_expired:
            raise ApiError(404, "NOT_FOUND", "the results of this job are no longer available")
        start = _offset(request.param("locator"))
        asked = request.param("maxRecords")
        size = min(MAX_RECORDS, int(asked)) if asked and asked.isdigit() else DEFAULT_RECORDS
        rows = job.rows[start : start + size]
        out = io.StringIO()
        writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(job.fields)
        for row in rows:
            record = self.fake.decode_row(row, job.layout)
            writer.writerow([_cell(record.get(name)) for name in job.fields])
        following = start + len(rows)
        self.fake.note_page(len(rows))
        return Response(
            200,
            out.getvalue().encode(),
            {
                "Sforce-NumberOfRecords": str(len(rows)),
                "Sforce-Locator": _locator(following) if following < len(job.rows) else "null",
            },
            content_type="text/csv;charset=UTF-8",
        )
