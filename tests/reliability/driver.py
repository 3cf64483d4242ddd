"""Child-process driver: run the Dagster job `full_pipeline` once and report on stdout.

Reliability tests start it with `python -m tests.reliability.driver` so that they can SIGKILL
the pipeline at any moment, or run it in a hostile environment (bad credentials, unwritable
paths, RLIMIT_FSIZE), without touching the test process. Everything comes from the
environment, exactly like a production run: sandbox URLs and credentials, WAREHOUSE_PATH,
WAREHOUSE_PUBLISHED_PATH, DATA_DOCS_DIR, DAGSTER_HOME.

Output: Dagster's console log at DEBUG on stderr (one line per event, so a parent can see which
step started), then one line `RESULT {json}` on stdout: success flag, failed steps and the
failure messages.
"""

import json
import os
import sys

RESULT_PREFIX = "RESULT "


def _failure_messages(result) -> list[str]:  # type: ignore[no-untyped-def]
    """Each failure event's message with its error and the error's cause chain, as a user sees
    them in the Dagster UI."""
    messages: list[str] = []
    for event in result.all_events:
        if event.is_failure:
            parts = [event.message or ""]
            error = getattr(event.event_specific_data, "error", None)
            while error is not None:
                parts.append(f"{error.cls_name}: {error.message.strip()}")
                error = error.cause
            messages.append("\n".join(parts))
    return messages


def _record_totals(result) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Sum of the extract assets' materialization metadata: sent, loaded, quarantined."""
    totals = {"records_sent": 0, "loaded": 0, "quarantined": 0}
    for event in result.all_events:
        if event.event_type_value != "ASSET_MATERIALIZATION":
            continue
        metadata = event.event_specific_data.materialization.metadata
        for name in totals:
            if name in metadata:
                totals[name] += int(metadata[name].value)
    return totals


def main() -> int:
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import dagster as dg

    from orchestration.definitions import defs

    job = defs().resolve_job_def("full_pipeline")
    log_level = os.environ.get("RELIABILITY_LOG_LEVEL", "DEBUG")
    result = job.execute_in_process(
        run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
        instance=dg.DagsterInstance.get(),
        raise_on_error=False,
    )
    failed_steps = sorted({e.step_key for e in result.all_events if e.is_step_failure})
    report = {
        "success": result.success,
        "run_id": result.run_id,
        "failed_steps": failed_steps,
        "failures": _failure_messages(result),
        "records": _record_totals(result),
    }
    print(RESULT_PREFIX + json.dumps(report), flush=True)
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
