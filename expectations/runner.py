"""Validate warehouse tables with Great Expectations 1.x and return plain results.

GX over DuckDB through SQLAlchemy is broken upstream, so each table is read into pandas
with a short connection (open, read, close: the pipeline is the single writer) and
validated with an ephemeral context and the pandas datasource. GX is imported lazily: it
is the slowest import in the project and Dagster imports this module in every step.
"""

import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import duckdb

from connectors.core.redact import redact
from dwh.settings import WarehouseSettings, resolve_path
from dwh.sql import SqlSession, sql_session
from expectations.data_docs import finish_site
from expectations.derived import derive
from expectations.remedies import describe
from expectations.results import (
    MARKS_EXIST_SQL,
    MARKS_SQL,
    RuleResult,
    SuiteRun,
    persist,
)
from expectations.suite_files import RuleConfig, SuiteConfig, SuiteConfigError, load_suites

FAILING_IDS_SAMPLE = 20
DATA_DOCS_SITE = "warehouse_dq"
DATA_DOCS_DEFAULT = "warehouse/data_docs"


def data_docs_dir() -> Path:
    """Where GX Data Docs are rendered: DATA_DOCS_DIR (relative to the repository root)."""
    return resolve_path(os.environ.get("DATA_DOCS_DIR") or DATA_DOCS_DEFAULT)


class DataQualityRunError(RuntimeError):
    """The suite could not be evaluated (missing table or column, unreadable warehouse)."""


def read_tables(warehouse: WarehouseSettings, suites: Sequence[SuiteConfig]) -> dict[str, Any]:
    """One short session for all suites; returns suite name -> DataFrame."""
    frames: dict[str, Any] = {}
    tables = ", ".join(s.table for s in suites)
    if not warehouse.is_postgres and not warehouse.path.exists():
        raise DataQualityRunError(f"warehouse file not found: {warehouse.path}")
    try:
        with sql_session(warehouse) as sql:
            marks = _validated_marks(sql)
            for suite in suites:
                frames[suite.name] = sql.frame(suite.select_sql(marks.get(suite.name)))
    except (duckdb.Error, OSError) as exc:
        raise DataQualityRunError(f"cannot read {tables}: {exc}") from exc
    except Exception as exc:
        if type(exc).__module__.startswith("psycopg"):
            raise DataQualityRunError(f"cannot read {tables}: {redact(str(exc))}") from exc
        raise
    return frames


def _validated_marks(sql: SqlSession) -> dict[str, int]:
    """Suite -> the mark its last run left (empty before the first run of any suite)."""
    exists = sql.fetchall(MARKS_EXIST_SQL)
    if not exists or not exists[0][0]:
        return {}
    return {str(suite): int(mark) for suite, mark in sql.fetchall(MARKS_SQL)}


def new_context(data_docs_dir: Path | None):  # type: ignore[no-untyped-def]
    """An ephemeral GX context (nothing on disk but the Data Docs site, when given)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    if data_docs_dir is not None:
        context.add_data_docs_site(
            site_name=DATA_DOCS_SITE,
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(data_docs_dir),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
    return context


_COLUMN_KWARGS = ("column", "column_A", "column_B")


def _condition_columns(condition: Any) -> set[str] | None:
    """The columns a GX 1.x Condition (dict form) reads; None for a form we cannot read."""
    if isinstance(condition, Mapping):
        names: set[str] = set()
        column = condition.get("column")
        if isinstance(column, Mapping) and isinstance(column.get("name"), str):
            names.add(column["name"])
        for value in condition.values():
            if isinstance(value, (Mapping, list, tuple)):
                inner = _condition_columns(value)
                if inner is None:
                    return None
                names |= inner
        return names
    if isinstance(condition, (list, tuple)):
        names = set()
        for item in condition:
            inner = _condition_columns(item)
            if inner is None:
                return None
            names |= inner
        return names
    return None  # a pandas query string: its columns are not parsed here


def _rule_frame(suite: SuiteConfig, prepared: Any) -> Any:
    """Only the columns the rules read. GX copies the whole frame for every rule that filters
    rows (nulls, row conditions): at 1M leads the ~60-column handoff frame made most of the
    suite's time. The full frame stays for failing ids and remedies."""
    needed: set[str] = set()
    for rule in suite.rules:
        needed.update(str(rule.kwargs[k]) for k in _COLUMN_KWARGS if k in rule.kwargs)
        needed.update(str(c) for c in rule.kwargs.get("column_list", ()))
        if "row_condition" in rule.kwargs:
            condition = _condition_columns(rule.kwargs["row_condition"])
            if condition is None:
                return prepared
            needed |= condition
    kept = [c for c in prepared.columns if c in needed]
    # a rule naming a column the frame lacks must still fail in GX, as before
    return prepared if not needed or len(kept) < len(needed) else prepared[kept]


