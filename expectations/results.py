"""Plain result objects (no GX types leak out) and their table in the warehouse."""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from connectors.destinations.duckdb_lock import connect as connect_duckdb

RESULTS_TABLE = "dq.expectation_results"

_DDL = """
create schema if not exists dq;
create table if not exists dq.expectation_results (
    run_id VARCHAR NOT NULL,
    suite VARCHAR NOT NULL,
    expectation VARCHAR NOT NULL,
    "column" VARCHAR,
    success BOOLEAN NOT NULL,
    severity VARCHAR NOT NULL,
    observed_value VARCHAR,
    unexpected_count BIGINT,
    unexpected_share DOUBLE,
    evaluated_at TIMESTAMPTZ NOT NULL,
    expectation_type VARCHAR,
    failing_ids_sample VARCHAR
)
"""
_COLUMNS = (
    "run_id",
    "suite",
    "expectation",
    '"column"',
    "success",
    "severity",
    "observed_value",
    "unexpected_count",
    "unexpected_share",
    "evaluated_at",
    "expectation_type",
    "failing_ids_sample",
)


@dataclass(frozen=True)
class RuleResult:
    suite: str
    expectation: str  # the rule's name in the suite file
    expectation_type: str  # the GX expectation it runs
    column: str
    success: bool
    severity: str  # "error" | "warn"
    observed_value: str | None
    unexpected_count: int | None
    unexpected_share: float | None  # of the rows the rule evaluated (non-NULL, filtered)
    failing_ids: tuple[str, ...]  # a sample of the id_column of failing rows
    description: str = ""

    @property
    def blocks(self) -> bool:
        return not self.success and self.severity == "error"


@dataclass(frozen=True)
class SuiteRun:
    suite: str
    table: str
    run_id: str
    evaluated_at: datetime
    row_count: int
    results: tuple[RuleResult, ...]
    data_docs_path: Path | None

    @property
    def success(self) -> bool:
        return all(r.success for r in self.results)

    @property
    def blocking_failures(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.results if r.blocks)

    @property
    def warnings(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.results if not r.success and r.severity == "warn")

    def result(self, expectation: str) -> RuleResult:
        for r in self.results:
            if r.expectation == expectation:
                return r
        raise KeyError(f"suite {self.suite!r} has no result for {expectation!r}")

    def failed(self) -> list[str]:
        return [r.expectation for r in self.results if not r.success]


def _rows(runs: Iterable[SuiteRun]) -> list[tuple[object, ...]]:
    return [
        (
            run.run_id,
            run.suite,
            r.expectation,
            r.column,
            r.success,
            r.severity,
            r.observed_value,
            r.unexpected_count,
            r.unexpected_share,
            run.evaluated_at,
            r.expectation_type,
            json.dumps(list(r.failing_ids), ensure_ascii=False),
        )
        for run in runs
        for r in run.results
    ]


def persist_duckdb(path: Path, runs: Sequence[SuiteRun]) -> int:
    """Append the results; short connection because the pipeline is the single writer."""
    rows = _rows(runs)
    placeholders = ", ".join("?" for _ in _COLUMNS)
    with connect_duckdb(path) as con:
        con.execute(_DDL)
        if rows:
            con.executemany(
                f"insert into {RESULTS_TABLE} ({', '.join(_COLUMNS)}) values ({placeholders})",
                rows,
            )
    return len(rows)


def persist_postgres(dsn: str, runs: Sequence[SuiteRun]) -> int:
    import psycopg

    rows = _rows(runs)
    ddl = _DDL.replace("DOUBLE", "DOUBLE PRECISION")
    placeholders = ", ".join("%s" for _ in _COLUMNS)
    with psycopg.connect(dsn) as con, con.cursor() as cur:
        for statement in filter(str.strip, ddl.split(";")):
            cur.execute(statement)
        if rows:
            cur.executemany(
                f"insert into {RESULTS_TABLE} ({', '.join(_COLUMNS)}) values ({placeholders})",
                rows,
            )
    return len(rows)
