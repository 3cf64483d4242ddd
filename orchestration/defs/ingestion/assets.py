"""One asset per source stream, grouped by source; one op per source extracts the selection.

The connectors do the work (plain Python, no Dagster); this module only maps their streams
to assets and their results to materialization metadata.
"""

import dagster as dg

from connectors.run import extract_stream
from connectors.streams import STREAMS
from orchestration.lib.errors import operator_errors
from orchestration.lib.translator import ingestion_asset_key

INGESTION_OWNER = "team:data-engineering"
# Transient vendor trouble is retried inside the connectors; this retries the whole step once
# more after a crash, resuming from the last committed cursor (nothing is lost or doubled).
INGESTION_RETRY = dg.RetryPolicy(
    max_retries=2, delay=10, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
# DuckDB allows one writer: every step that writes the warehouse runs in this pool (limit 1).
WAREHOUSE_WRITER_POOL = "warehouse_writer"


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


def build_source_assets(source: str) -> dg.AssetsDefinition:
    @dg.multi_asset(
        name=f"extract_{source}",
        specs=stream_specs(source),
        can_subset=True,
        retry_policy=INGESTION_RETRY,
        pool=WAREHOUSE_WRITER_POOL,
        required_resource_keys={source, "warehouse"},
    )
    def _ingest(context: dg.AssetExecutionContext):  # type: ignore[no-untyped-def]
        vendor = getattr(context.resources, source)
        warehouse = context.resources.warehouse
        with operator_errors(warehouse.settings().path):
            destination = warehouse.destination()
        for key in sorted(context.selected_asset_keys, key=lambda k: k.to_user_string()):
            with operator_errors(warehouse.settings().path):
                result = extract_stream(
                    source,
                    key.path[-1],
                    destination=destination,
                    run_id=context.run.run_id,
                    env=vendor.as_env(),
                )
            context.log.info(
                f"{source}.{key.path[-1]}: sent={result.records_sent} loaded={result.loaded} "
                f"quarantined={result.quarantined} requests={result.requests}"
            )
            yield dg.MaterializeResult(
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

    return _ingest


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[build_source_assets(source) for source in STREAMS])