def build_expectation(rule: RuleConfig, suite_name: str):  # type: ignore[no-untyped-def]
    import great_expectations as gx

    cls = getattr(gx.expectations, rule.expectation_class, None)
    if cls is None:
        raise SuiteConfigError(
            f"{suite_name}.{rule.name}: GX has no expectation {rule.expectation!r}"
        )
    kwargs = dict(rule.kwargs)
    if rule.mostly is not None:
        kwargs["mostly"] = rule.mostly
    blocking = rule.severity == "error"
    try:
        return cls(
            **kwargs,
            meta={"rule": rule.name, "severity": rule.severity},
            # GX's own severity, and a note its suite page shows beside the expectation.
            severity="critical" if blocking else "warning",
            notes=(
                f"{rule.name}: **blocking** (severity error): a failure stops publishing."
                if blocking
                else f"{rule.name}: **warning**: reported, never blocks publishing."
            ),
        )
    except Exception as exc:  # pydantic validation: a typo in kwargs, a wrong type
        raise SuiteConfigError(f"{suite_name}.{rule.name}: {exc}") from exc


def _number(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _observed(result: Mapping[str, Any], unexpected: int | None) -> str | None:
    if "observed_value" in result:
        value = result["observed_value"]
        number = _number(value)
        return f"{number:.6g}" if number is not None else (None if value is None else str(value))
    if unexpected is None:
        return None
    evaluated = int(result.get("element_count", 0)) - int(result.get("missing_count") or 0)
    return f"{unexpected} of {evaluated} unexpected"


def _failing_ids(result: Mapping[str, Any], frame: Any, id_column: str | None) -> tuple[str, ...]:
    """The ids of the first failing rows: GX's SUMMARY format names them by the frame's index
    (asking GX for the id column instead makes it look every failing row up, and the COMPLETE
    format serialises all of them: 5x slower on 100k handoffs, and we keep 20)."""
    if id_column is None:
        return ()
    ids: list[str] = []
    for index in result.get("partial_unexpected_index_list") or ():
        value = frame.at[index, id_column] if index in frame.index else None
        if value is not None and str(value) not in ids:
            ids.append(str(value))
        if len(ids) >= FAILING_IDS_SAMPLE:
            break
    return tuple(ids)


def _exception_message(info: Any) -> str | None:
    """GX puts errors either at the top level or keyed by the metric that failed."""
    if not isinstance(info, Mapping):
        return None
    candidates = [info, *(v for v in info.values() if isinstance(v, Mapping))]
    for candidate in candidates:
        if candidate.get("raised_exception"):
            return str(candidate.get("exception_message") or "expectation raised an error")
    return None


def _rule_result(suite: SuiteConfig, rule: RuleConfig, gx_result: Any, frame: Any) -> RuleResult:
    result: Mapping[str, Any] = gx_result.result or {}
    message = _exception_message(gx_result.exception_info)
    if message is not None:
        # GX reports a missing column or a bad row_condition as a failed expectation.
        return RuleResult(
            suite=suite.name,
            expectation=rule.name,
            expectation_type=rule.expectation,
            column=rule.column,
            success=False,
            severity=rule.severity,
            observed_value=f"error: {message}"[:500],
            unexpected_count=None,
            unexpected_share=None,
            failing_ids=(),
            description=rule.description,
        )
    unexpected = result.get("unexpected_count")
    unexpected_count = None if unexpected is None else int(unexpected)
    percent = _number(result.get("unexpected_percent"))
    return RuleResult(
        suite=suite.name,
        expectation=rule.name,
        expectation_type=rule.expectation,
        column=rule.column,
        success=bool(gx_result.success),
        severity=rule.severity,
        observed_value=_observed(result, unexpected_count),
        unexpected_count=unexpected_count,
        unexpected_share=None if percent is None else percent / 100.0,
        failing_ids=_failing_ids(result, frame, suite.id_column),
        description=rule.description,
    )


def _with_remedy(
    suite: SuiteConfig, rule: RuleConfig, result: RuleResult, frame: Any
) -> RuleResult:
    """A failed rule with a `fix:` block says what to change, and where (remedies.py)."""
    if result.success or rule.fix is None:
        return result
    remedy = describe(rule.fix, rule.column, frame, result.unexpected_count, suite.id_column)
    return replace(result, remedy=remedy)


def validate_frame(
    suite: SuiteConfig,
    frame: Any,
    *,
    run_id: str | None = None,
    evaluated_at: datetime | None = None,
    data_docs_dir: Path | None = None,
    context: Any = None,
) -> SuiteRun:
    """Validate one DataFrame against one suite; render Data Docs when a folder is given.

    With a `context` (from `new_context`), the suite is added to it and no Data Docs are
    rendered: the caller validates several suites in one context, then renders once.
    """
    import great_expectations as gx

    evaluated_at = evaluated_at or datetime.now(UTC)
    run_id = run_id or uuid4().hex
    missing = [c for c in (suite.id_column,) if c and c not in frame.columns]
    if missing:
        raise DataQualityRunError(f"{suite.table} has no id column {missing[0]!r}")
    try:
        prepared = derive(frame, suite.derive, evaluated_at)
    except KeyError as exc:
        raise DataQualityRunError(
            f"{suite.table} lacks column {exc} needed by the suite's derived columns"
        ) from exc

    render_docs = context is None and data_docs_dir is not None
    if context is None:
        context = new_context(data_docs_dir)
    expectations = [build_expectation(rule, suite.name) for rule in suite.rules]
    gx_suite = context.suites.add(gx.ExpectationSuite(name=suite.name, expectations=expectations))
    batch = (
        context.data_sources.add_pandas(f"warehouse_{suite.name}")
        .add_dataframe_asset(suite.table.replace(".", "__"))
        .add_batch_definition_whole_dataframe("whole_table")
    )
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{suite.name}_validation", data=batch, suite=gx_suite)
    )
    result_format: dict[str, Any] = {
        "result_format": "SUMMARY",
        "partial_unexpected_count": FAILING_IDS_SAMPLE,
    }
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(
            name=f"{suite.name}_checkpoint",
            validation_definitions=[validation],
            actions=[],
            result_format=result_format,
        )
    )
    started = datetime.now(UTC)
    outcome = checkpoint.run(
        batch_parameters={"dataframe": _rule_frame(suite, prepared)}, run_id=None
    )
    by_rule: dict[str, Any] = {}
    page: Path | None = None
    for identifier, suite_result in outcome.run_results.items():
        for r in suite_result.results:
            by_rule[r.expectation_config.meta["rule"]] = r
        if data_docs_dir is not None:  # where GX's site builder writes this validation's page
            page = data_docs_dir.joinpath("validations", *identifier.to_tuple()).with_suffix(
                ".html"
            )
    results = tuple(
        _with_remedy(suite, rule, _rule_result(suite, rule, by_rule[rule.name], prepared), prepared)
        for rule in suite.rules
    )
    run = SuiteRun(
        suite=suite.name,
        table=suite.table,
        run_id=run_id,
        evaluated_at=evaluated_at,
        row_count=len(frame),
        results=results,
        data_docs_path=page,
        validated_through=_highest(frame, suite.incremental_by),
        incremental_by=suite.incremental_by,
    )
    if render_docs and data_docs_dir is not None:
        render_data_docs(context, data_docs_dir, [run], since=started)
    return run


