"""Freshness checks on the raw layer (the GX suites live in gx.py, dbt tests come with dbt)."""

from datetime import timedelta

import dagster as dg

from connectors.registry import STREAMS
from orchestration.lib.translator import ingestion_asset_key

# The hourly schedule lands every stream; two missed runs in a row is worth a warning.
RAW_FRESHNESS = timedelta(hours=2)


def raw_freshness_checks() -> list[dg.AssetChecksDefinition]:
    keys = [
        ingestion_asset_key(source, s.name) for source, streams in STREAMS.items() for s in streams
    ]
    return list(dg.build_last_update_freshness_checks(assets=keys, lower_bound_delta=RAW_FRESHNESS))


@dg.definitions
def defs() -> dg.Definitions:
    freshness = raw_freshness_checks()
    return dg.Definitions(
        asset_checks=freshness,
        sensors=[
            dg.build_sensor_for_freshness_checks(
                freshness_checks=freshness, name="raw_freshness_sensor"
            )
        ],
    )
