"""What a finished run did, in a few lines: per stage, and how the checks went."""

from dataclasses import dataclass, field
from typing import Any

from rich.console import Console


@dataclass
class RunReport:
    materialized: dict[str, int] = field(default_factory=dict)  # stage -> assets
    passed: int = 0
    warned: int = 0
    failed: int = 0
    failed_checks: list[str] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)


def summarize(events: Any) -> RunReport:
    """Count materializations per stage and check outcomes from a run's events."""
    report = RunReport()
    for event in events:
        if event.event_type_value == "ASSET_MATERIALIZATION":
            key = event.asset_key.path
            stage = "extracted streams" if key[0] == "raw" else f"{key[0]} assets"
            report.materialized[stage] = report.materialized.get(stage, 0) + 1
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if evaluation.passed:
                report.passed += 1
            elif evaluation.severity.value == "WARN":
                report.warned += 1
                report.failed_checks.append(f"warn  {evaluation.check_name}")
            else:
                report.failed += 1
                report.failed_checks.append(f"ERROR {evaluation.check_name}")
        elif event.is_step_failure:
            report.failed_steps.append(str(event.step_key))
    return report


def print_report(report: RunReport, console: Console) -> None:
    for stage, count in report.materialized.items():
        console.print(f"  {count:4d} {stage}")
    console.print(
        f"  checks (dbt tests, GX suites, freshness): {report.passed} passed, "
        f"{report.warned} warnings, {report.failed} errors"
    )
    for line in report.failed_checks[:10]:
        console.print(f"    [yellow]{line}[/yellow]")
