"""Jobs: the whole pipeline, and one ingestion job per registered source."""

import dagster as dg

from connectors.registry import STREAMS

# In-process: on a 2-core machine a step process costs ~1.3 s, and steps that write DuckDB
# must run one at a time anyway (single writer).
full_pipeline = dg.define_asset_job(
    "full_pipeline",
    # Checks too: dbt's tests of the connectors' state table (meta.stream_state, not an asset
    # of ours) would otherwise run unselected, with a warning per test.
    selection=dg.AssetSelection.all() | dg.AssetSelection.all_asset_checks(),
    executor_def=dg.in_process_executor,
    description="Extract every stream, build every dbt model and check, then publish.",
)

source_jobs = [
    dg.define_asset_job(
        f"{source}_ingestion",
        selection=dg.AssetSelection.groups(source),
        executor_def=dg.in_process_executor,
        description=f"Extract the {source} streams into the raw layer only.",
    )
    for source in STREAMS
]


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(jobs=[full_pipeline, *source_jobs])
