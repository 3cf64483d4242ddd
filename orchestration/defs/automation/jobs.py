"""Jobs: the whole pipeline, and one ingestion job per registered source."""

from collections.abc import Mapping
from typing import TYPE_CHECKING

import dagster as dg

from connectors.registry import STREAMS
from orchestration.lib.run_limits import max_runtime_tags

if TYPE_CHECKING:  # what define_asset_job returns; dagster does not export the class
    from dagster._core.definitions.unresolved_asset_job_definition import (
        UnresolvedAssetJobDefinition,
    )

FULL_PIPELINE = "full_pipeline"


def pipeline_jobs(run_tags: Mapping[str, str]) -> list["UnresolvedAssetJobDefinition"]:
    """`full_pipeline` and one `<source>_ingestion` job per source, each with `run_tags`
    (the `dagster/max_runtime` limit, read when the definitions load, never at import).

    In-process: on a 2-core machine a step process costs ~1.3 s, and steps that write DuckDB
    must run one at a time anyway (single writer).
    """
    full_pipeline = dg.define_asset_job(
        FULL_PIPELINE,
        # Checks too: dbt's tests of the connectors' state table (meta.stream_state, not an
        # asset of ours) would otherwise run unselected, with a warning per test.
        selection=dg.AssetSelection.all() | dg.AssetSelection.all_asset_checks(),
        executor_def=dg.in_process_executor,
        description="Extract every stream, build every dbt model and check, then publish.",
        tags=run_tags,
    )
    source_jobs = [
        dg.define_asset_job(
            f"{source}_ingestion",
            selection=dg.AssetSelection.groups(source),
            executor_def=dg.in_process_executor,
            description=f"Extract the {source} streams into the raw layer only.",
            tags=run_tags,
        )
        for source in STREAMS
    ]
    return [full_pipeline, *source_jobs]


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(jobs=pipeline_jobs(max_runtime_tags()))
