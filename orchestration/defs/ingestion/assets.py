"""One asset per source stream, grouped by source; one step extracts the selection.

The connectors do the work (plain Python, no Dagster); this module only maps their streams
to assets and their results to materialization metadata.
"""

import dagster as dg

from connectors.core import redact
from connectors.run import StreamResult, extract_sources
from connectors.streams import STREAMS
from orchestration.lib.errors import operator_errors
from orchestration.lib.progress import ExtractionProgress, reporting
from orchestration.lib.translator import ingestion_asset_key

INGESTION_OWNER = "team:data-engineering"
# Transient vendor trouble is retried inside the connectors; this retries the whole step once
# more after a crash, resuming from the last committed cursor (nothing is lost or doubled).
INGESTION_RETRY = dg.RetryPolicy(
    max_retries=2, delay=10, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
# DuckDB allows one writer: every step that writes the warehouse runs in this pool (limit 1).
WAREHOUSE_WRITER_POOL = "warehouse_writer"
# While the step runs, one progress line per source (records, pages, rate) this often.
PROGRESS_SECONDS = 5.0


def stream_specs(source: str) -> list[dg.AssetSpec]:
    return [
        dg.AssetSpec(
            key=ingestion_asset_key(source, stream.name),
            description=stream.description,
            group_name=source,
            kinds={source, "python", "duckdb"},
            owners=[INGESTION_OWNER],
            metadata={
                "primary_key": str(stream.primary_key),
                "cursor_field": str(stream.cursor_field or "full refresh"),
                "table": f"raw.{source}__{stream.name}",
            },
        )
        for stream in STREAMS[source]
    ]


def _materialization(key: dg.AssetKey, result: StreamResult) -> dg.MaterializeResult:
    return dg.MaterializeResult(
        asset_key=key,
        metadata={
            "records_sent": result.records_sent,
            "loaded": result.loaded,
            "quarantined": result.quarantined,
            "pages": result.pages,
            "requests": result.requests,
            "seconds": float(result.seconds),
            "cursor_before": str(result.cursor_before),
            "cursor_after": str(result.cursor_after),
        },
    )


@dg.multi_asset(
    name="extract_sources",
    specs=[spec for source in STREAMS for spec in stream_specs(source)],
    can_subset=True,
    retry_policy=INGESTION_RETRY,
    pool=WAREHOUSE_WRITER_POOL,
    required_resource_keys={*STREAMS, "warehouse"},
)
def extract_sources_step(context: dg.AssetExecutionContext):  # type: ignore[no-untyped-def]
    """The selected streams, the sources side by side (one thread each, see
    connectors.run.extract_sources). A failing source does not stop the others: their streams
    are materialized, then the step fails naming the source and the setting to fix."""
    warehouse = context.resources.warehouse
    path = warehouse.settings().path
    plan: dict[str, list[str] | None] = {}
    for key in sorted(context.selected_asset_keys, key=lambda k: k.to_user_string()):
        source, stream = key.path[-2], key.path[-1]
        plan.setdefault(source, []).append(stream)  # type: ignore[union-attr]
    with operator_errors(path):
        destination = warehouse.destination()
    # Each vendor resource sets its own variables, so one mapping serves every source.
    env = {k: v for source in plan for k, v in getattr(context.resources, source).as_env().items()}
    progress = ExtractionProgress({source: streams or [] for source, streams in plan.items()})
    with reporting(progress, context.log.info, every=PROGRESS_SECONDS):
        outcomes = extract_sources(
            plan,
            destination=destination,
            run_id=context.run.run_id,
            env=env,
            on_page=progress.on_page,
        )
    for outcome in outcomes:
        for result in outcome.results:
            context.log.info(
                f"{result.source}.{result.stream}: sent={result.records_sent} "
                f"loaded={result.loaded} quarantined={result.quarantined} "
                f"requests={result.requests}"
            )
            yield _materialization(ingestion_asset_key(result.source, result.stream), result)
    failed = [o for o in outcomes if o.error is not None]
    for outcome in failed:
        context.log.error(f"{outcome.source}: {redact(str(outcome.error))}")
    if failed:
        # The first failure decides how the step ends (a setting to fix, or a retry).
        with operator_errors(path):
            raise failed[0].error  # type: ignore[misc]


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[extract_sources_step])
