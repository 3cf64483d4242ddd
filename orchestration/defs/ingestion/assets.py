"""One asset per source stream, grouped by source; one step extracts the selection.

The connectors do the work (plain Python, no Dagster); this module only maps their streams
to assets and their results to materialization metadata.
"""

import dagster as dg

from connectors.core import redact
from connectors.registry import STREAMS, VENDORS
from connectors.run import StreamResult, extract_sources
from connectors.settings import Settings
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


QUARANTINE_CHECK = "quarantine"


def quarantine_check_specs() -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            QUARANTINE_CHECK,
            asset=ingestion_asset_key(source, stream.name),
            # Not blocking: a blocking failure would fail the extraction step, whose retry would
            # then pass (the bad records are behind the cursor) and let the run go on anyway.
            blocking=False,
            description=(
                "Records of this run set aside in raw._quarantine (unparseable, unkeyed, too "
                "deep, not UTF-8): a warning for any, an error above "
                "CONNECTORS_QUARANTINE_MAX_SHARE of the records sent."
            ),
        )
        for source, streams in STREAMS.items()
        for stream in streams
    ]


def _materialization(key: dg.AssetKey, result: StreamResult) -> dg.MaterializeResult:
    return dg.MaterializeResult(
        asset_key=key,
        metadata={
            "records_sent": result.records_sent,
            "loaded": result.loaded,
            "quarantined": result.quarantined,
            "future_dated": result.future_dated,
            "pages": result.pages,
            "requests": result.requests,
            "seconds": float(result.seconds),
            "cursor_before": str(result.cursor_before),
            "cursor_after": str(result.cursor_after),
            "stopped_early": str(result.stopped_early or ""),
        },
    )


def _quarantine_check(key: dg.AssetKey, result: StreamResult, max_share: float):  # type: ignore[no-untyped-def]
    share = result.quarantined_share
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=QUARANTINE_CHECK,
        passed=result.quarantined == 0,
        severity=dg.AssetCheckSeverity.ERROR if share > max_share else dg.AssetCheckSeverity.WARN,
        metadata={
            "quarantined": result.quarantined,
            "records_sent": result.records_sent,
            "share": float(share),
            "max_share": float(max_share),
            "table": "raw._quarantine",
        },
        description=(
            f"{result.quarantined} of {result.records_sent} records quarantined "
            f"(see raw._quarantine where _run_id is this run)"
            if result.quarantined
            else "nothing quarantined"
        ),
    )


@dg.multi_asset(
    name="extract_sources",
    specs=[spec for source in STREAMS for spec in stream_specs(source)],
    check_specs=quarantine_check_specs(),
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
    with operator_errors():
        settings = warehouse.settings()
    plan: dict[str, list[str] | None] = {}
    for key in sorted(context.selected_asset_keys, key=lambda k: k.to_user_string()):
        source, stream = key.path[-2], key.path[-1]
        plan.setdefault(source, []).append(stream)  # type: ignore[union-attr]
    with operator_errors(settings):
        destination = warehouse.destination()
    # Each vendor resource sets its own variables, so one mapping serves every source.
    env = {k: v for source in plan for k, v in getattr(context.resources, source).as_env().items()}
    connector_settings = Settings(env)
    with operator_errors(settings):  # every setting checked before anything is sent
        connector_settings.validate([VENDORS[source] for source in plan])
    max_share = connector_settings.value("CONNECTORS_QUARANTINE_MAX_SHARE")
    checks = {key.asset_key for key in context.selected_asset_check_keys}
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
            if result.stopped_early:
                context.log.warning(result.stopped_early)
            key = ingestion_asset_key(result.source, result.stream)
            yield _materialization(key, result)
            if key in checks:
                yield _quarantine_check(key, result, max_share)
    failed = [o for o in outcomes if o.error is not None]
    for outcome in failed:
        context.log.error(f"{outcome.source}: {redact(str(outcome.error))}")
    if failed:
        # The first failure decides how the step ends (a setting to fix, or a retry).
        with operator_errors(settings):
            raise failed[0].error  # type: ignore[misc]


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[extract_sources_step])
