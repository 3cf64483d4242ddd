"""Great Expectations suites (expectations/suites/*.yml) as Dagster asset checks.

One multi-asset check step for all suites, one check per rule, named `gx_<suite>__<rule>`. A rule
with severity `error` is a blocking check: when it fails, downstream assets in the same run
(the published marts) are not materialized; a `warn` rule is reported and never blocks.
GX itself is imported only when a check runs (expectations.runner imports it lazily).
"""

import logging
from collections.abc import Iterable
from pathlib import Path

import dagster as dg

from connectors.registry import STREAMS
from expectations.data_docs import data_docs_index
from expectations.results import RuleResult
from expectations.suite_files import RuleConfig, SuiteConfig, load_suites
from orchestration.defs.ingestion.assets import WAREHOUSE_WRITER_POOL
from orchestration.defs.ingestion.resources import WarehouseResource
from orchestration.lib.errors import operator_errors
from orchestration.lib.translator import RAW_KEY_PREFIX, ingestion_asset_key

logger = logging.getLogger(__name__)

GX_OWNER = "team:analytics-engineering"


def gx_check_name(suite: SuiteConfig, rule: RuleConfig) -> str:
    return f"gx_{suite.name}__{rule.name}"


def _severity(severity: str) -> dg.AssetCheckSeverity:
    return dg.AssetCheckSeverity.ERROR if severity == "error" else dg.AssetCheckSeverity.WARN


def _spec(suite: SuiteConfig, rule: RuleConfig) -> dg.AssetCheckSpec:
    threshold = "" if rule.mostly is None else f", mostly {rule.mostly:g}"
    return dg.AssetCheckSpec(
        name=gx_check_name(suite, rule),
        asset=dg.AssetKey(list(suite.asset_key)),
        blocking=rule.severity == "error",
        description=(
            f"[{rule.severity}{threshold}] {rule.expectation}({rule.column})"
            + (f": {rule.description}" if rule.description else "")
        ),
        metadata={"suite": suite.name, "suite_file": str(suite.source or "")},
    )


def _result(
    suite: SuiteConfig, rule: RuleConfig, result: RuleResult, docs: Path | None, rows: int
) -> dg.AssetCheckResult:
    metadata: dict[str, object] = {
        "observed_value": result.observed_value or "",
        "unexpected_count": dg.MetadataValue.int(result.unexpected_count or 0),
        "unexpected_share": dg.MetadataValue.float(result.unexpected_share or 0.0),
        "failing_ids_sample": dg.MetadataValue.json(list(result.failing_ids)),
        "severity_configured": rule.severity,
        "table": suite.table,
        "rows": dg.MetadataValue.int(rows),
    }
    if rule.mostly is not None:
        metadata["mostly"] = dg.MetadataValue.float(rule.mostly)
    if docs:
        # This run's GX page of the suite (offline; rules marked blocking or warning) and the
        # index of every suite's latest run (both check steps).
        metadata["data_docs"] = dg.MetadataValue.path(str(docs))
        metadata["data_docs_index"] = dg.MetadataValue.path(str(data_docs_index(docs)))
    if result.remedy:
        metadata["what_to_fix"] = dg.MetadataValue.text(result.remedy)
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(list(suite.asset_key)),
        check_name=gx_check_name(suite, rule),
        passed=result.success,
        severity=_severity(rule.severity),
        metadata=metadata,  # type: ignore[arg-type]
        # a failure says what to fix (the field, unmapped labels with counts, the seed file)
        description=result.remedy or rule.description or None,
    )


def build_gx_checks(suites: Iterable[SuiteConfig]) -> list[dg.AssetChecksDefinition]:
    """One step for the suites on landed streams (run before dbt, so a blocking failure stops
    dbt) and one for the suites on dbt models: a GX context is built and Data Docs rendered
    once per step instead of once per suite (about 4 s a run). One step for all would span
    assets before and after dbt, and Dagster would split the dbt step in two to keep the graph
    acyclic (a second dbt start-up, about 9 s)."""
    suites = list(suites)
    raw = [s for s in suites if s.asset_key[0] == RAW_KEY_PREFIX]
    modelled = [s for s in suites if s.asset_key[0] != RAW_KEY_PREFIX]
    return [
        _suites_check(name, group)
        for name, group in (("gx_raw_suites", raw), ("gx_model_suites", modelled))
        if group
    ]


def _suites_check(name: str, suites: list[SuiteConfig]) -> dg.AssetChecksDefinition:
    """The suites as one multi-asset check; a job that selects some of their assets (one
    source's ingestion) runs only the suites of those assets."""

    @dg.multi_asset_check(
        name=name,
        specs=[_spec(suite, rule) for suite in suites for rule in suite.rules],
        description="Great Expectations suites of expectations/suites/*.yml",
        can_subset=True,
        # Reads the warehouse and appends to dq.expectation_results: one writer at a time.
        pool=WAREHOUSE_WRITER_POOL,
        compute_kind="great_expectations",
    )
    def _gx_suites(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):  # type: ignore[no-untyped-def]
        from expectations.runner import data_docs_dir, run_suites

        selected = {key.name for key in context.selected_asset_check_keys}
        chosen = [s for s in suites if any(gx_check_name(s, rule) in selected for rule in s.rules)]
        with operator_errors():
            settings = warehouse.settings()
        with operator_errors(settings):
            runs = run_suites(
                settings, chosen, run_id=context.run.run_id, data_docs_dir=data_docs_dir()
            )
        for suite, run in zip(chosen, runs, strict=True):
            docs = run.data_docs_path
            context.log.info(
                f"GX suite {suite.name}: {len(run.failed())} of {len(run.results)} rules failed "
                f"({len(run.blocking_failures)} blocking) on {run.row_count} rows; docs: {docs}"
            )
            for rule in suite.rules:
                if gx_check_name(suite, rule) in selected:
                    result = run.result(rule.name)
                    if result.remedy:
                        log = context.log.error if result.blocks else context.log.warning
                        log(f"GX {suite.name}.{rule.name} failed: {result.remedy}")
                    yield _result(suite, rule, result, docs, run.row_count)

    return _gx_suites


def known_asset_keys() -> set[dg.AssetKey]:
    """Assets the project defines: the landed streams and every dbt node."""
    from orchestration.defs.transform.assets import build_dbt_assets

    keys = {ingestion_asset_key(src, s.name) for src, streams in STREAMS.items() for s in streams}
    return keys | set(build_dbt_assets().keys)


def suites_for_project() -> list[SuiteConfig]:
    known = known_asset_keys()
    suites = []
    for suite in load_suites():
        if dg.AssetKey(list(suite.asset_key)) in known:
            suites.append(suite)
        else:
            # A model renamed in dbt must not take the whole code location down.
            logger.warning(
                "GX suite %s targets %s, which no asset defines; its checks are not loaded",
                suite.name,
                "/".join(suite.asset_key),
            )
    return suites


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(asset_checks=build_gx_checks(suites_for_project()))
