"""What a finished Dagster run did, told honestly: the warehouse it used, the steps that failed,
and its checks, counting those that never ran apart from those that passed.

A failed dbt build emits no check results for the models it did not build: counting only the
results that arrived read "178 passed, 0 errors" after a build that failed. Here a run with a
failed step is reported as failed first, and every planned check without a result is "not run".
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from dwh.settings import WarehouseSettings

TARGET_LABELS = {"duckdb": "DuckDB", "postgres": "Postgres"}


def warehouse_label(settings: WarehouseSettings) -> str:
    """The target and where it is, never a credential (the DSN's user and password are left out)."""
    if settings.is_postgres:
        dsn = urlsplit(settings.postgres_dsn)
        where = f"{dsn.hostname or '127.0.0.1'}:{dsn.port or 5432}/{dsn.path.lstrip('/')}"
        return f"{TARGET_LABELS['postgres']} ({where})"
    return f"{TARGET_LABELS['duckdb']} ({settings.path})"


@dataclass
class RunReport:
    warehouse: str
    succeeded: bool
    failed_steps: list[str] = field(default_factory=list)
    skipped_steps: list[str] = field(default_factory=list)
    materialized: dict[str, int] = field(default_factory=dict)
    passed: int = 0
    warned: int = 0
    failed: int = 0
    not_run: int = 0
    failed_checks: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        status = "succeeded" if self.succeeded else "FAILED"
        out = [f"Run {status} on {self.warehouse}"]
        if self.failed_steps:
            out.append(f"  failed steps: {', '.join(self.failed_steps)}")
        if self.skipped_steps:
            out.append(f"  skipped steps (upstream failed): {', '.join(self.skipped_steps)}")
        out += [f"  {count:4d} {stage}" for stage, count in self.materialized.items()]
        out.append(
            f"  checks (dbt tests, GX suites, freshness): {self.passed} passed, "
            f"{self.warned} warnings, {self.failed} errors, {self.not_run} not run"
        )
        out += [f"    {line}" for line in self.failed_checks[:10]]
        return out


def _stage(asset_path: list[str]) -> str:
    return "extracted streams" if asset_path[0] == "raw" else f"{asset_path[0]} assets"


def planned_check_keys(result: Any) -> set[Any]:
    """The checks an in-process run was asked to evaluate (its selection, else its job's)."""
    selection = result.dagster_run.asset_check_selection
    if selection is not None:
        return set(selection)
    return set(result.job_def.asset_layer.asset_graph.asset_check_keys)


def report_in_process_run(result: Any, warehouse: str) -> RunReport:
    return build_run_report(
        result.all_events,
        succeeded=result.success,
        warehouse=warehouse,
        planned_checks=planned_check_keys(result),
    )


def build_run_report(
    events: Iterable[Any],
    *,
    succeeded: bool,
    warehouse: str,
    planned_checks: Iterable[Any] = (),
) -> RunReport:
    """From a run's events (`result.all_events` of an in-process run, or the event log) and
    the checks it planned (ASSET_CHECK_EVALUATION_PLANNED events count too)."""
    report = RunReport(warehouse=warehouse, succeeded=succeeded)
    planned: set[Any] = set(planned_checks)
    evaluated: set[Any] = set()
    for event in events:
        kind = event.event_type_value
        data = event.event_specific_data
        if kind == "STEP_FAILURE":
            report.failed_steps.append(event.step_key)
        elif kind == "STEP_SKIPPED":
            report.skipped_steps.append(event.step_key)
        elif kind == "ASSET_MATERIALIZATION":
            stage = _stage(event.asset_key.path)
            report.materialized[stage] = report.materialized.get(stage, 0) + 1
        elif kind == "ASSET_CHECK_EVALUATION_PLANNED":
            planned.add(data.asset_check_key)
        elif kind == "ASSET_CHECK_EVALUATION":
            evaluated.add(data.asset_check_key)
            if data.passed:
                report.passed += 1
            elif data.severity.value == "WARN":
                report.warned += 1
                report.failed_checks.append(f"warn  {data.check_name}")
            else:
                report.failed += 1
                report.failed_checks.append(f"ERROR {data.check_name}")
    report.not_run = len(planned - evaluated)
    # A step can fail without a failed check (a model that does not build): never a success.
    report.succeeded = succeeded and not report.failed_steps
    return report
