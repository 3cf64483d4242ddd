"""One hostile-vendor trial: a fake in hostile mode, a listener for the attacker's host, one
stream extracted, then the same stream against the honest fake (what the next run sees)."""

import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from connectors.landing.duckdb import DuckDBDestination
from connectors.run import StreamResult, close_readers, extract_stream
from sandbox.fakes.faults import FaultConfig
from sandbox.fakes.foreign import BAIT_IDS, foreign_listener
from sandbox.serve import running

from .sandbox_support import expected_ids

# Short waits: the trials measure that work is bounded, not the default patience.
HOSTILE_ENV = {
    "CONNECTORS_BACKOFF_MAX": "0.2",
    "CONNECTORS_READ_TIMEOUT": "3",
    "CONNECTORS_RESPONSE_DEADLINE_SECONDS": "2",
    "CONNECTORS_MAX_ATTEMPTS": "2",
    # REST paths only: a bulk-size estimate would be the first page to meet the bad record.
    "MARKETO_BULK": "never",
    "SALESFORCE_BULK": "never",
}

# Which stream each case is tried on (the fast tests take the first of each).
CASES: dict[str, list[tuple[str, str]]] = {
    "foreign_next_url": [("salesforce", "lead")],
    "foreign_instance_url": [("salesforce", "user")],
    "redirect_foreign": [("salesforce", "lead"), ("marketo", "activities"), ("gong", "calls")],
    "repeat_cursor": [("gong", "calls"), ("salesforce", "lead"), ("marketo", "activities")],
    "trickle_body": [("gong", "users"), ("marketo", "activity_types")],
    "future_modstamp": [("salesforce", "lead"), ("marketo", "activities"), ("gong", "calls")],
    "deep_json": [("gong", "calls"), ("salesforce", "lead"), ("marketo", "activities")],
    "invalid_utf8": [("marketo", "activities"), ("salesforce", "lead"), ("gong", "calls")],
    "wrong_typed_ids": [("marketo", "leads"), ("salesforce", "lead"), ("gong", "calls")],
}
REFUSED = {"foreign_next_url", "foreign_instance_url", "redirect_foreign", "repeat_cursor"}


@dataclass
class HostileOutcome:
    case: str
    source: str
    stream: str
    error: BaseException | None
    result: StreamResult | None
    foreign_requests: int
    seconds: float
    quarantined: int
    reasons: list[str]
    bait_landed: int
    missing: int  # records of the world not landed by the hostile run itself
    # Good records (all but the quarantined bad ones) missing after the next, honest run.
    good_lost: int

    @property
    def outcome(self) -> str:
        if self.error is not None:
            return f"stopped: {type(self.error).__name__}"
        return "landed"

    def row(self) -> str:
        return (
            f"| {self.case} | {self.source}.{self.stream} | {self.outcome} | "
            f"{self.foreign_requests} | {self.seconds:.1f} | {self.good_lost} "
            f"| {self.quarantined} |"
        )


TABLE_HEADER = (
    "| case | stream | outcome | requests to the foreign host | seconds | good records lost "
    "| quarantined |\n|---|---|---|---:|---:|---:|---:|"
)


def _landed_ids(path: Path, table: str) -> set[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        exists = con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'raw' and table_name = ?",
            [table],
        ).fetchone()
        if not exists or not exists[0]:
            return set()
        return {row[0] for row in con.execute(f"select distinct id from raw.{table}").fetchall()}
    finally:
        con.close()


def _quarantine(path: Path, source: str, stream: str) -> list[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return [
            row[0]
            for row in con.execute(
                "select reason from raw._quarantine where source = ? and stream = ?",
                [source, stream],
            ).fetchall()
        ]
    except duckdb.CatalogException:
        return []
    finally:
        con.close()


def run_hostile_case(
    world: Path, work: Path, case: str, source: str, stream: str
) -> HostileOutcome:
    path = work / f"{case}-{source}-{stream}.duckdb"
    dest = DuckDBDestination(path)
    error: BaseException | None = None
    result: StreamResult | None = None
    with foreign_listener() as foreign:
        faults = FaultConfig(seed=1, hostile=case, foreign_url=foreign.base_url, sources=[source])
        with running(world, faults=faults) as sandbox:
            close_readers()
            started = time.monotonic()
            try:
                result = extract_stream(
                    source, stream, destination=dest, run_id="hostile",
                    env={**sandbox.env, **HOSTILE_ENV},
                )  # fmt: skip
            except Exception as exc:
                error = exc
            seconds = time.monotonic() - started
            close_readers()
        reached = foreign.count()
    table = f"{source}__{stream}"
    landed = _landed_ids(path, table)
    reasons = _quarantine(path, source, stream)
    bait = len(landed & set(BAIT_IDS))
    expected = expected_ids(world)[table]
    missing = len(expected - landed)
    # The next run meets an honest vendor again: it must complete the stream, and every
    # record of the world must be there (nothing skipped by a wrong cursor).
    with running(world) as sandbox:
        close_readers()
        extract_stream(source, stream, destination=dest, run_id="honest", env=sandbox.env)
        close_readers()
    lost = expected - _landed_ids(path, table)
    return HostileOutcome(
        case=case,
        source=source,
        stream=stream,
        error=error,
        result=result,
        foreign_requests=reached,
        seconds=seconds,
        quarantined=len(reasons),
        reasons=reasons,
        bait_landed=bait,
        missing=missing,
        good_lost=max(0, len(lost) - len(reasons)),
    )
