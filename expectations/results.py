"""Plain result objects (no GX types leak out) and their table in the warehouse."""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dwh.settings import WarehouseSettings
from dwh.sql import sql_session

RESULTS_TABLE = "dq.expectation_results"
# Per incremental suite, the highest `incremental_by` value validated: the next run starts
# above it. Deleting a suite's row makes its next run validate the whole table.
MARKS_TABLE = "dq.validation_marks"
MARKS_EXIST_SQL = (
    "select count(*) from information_schema.tables"
    " where table_schema = 'dq' and table_name = 'validation_marks'"
)
MARKS_SQL = f"select suite, validated_through from {MARKS_TABLE}"

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
    unexpected_share DOUBLE PRECISION,
    evaluated_at TIMESTAMPTZ NOT NULL,
    expectation_type VARCHAR,
    failing_ids_sample VARCHAR
);
create table if not exists dq.validation_marks (
    suite VARCHAR PRIMARY KEY,
    "column" VARCHAR NOT NULL,
    validated_through BIGINT NOT NULL,
    rows_validated BIGINT NOT NULL,
    run_id VARCHAR NOT NULL,
    evaluated_at TIMESTAMPTZ NOT NULL
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
    remedy: str = ""  # for a failed rule with a `fix:` block: what to change, and where

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
    # For a suite with `incremental_by`: the highest value among the rows validated.
    validated_through: int | None = None
    incremental_by: str | None = None

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


def _marks(runs: Iterable[SuiteRun]) -> list[tuple[object, ...]]:
    return [
        (r.suite, r.incremental_by, r.validated_through, r.row_count, r.run_id, r.evaluated_at)
        for r in runs
        if r.validated_through is not None
    ]


def persist(warehouse: WarehouseSettings, runs: Sequence[SuiteRun]) -> int:
    """Append the results and move the marks in one transaction (a crash between the two
    would skip rows next time); short session because the pipeline is the single writer."""
    rows, marks = _rows(runs), _marks(runs)
    placeholders = ", ".join("?" for _ in _COLUMNS)
    with sql_session(warehouse) as sql:
        for statement in filter(str.strip, _DDL.split(";")):
            sql.execute(statement)
        with sql.transaction():
            sql.executemany(
                f"insert into {RESULTS_TABLE} ({', '.join(_COLUMNS)}) values ({placeholders})",
                rows,
            )
            for mark in marks:
                sql.execute(f"delete from {MARKS_TABLE} where suite = ?", [mark[0]])
                sql.execute(f"insert into {MARKS_TABLE} values (?, ?, ?, ?, ?, ?)", list(mark))
    return len(rows)
