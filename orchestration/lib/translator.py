"""The one dbt translator: dbt sources become the ingestion assets, models get layer groups."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

RAW_KEY_PREFIX = "raw"
ANALYTICS_OWNER = "team:analytics-engineering"


def ingestion_asset_key(source: str, stream: str) -> dg.AssetKey:
    """The asset key of one landed stream; dbt sources resolve to the same key."""
    return dg.AssetKey([RAW_KEY_PREFIX, source, stream])


def _source_asset_key(props: Mapping[str, Any]) -> dg.AssetKey:
    meta_key = props.get("meta", {}).get("dagster", {}).get("asset_key")
    if meta_key:
        return dg.AssetKey(meta_key)
    # `raw.salesforce__lead` -> raw/salesforce/lead, the key the ingestion asset uses.
    source, _, stream = props["name"].partition("__")
    return ingestion_asset_key(source, stream)


def _layer(props: Mapping[str, Any]) -> str:
    fqn = props.get("fqn") or []
    return fqn[1] if len(fqn) > 2 else "dbt"


class WarehouseDbtTranslator(DagsterDbtTranslator):
    def __init__(self) -> None:
        super().__init__(
            settings=DagsterDbtTranslatorSettings(
                enable_asset_checks=True, enable_source_tests_as_checks=True
            )
        )

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: Any
    ) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] == "source":
            return spec.replace_attributes(key=_source_asset_key(props))
        return spec.replace_attributes(group_name=_layer(props), owners=[ANALYTICS_OWNER])
