"""The semantic layer (dbt_project/models/semantic, MetricFlow) answers every KPI of
docs/contracts.md 5.5 as the marts do: each metric at each of its grains (company, rep, team,
unit, lead source), per month and per reporting week, equals marts.kpi_long row for row; the
weekly meeting's saved queries equal the wide weekly marts; the `mf` CLI answers a saved query.

The two are separate implementations over the same facts: kpi_long is hand-written SQL checked
against the sandbox truth (tests/dbt -k truth), the metrics are MetricFlow's SQL generated from
the semantic models' YAML."""

import csv
import json
import math
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sandbox.world import generate
from tests.dbt.dbt_runner import DBT_PROJECT_DIR, dbt_env, postgres_env, project_copy, run_dbt
from tests.dbt.raw_loader import land_duckdb, land_postgres
from tests.dbt.warehouses import BuiltWarehouse, scratch_postgres_database

QUERY_HELPER = Path(__file__).with_name("query_semantic_layer.py")
LEADS, POSTGRES_LEADS, SEED = 300, 150, 7
TOLERANCE = 1e-9

ACTIVITY = ["calls", "connected_calls", "emails_sent", "meetings_held", "touches", "leads_worked"]
ACTIVITY_RATES = ["touches_per_rep_day"]
COHORT = ["leads", "mqls"]
COHORT_RATES = ["mql_to_sql_rate", "lead_to_won_rate"]
HANDOFF = ["tossups", "rejections"]
HANDOFF_RATES = [
    "tossup_acceptance_rate", "tossup_to_won_rate", "avg_handoff_completeness",
    "qualified_handoff_share", "sla_met_rate", "median_hours_to_first_meeting",
]  # fmt: skip
DEALS = ["opportunities", "proposals", "won_deals", "lost_deals", "new_business_revenue"]
DEAL_RATES = ["win_rate", "avg_deal_size"]
COMPANY = ["revenue", "new_customers", "renewals_due"]
COMPANY_RATES = ["retention_rate"]
# Counts and sums have a kpi_long row only when > 0; rates and means when defined (not NULL).
SUMS = set(ACTIVITY + COHORT + HANDOFF + DEALS + COMPANY)
ALL_KPIS = (
    ACTIVITY + ACTIVITY_RATES + COHORT + COHORT_RATES + ["opportunity_conversion_rate"]
    + HANDOFF + HANDOFF_RATES + DEALS + DEAL_RATES + COMPANY + COMPANY_RATES
)  # fmt: skip
# grain -> (MetricFlow group-by item, the KPIs kpi_long has at that grain; contracts 5.5)
GRAINS = {
    "company": (None, ALL_KPIS),
    "rep": ("rep", ALL_KPIS),
    "team": ("rep__team", ALL_KPIS),
    "unit": ("unit", HANDOFF + HANDOFF_RATES + DEALS + DEAL_RATES),
    "source": ("person__lead_source", COHORT + COHORT_RATES),
}
PERIODS = {"month": "metric_time__month", "week": "metric_time__reporting_week"}

Key = tuple[str, str, str, str, str]  # kpi, grain, grain_key, period_grain, period_start


