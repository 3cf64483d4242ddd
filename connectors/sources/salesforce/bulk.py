"""Salesforce Bulk API 2.0 query jobs for large passes (vendor-apis.md 1.8).

A first load, a re-sync or a large backfill reads its records through one `queryAll` job
instead of thousands of 2,000-record REST pages: create the job, poll it (with backoff, under
a deadline), then page its CSV results by `Sforce-Locator`. The job id and the locator of the
next result set live in the stream state (`StreamState.bulk`), committed with the records
before them, so a restarted run resumes the same job where it stopped; a failed job, or
results that expired, is created again from the same cursor (at most twice).
"""

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from connectors.core.csv_text import dict_rows
from connectors.core.errors import VendorError
from connectors.core.paging import HeaderTokenPaginator, Request, paginate
from connectors.core.polling import poll_until_done
from connectors.core.state import BulkPass, StreamState
from connectors.core.vendor import DeferredPage, Page, StreamRun

if TYPE_CHECKING:
    from connectors.sources.salesforce.reader import SalesforceReader

RESULTS = HeaderTokenPaginator(header="Sforce-Locator", param="locator")
JOB_ATTEMPTS = 3  # a failed job or expired results: created again from the same cursor
NUMBERS = {"int": int, "double": float, "currency": float, "percent": float, "long": int}


class JobGone(Exception):
    """The job failed or was aborted, or its results are no longer there."""


def record_of(row: dict[str, str], types: dict[str, str], sobject: str, api: str) -> dict:
    """A CSV row as the REST API would have typed it (booleans, numbers, null for empty)."""
    record: dict[str, Any] = {}
    for name, text in row.items():
        if text == "":
            record[name] = None
            continue
        kind = types.get(name, "string")
        if kind == "boolean":
            record[name] = text == "true"
        elif kind in NUMBERS:
            try:
                record[name] = NUMBERS[kind](text)
            except ValueError:
                record[name] = text  # kept as sent; staging lists it as unparseable
        else:
            record[name] = text
    url = f"{api}/sobjects/{sobject}/{record.get('Id')}"
    return {"attributes": {"type": sobject, "url": url}, **record}