def render_data_docs(context: Any, site: Path, runs: Sequence[SuiteRun], since: datetime) -> None:
    """GX renders the pages of this context's validations, not its index: GX's index builder
    deletes every page its (ephemeral) context does not know, i.e. the other check step's and
    earlier runs'. expectations.data_docs writes the index of all of them and makes the pages
    offline."""
    context.build_data_docs(site_names=[DATA_DOCS_SITE], build_index=False)
    finish_site(site, runs, since=since)


def _highest(frame: Any, column: str | None) -> int | None:
    if column is None or column not in frame.columns or frame[column].dropna().empty:
        return None
    return int(frame[column].max())


def run_suites(
    warehouse: WarehouseSettings,
    suites: Iterable[SuiteConfig] | None = None,
    *,
    run_id: str | None = None,
    evaluated_at: datetime | None = None,
    data_docs_dir: Path | None = None,
    write_results: bool = True,
) -> list[SuiteRun]:
    """Read, validate, persist to dq.expectation_results and render Data Docs."""
    chosen = list(load_suites() if suites is None else suites)
    run_id = run_id or uuid4().hex
    evaluated_at = evaluated_at or datetime.now(UTC)
    frames = read_tables(warehouse, chosen)
    # One context for every suite and one Data Docs render at the end: rendering the site per
    # suite cost more than validating (about 0.3 s a suite).
    started = datetime.now(UTC)
    context = new_context(data_docs_dir)
    runs = [
        validate_frame(
            suite,
            frames[suite.name],
            run_id=run_id,
            evaluated_at=evaluated_at,
            data_docs_dir=data_docs_dir,
            context=context,
        )
        for suite in chosen
    ]
    if data_docs_dir is not None and runs:
        render_data_docs(context, data_docs_dir, runs, since=started)
    if write_results:
        persist(warehouse, runs)
    return runs