@dataclass(frozen=True)
class SemanticWarehouse:
    """A warehouse built by dbt from a private copy of the project, whose
    target/semantic_manifest.json (written by the build) MetricFlow reads."""

    project: Path
    env: dict[str, str]  # the dbt profile's settings for this warehouse
    marts: BuiltWarehouse

    def ask(self, queries: list[dict]) -> list[dict]:
        """MetricFlow's answers to `queries` (query_semantic_layer.py)."""
        done = subprocess.run(
            [sys.executable, QUERY_HELPER, self.project, DBT_PROJECT_DIR, json.dumps(queries)],
            env=dbt_env(self.env),
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr[-4000:]
        return json.loads(done.stdout)


def _build(work: Path, env: dict[str, str], marts: BuiltWarehouse) -> SemanticWarehouse:
    project = project_copy(work)
    env = {**env, "DBT_LOG_PATH": str(work / "logs")}
    result = run_dbt(
        ["build", "--exclude-resource-type", "test", "unit_test"], env=env, project_dir=project
    )
    assert result.returncode == 0, result.stdout[-4000:]
    assert (project / "target" / "semantic_manifest.json").exists()
    return SemanticWarehouse(project, env, marts)


@pytest.fixture(scope="module")
def duckdb_warehouse(tmp_path_factory: pytest.TempPathFactory) -> SemanticWarehouse:
    work = tmp_path_factory.mktemp("semantic_duckdb")
    world = generate(work / "world", leads=LEADS, seed=SEED)
    database = work / "warehouse.duckdb"
    land_duckdb(world, database)
    env = {"WAREHOUSE_TARGET": "duckdb", "WAREHOUSE_PATH": str(database)}
    return _build(work, env, BuiltWarehouse("duckdb", str(database), ""))


@pytest.fixture(scope="module")
def postgres_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SemanticWarehouse]:
    work = tmp_path_factory.mktemp("semantic_postgres")
    world = generate(work / "world", leads=POSTGRES_LEADS, seed=SEED)
    with scratch_postgres_database() as database:
        dsn = f"postgresql://postgres@127.0.0.1:5432/{database}"
        land_postgres(world, dsn)
        env = {"WAREHOUSE_TARGET": "postgres", **postgres_env(database)}
        yield _build(work, env, BuiltWarehouse("postgres", dsn, ""))


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