class SalesforceBulk:
    def __init__(self, reader: "SalesforceReader") -> None:
        self.reader = reader

    def wanted(self, run: StreamRun, cursor: str) -> bool:
        """A pass under way continues; a first load, a re-sync, or an increment after a large
        pass asks COUNT() (one call) and goes bulk at SALESFORCE_BULK_MIN_RECORDS or more."""
        if run.state.bulk is not None:
            return True
        mode = self.reader.settings.value("SALESFORCE_BULK")
        if mode != "auto":
            return mode == "always"
        threshold = self.reader.settings.value("SALESFORCE_BULK_MIN_RECORDS")
        if run.state.cursor is not None and (run.state.last_pass_records or 0) < threshold:
            return False
        return self.reader.count(run.stream.endpoint, cursor, run.state.cursor) >= threshold

    # -- one job -----------------------------------------------------------------------
    def _jobs_url(self, suffix: str = "") -> str:
        return self.reader._url(f"{self.reader._api()}/jobs/query{suffix}")

    def _create(self, sobject: str, cursor: str, since: datetime | None) -> str:
        query = self.reader.soql(sobject, cursor, since, ordered=False)
        body = self.reader.client.request(
            "POST", self._jobs_url(), json={"operation": "queryAll", "query": query}
        ).body
        if not isinstance(body, dict) or not body.get("id"):
            raise VendorError(f"salesforce: creating a bulk job for {sobject} answered {body}")
        return str(body["id"])

    def _wait(self, job_id: str) -> None:
        """Until the job completes; JobGone when it failed or was aborted."""

        def complete() -> bool | None:
            body = self.reader.client.request("GET", self._jobs_url(f"/{job_id}")).body
            state = body.get("state") if isinstance(body, dict) else None
            if state in ("Failed", "Aborted"):
                raise JobGone(f"bulk job {job_id} {state}: {body.get('errorMessage', '')}")
            return True if state == "JobComplete" else None

        settings = self.reader.settings
        poll_until_done(
            complete,
            what=f"salesforce: bulk job {job_id}",
            deadline_seconds=settings.value("CONNECTORS_BULK_JOB_DEADLINE_SECONDS"),
            longest_pause=settings.value("CONNECTORS_BULK_POLL_MAX_SECONDS"),
        )

    def _result_sets(
        self, run: StreamRun, job_id: str, locator: str | None
    ) -> Iterator[tuple[bytes, str | None]]:
        """(CSV body, locator of the next set or None) per result set, from `locator` on."""
        reader = self.reader
        size = reader.settings.value("SALESFORCE_BULK_RESULT_RECORDS")
        params: dict[str, Any] = {"maxRecords": size}
        if locator:
            params["locator"] = locator
        request = Request(
            "GET",
            self._jobs_url(f"/{job_id}/results"),
            params=params,
            headers={"Accept": "text/csv"},
            decode=False,
        )
        try:
            for answer in paginate(reader.client, request, RESULTS, run.budget):
                following = answer.response.headers.get("Sforce-Locator")
                yield answer.body or b"", None if answer.last else following
        except VendorError as exc:
            if "NOT_FOUND" in str(exc):  # the results expired (or the job was deleted)
                raise JobGone(str(exc)) from None
            raise

    def _records(self, run: StreamRun, body: bytes, types: dict[str, str]) -> list[dict]:
        sobject = run.stream.endpoint
        api = self.reader._api()
        rows = dict_rows(body.decode("utf-8", "surrogateescape"))
        return [record_of(row, types, sobject, api) for row in rows]

    # -- the pass ------------------------------------------------------------------------
    def read(self, run: StreamRun, cursor: str) -> Iterator[Page | DeferredPage]:
        """The pass's pages. Result sets are fetched ahead and parsed by the consumer
        (`DeferredPage`), in order: the records counted and the cursor's progress are kept
        by the parsing, so each page's state is built when it is parsed."""
        sobject = run.stream.endpoint
        bulk = run.state.bulk or BulkPass(since=run.state.cursor, until=run.started_at)
        progress = run.progress(bulk.since, cursor)  # unordered: committed only at the end
        counted = bulk.records  # records parsed in this pass so far (by the consumer)
        # Before the first page: a describe is a call and rewrites what `described` reads,
        # so it must not happen while the consumer parses a page in its own thread.
        types = self.reader.field_types(sobject)

        def state(at: BulkPass) -> StreamState:
            return self.reader.described(run, bulk=replace(at, records=counted))

        def opened(at: BulkPass) -> Page:
            return Page([], state(at))

        def page(body: bytes, at: BulkPass, last: bool) -> Page:
            nonlocal counted
            records = self._records(run, body, types)
            progress.observe(records)
            counted += len(records)
            if not last:
                return Page(records, state(at))
            reached = progress.final() or at.since
            done = self.reader.described(run, cursor=reached, bulk=None, last_pass_records=counted)
            return Page(records, done)

        for attempt in range(1, JOB_ATTEMPTS + 1):
            if bulk.job_id is None:
                bulk = replace(
                    bulk, job_id=self._create(sobject, cursor, bulk.since), position=None
                )
                yield DeferredPage(partial(opened, bulk))  # resumable from here
            try:
                self._wait(str(bulk.job_id))
                for body, following in self._result_sets(run, str(bulk.job_id), bulk.position):
                    bulk = replace(bulk, position=following)
                    yield DeferredPage(partial(page, body, bulk, following is None))
                    if following is None:
                        return
            except JobGone as gone:
                if attempt == JOB_ATTEMPTS:
                    raise VendorError(f"salesforce: {sobject} bulk pass gave up: {gone}") from None
                bulk = replace(bulk, job_id=None, position=None)
