"""The whole Definitions load, and the graph is one lineage from API streams to KPI marts."""

import json
from collections import deque

import dagster as dg
import pytest

from connectors.registry import STREAMS
from orchestration.lib.translator import ingestion_asset_key

KPI_MART = dg.AssetKey(["marts", "kpi_monthly_long"])
PUBLISHED = dg.AssetKey(["published", "marts"])


@pytest.fixture(scope="module")
def defs(dbt_manifest) -> dg.Definitions:  # type: ignore[no-untyped-def]
    from orchestration.definitions import defs as load

    definitions = load()
    dg.Definitions.validate_loadable(definitions)
    return definitions


def _downstream(graph, start: dg.AssetKey) -> set[dg.AssetKey]:  # type: ignore[no-untyped-def]
    seen: set[dg.AssetKey] = set()
    queue = deque([start])
    while queue:
        for child in graph.get(queue.popleft()).child_keys:
            if child not in seen:
                seen.add(child)
                queue.append(child)
    return seen


def test_every_source_stream_is_an_asset_grouped_by_source(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    for source, streams in STREAMS.items():
        for stream in streams:
            node = graph.get(ingestion_asset_key(source, stream.name))
            assert node.group_name == source
            assert node.owners and node.description
            assert source in node.kinds


def test_every_dbt_model_is_an_asset(defs: dg.Definitions, dbt_manifest) -> None:  # type: ignore[no-untyped-def]
    manifest = json.loads(dbt_manifest.read_text())
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    keys = {k.path[-1] for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert models
    missing = [m["name"] for m in models if m["name"] not in keys]
    assert not missing


def test_checks_schedules_and_sensors_are_present(defs: dg.Definitions, dbt_manifest) -> None:  # type: ignore[no-untyped-def]
    graph = defs.resolve_asset_graph()
    check_keys = graph.asset_check_keys
    manifest = json.loads(dbt_manifest.read_text())
    dbt_tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    assert len(check_keys) >= len(dbt_tests) * 0.9  # dbt tests on models become checks
    raw_keys = {ingestion_asset_key(s, st.name) for s, sts in STREAMS.items() for st in sts}
    freshness_targets = {c.asset_key for c in check_keys if "freshness" in c.name}
    assert raw_keys <= freshness_targets
    handoff_checks = [c for c in check_keys if c.asset_key.path[-1] == "fct_handoffs"]
    assert any("gx" in c.name or "handoff" in c.name for c in handoff_checks)
    schedule_names = {s.name for s in defs.schedules or []}
    assert {"hourly_incremental", "nightly_full_refresh"} <= schedule_names
    sensor_names = {s.name for s in defs.sensors or []}
    assert {"pipeline_failure_alert", "raw_freshness_sensor"} <= sensor_names
    job_names = {j.name for j in defs.jobs or []}
    assert {"full_pipeline", *(f"{s}_ingestion" for s in STREAMS)} <= job_names


def test_lineage_runs_from_every_stream_to_the_published_marts(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    assert KPI_MART in graph.get_all_asset_keys()
    sources_feeding_kpis = set()
    for source, streams in STREAMS.items():
        for stream in streams:
            reach = _downstream(graph, ingestion_asset_key(source, stream.name))
            staged = {k for k in reach if k.path[-1].startswith(f"stg_{source}__")}
            assert staged, f"{source}.{stream.name} feeds no staging model"
            if KPI_MART in reach:
                assert PUBLISHED in reach
                sources_feeding_kpis.add(source)
    # Some streams (LeadHistory) are staged for analysts only; every source feeds the KPIs.
    assert sources_feeding_kpis == set(STREAMS)