@pytest.mark.parametrize("target", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_semantic_layer_equals_kpi_long_for_every_kpi_grain_and_period(
    target: str, request: pytest.FixtureRequest
) -> None:
    warehouse: SemanticWarehouse = request.getfixturevalue(f"{target}_warehouse")
    queries, shapes = [], []
    for grain, (item, kpis) in GRAINS.items():
        for period, time_item in PERIODS.items():
            queries.append({"metrics": kpis, "group_by": [time_item, *([item] if item else [])]})
            shapes.append((grain, period, time_item, item))
    semantic: dict[Key, float] = {}
    for (grain, period, time_item, item), result in zip(
        shapes, warehouse.ask(queries), strict=True
    ):
        columns = result["columns"]
        for row in result["rows"]:
            values = dict(zip(columns, row, strict=True))
            key = "all" if item is None else values[item]
            start = values[time_item]
            if key is None or start is None:
                continue  # a rep without team, a person without source: no kpi_long row either
            for kpi in GRAINS[grain][1]:
                value = values[kpi]
                if value is None or (kpi in SUMS and value == 0):
                    continue  # kpi_long has rows only where the KPI is defined
                semantic[(kpi, grain, str(key), period, str(start)[:10])] = float(value)
    marts = {
        (kpi, grain, key, period, str(start)): float(value)
        for kpi, grain, key, period, start, value in warehouse.marts.query(
            "select kpi, grain, grain_key, period_grain, period_start, value from marts.kpi_long"
        )
    }
    assert len(marts) > 1000 and {key[0] for key in marts} == set(ALL_KPIS)
    missing = sorted(marts.keys() - semantic.keys())
    extra = sorted(semantic.keys() - marts.keys())
    differ = sorted(k for k in marts.keys() & semantic.keys() if not _close(marts[k], semantic[k]))
    report = [f"only in kpi_long: {k} = {marts[k]}" for k in missing[:20]]
    report += [f"only in the semantic layer: {k} = {semantic[k]}" for k in extra[:20]]
    report += [f"{k}: kpi_long {marts[k]}, semantic layer {semantic[k]}" for k in differ[:20]]
    print(f"{len(marts)} kpi_long rows compared with the semantic layer")
    assert not (missing or extra or differ), (
        f"{len(missing)} missing, {len(extra)} extra, {len(differ)} differ\n" + "\n".join(report)
    )


def _saved_query_rows(result: dict, keys: list[str]) -> dict[tuple, dict[str, object]]:
    rows = {}
    for row in result["rows"]:
        values = dict(zip(result["columns"], row, strict=True))
        # metric_time comes as a timestamp at midnight: its date is the period's first day
        rows[
            tuple(str(values[k])[:10] if k.startswith("metric_time") else values[k] for k in keys)
        ] = values
    return rows


def _equal_to_mart(
    semantic: dict[tuple, dict[str, object]], mart: dict[tuple, dict[str, object]], kpis: list[str]
) -> None:
    for key, values in mart.items():
        assert key in semantic, key
        for kpi in kpis:
            want = values[kpi]
            got = semantic[key][kpi]
            if want is None:  # the mart has no row for the KPI there: zero or undefined
                assert got in (None, 0), (key, kpi, got)
            else:
                assert got is not None and _close(float(got), float(want)), (key, kpi, got, want)
    for key, values in semantic.items():
        if key not in mart:
            assert all(values[k] in (None, 0) for k in kpis), (key, values)


def test_semantic_weekly_meeting_saved_queries_equal_the_marts(
    duckdb_warehouse: SemanticWarehouse,
) -> None:
    warehouse = duckdb_warehouse
    funnel, field_sales = warehouse.ask(
        [{"saved_query": "weekly_funnel"}, {"saved_query": "weekly_field_sales_by_rep"}]
    )
    funnel_kpis = [c for c in funnel["columns"] if not c.startswith("metric_time")]
    assert len(funnel_kpis) == 10
    company: dict[tuple, dict[str, object]] = {}
    for kpi, start, value in warehouse.marts.query(
        "select kpi, period_start, value from marts.kpi_long "
        "where grain = 'company' and period_grain = 'week'",
    ):
        if kpi in funnel_kpis:
            company.setdefault((str(start),), dict.fromkeys(funnel_kpis))[kpi] = value
    _equal_to_mart(_saved_query_rows(funnel, ["metric_time__reporting_week"]), company, funnel_kpis)
    rep_kpis = [c for c in field_sales["columns"] if not c.startswith(("metric_time", "rep"))]
    assert "win_rate" in rep_kpis and "rep__rep_name" in field_sales["columns"]
    reps = warehouse.marts.query(
        f"select week_start, grain_key, {', '.join(rep_kpis)} from marts.kpi_field_sales_weekly "
        "where grain = 'rep' and rep_team in ('field_sales', 'full_cycle')",
    )
    semantic = _saved_query_rows(field_sales, ["metric_time__reporting_week", "rep"])
    _equal_to_mart(
        semantic,
        {(str(r[0]), r[1]): dict(zip(rep_kpis, r[2:], strict=True)) for r in reps},
        rep_kpis,
    )
    names = dict(warehouse.marts.query("select rep_id, rep_name from marts.dim_rep"))
    assert all(values["rep__rep_name"] == names[key[1]] for key, values in semantic.items())


def test_semantic_mf_cli_answers_a_saved_query(
    duckdb_warehouse: SemanticWarehouse, tmp_path: Path
) -> None:
    """What an analyst types (README "Semantic layer"): `mf query --saved-query ...` in the
    project directory, the warehouse from the environment."""
    warehouse = duckdb_warehouse
    out = tmp_path / "handoffs.csv"
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("mf")),
            "query",
            "--saved-query",
            "weekly_handoff_quality_by_unit",
            "--csv",
            str(out),
        ],
        cwd=warehouse.project,
        env=dbt_env({**warehouse.env, "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR)}),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    tossups = {
        (row["metric_time__reporting_week"][:10], row["unit"]): int(row["tossups"])
        for row in rows
        if row["tossups"]
    }
    marts = {
        (str(start), key): int(value)
        for start, key, value in warehouse.marts.query(
            "select period_start, grain_key, value from marts.kpi_long where kpi = 'tossups' "
            "and grain = 'unit' and period_grain = 'week'",
        )
    }
    assert marts and {k: v for k, v in tossups.items() if v} == marts
