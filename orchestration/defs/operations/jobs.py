"""Operator jobs: re-sync one stream (full re-read, or re-read from a time)."""

from collections.abc import Mapping

import dagster as dg

from connectors.registry import STREAMS
from orchestration.defs.ingestion.assets import WAREHOUSE_WRITER_POOL
from orchestration.defs.ingestion.resources import WarehouseResource
from orchestration.lib.errors import operator_errors
from orchestration.lib.run_limits import max_runtime_tags

ACTIVE = [dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING]


class ResyncConfig(dg.Config):
    """Which stream, and from when (ISO-8601; empty = forget the cursor: read everything)."""

    source: str
    stream: str
    from_time: str = ""


def _check_stream(source: str, stream: str) -> None:
    if source not in STREAMS or stream not in {s.name for s in STREAMS[source]}:
        known = {name: [s.name for s in streams] for name, streams in STREAMS.items()}
        raise dg.Failure(f"no stream {source}.{stream}; known: {known}", allow_retries=False)


@dg.op(
    pool=WAREHOUSE_WRITER_POOL,
    description=(
        "Resets the committed state of one stream (full re-sync) or rewinds it to from_time; "
        "refused while another run is active or another process writes the warehouse. The "
        "next ingestion run reads the stream again."
    ),
)
def resync_stream_op(
    context: dg.OpExecutionContext, config: ResyncConfig, warehouse: WarehouseResource
) -> None:
    from connectors.core.timeutil import parse_datetime
    from connectors.resync import resync_stream

    _check_stream(config.source, config.stream)
    active = context.instance.get_runs(filters=dg.RunsFilter(statuses=ACTIVE))
    others = [run.run_id for run in active if run.run_id != context.run_id]
    if others:
        raise dg.Failure(
            f"re-sync refused: run(s) {', '.join(others)} are active and would overwrite the "
            "reset with their next commit; launch it again when they have ended",
            allow_retries=False,
        )
    since = parse_datetime(config.from_time) if config.from_time else None
    with operator_errors():
        settings = warehouse.settings()
    with operator_errors(settings):
        done = resync_stream(
            settings, config.source, config.stream, since=since, run_id=context.run_id
        )
    context.log.info(done.describe())
    # The run records what it did: visible in the UI's run list and filterable by tag.
    context.instance.add_run_tags(
        context.run_id,
        {
            "resync/stream": f"{done.source}.{done.stream}",
            "resync/mode": done.mode,
            "resync/cursor_before": done.cursor_before or "",
            "resync/cursor_after": done.cursor_after or "",
        },
    )


def resync_job(run_tags: Mapping[str, str]) -> dg.JobDefinition:
    @dg.job(
        name="resync_stream",
        description="Re-sync one stream: run config source, stream and (optional) from_time.",
        tags=run_tags,
    )
    def resync_stream() -> None:
        resync_stream_op()

    return resync_stream


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(jobs=[resync_job(max_runtime_tags())])
