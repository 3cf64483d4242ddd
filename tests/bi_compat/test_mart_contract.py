"""The typed mart contract (issue 20): every mart is built under an enforced dbt contract whose
types follow one rule set (counts BIGINT, rates DOUBLE, money DECIMAL, periods DATE), and the
tables carry exactly those types on DuckDB, on Postgres and in the published copies of both."""

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import psycopg
import pytest
import yaml

from dwh.publish import publish_marts
from tests.dbt.dbt_runner import build_models, project_copy, run_dbt
from tests.dbt.raw_loader import land_postgres
from tests.dbt.warehouses import scratch_postgres_database

# The rules, stated here independently of the project's macros (docs/contracts.md 6).
COUNT_KPIS = {
    "calls", "connected_calls", "emails_sent", "meetings_held", "touches", "leads_worked",
    "leads", "mqls", "tossups", "rejections", "opportunities", "proposals", "won_deals",
    "lost_deals", "new_customers", "renewals_due",
}  # fmt: skip
MONEY_KPIS = {"revenue", "new_business_revenue", "avg_deal_size"}
RATE_KPIS = {
    "touches_per_rep_day", "mql_to_sql_rate", "opportunity_conversion_rate", "lead_to_won_rate",
    "tossup_acceptance_rate", "tossup_to_won_rate", "avg_handoff_completeness",
    "qualified_handoff_share", "sla_met_rate", "median_hours_to_first_meeting", "win_rate",
    "retention_rate",
}  # fmt: skip
MONEY = "decimal(18,2)"
# The contract's portable type names as each warehouse reports them.
DUCKDB_NAMES = {
    "varchar": "VARCHAR",
    "bigint": "BIGINT",
    "integer": "INTEGER",
    "double precision": "DOUBLE",
    MONEY: "DECIMAL(18,2)",
    "date": "DATE",
    "timestamp with time zone": "TIMESTAMP WITH TIME ZONE",
    "boolean": "BOOLEAN",
}
POSTGRES_NAMES = {
    "varchar": "character varying",
    "bigint": "bigint",
    "integer": "integer",
    "double precision": "double precision",
    MONEY: "numeric(18,2)",
    "date": "date",
    "timestamp with time zone": "timestamp with time zone",
    "boolean": "boolean",
}


@pytest.fixture(scope="module")
def marts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """The models of the parsed project that land in schema marts (models/marts and the
    semantic layer's time spine), by name."""
    target = tmp_path_factory.mktemp("contract_parse")
    result = run_dbt(["parse"], target_path=target)
    assert result.returncode == 0, result.stdout[-3000:]
    manifest = json.loads((target / "manifest.json").read_text())
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    }


def _contract(marts: dict[str, dict]) -> dict[tuple[str, str], str]:
    """(mart, column) -> the contract's data type; marts by name, columns in YAML order."""
    return {
        (name, column): spec["data_type"]
        for name, node in sorted(marts.items())
        for column, spec in node["columns"].items()
    }


def test_bi_compat_every_mart_has_an_enforced_contract(marts: dict[str, dict]) -> None:
    assert {"kpi_long", "fct_handoffs", "fct_lead_lifecycle", "kpi_goals_monthly", "dim_rep"} <= (
        marts.keys()
    )
    assert len(marts) >= 20
    for name, node in marts.items():
        assert node["config"]["contract"]["enforced"] is True, name
        untyped = [c for c, spec in node["columns"].items() if not spec.get("data_type")]
        assert not untyped, f"{name}: no data_type for {untyped}"
        assert set(_contract({name: node}).values()) <= DUCKDB_NAMES.keys(), name


def test_bi_compat_contract_types_follow_the_rules(marts: dict[str, dict]) -> None:
    problems = []
    kpi_marts = [name for name in marts if name.startswith("kpi_")]
    for (mart, column), data_type in _contract(marts).items():
        expected = None
        if mart in kpi_marts and column in COUNT_KPIS | {f"{k}_ytd" for k in COUNT_KPIS}:
            expected = "bigint"
        elif mart in kpi_marts and (
            column in MONEY_KPIS or (column.startswith("revenue") and "attainment" not in column)
        ):
            expected = MONEY  # revenue, its targets and year-to-date sums
        elif mart in kpi_marts and (column in RATE_KPIS or "attainment" in column):
            expected = "double precision"
        elif column in ("amount", "budget_amount"):
            expected = MONEY
        elif column.startswith("is_"):
            expected = "boolean"
        elif column.endswith("_at"):
            expected = "timestamp with time zone"
        elif column.endswith(("_start", "_date")) or column == "date_day":
            expected = "date"
        elif column.endswith(("_count", "_name", "_id", "_team", "_key", "month", "_grain")):
            expected = "bigint" if column.endswith("_count") else "varchar"
        if expected is not None and data_type != expected:
            problems.append(f"{mart}.{column}: {data_type}, expected {expected}")
    assert not problems, "\n".join(problems)
    for mart in kpi_marts:
        if mart not in ("kpi_activity_daily", "kpi_monthly_long"):
            columns = marts[mart]["columns"]
            assert columns["period_start"]["data_type"] == "date", mart
            assert columns["period_grain"]["data_type"] == "varchar", mart
    wide = [m for m in kpi_marts if m not in ("kpi_long", "kpi_monthly_long", "kpi_goals_monthly")]
    for mart in wide:
        kpis = set(marts[mart]["columns"]) & (COUNT_KPIS | MONEY_KPIS | RATE_KPIS)
        assert kpis, mart
        if mart != "kpi_activity_daily":
            assert {"rep_name", "rep_team"} <= set(marts[mart]["columns"]), mart


def _duckdb_types(path: Path) -> dict[tuple[str, str], str]:
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_schema = 'marts' and table_name <> '_publish_info' "
            "order by table_name, ordinal_position"
        ).fetchall()
    return {(table, column): data_type for table, column, data_type in rows}


@pytest.fixture(scope="module")
def postgres_database(world: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The bi_compat world's marts built by dbt in a scratch Postgres database."""
    with scratch_postgres_database() as database:
        land_postgres(world, f"postgresql://postgres@127.0.0.1:5432/{database}")
        build_models(database, tmp_path_factory.mktemp("contract_pg"), target="postgres")
        yield database


def test_bi_compat_duckdb_marts_and_their_published_copy_carry_the_contract_types(
    marts: dict[str, dict], built_warehouse: Path, published_copy: Path
) -> None:
    expected = {key: DUCKDB_NAMES[t] for key, t in _contract(marts).items()}
    built = _duckdb_types(built_warehouse)
    assert list(built.items()) == list(expected.items())  # types, and columns in YAML order
    assert _duckdb_types(published_copy) == expected  # what DuckDB 1.1+ readers see


@pytest.mark.postgres
def test_bi_compat_postgres_marts_and_their_published_copy_carry_the_contract_types(
    marts: dict[str, dict], postgres_database: str, published_copy: Path, tmp_path: Path
) -> None:
    dsn = f"postgresql://postgres@127.0.0.1:5432/{postgres_database}"
    with psycopg.connect(dsn) as con:
        rows = con.execute(
            "select table_name, column_name, data_type, numeric_precision, numeric_scale "
            "from information_schema.columns where table_schema = 'marts'"
        ).fetchall()
    built = {
        (table, column): f"numeric({precision},{scale})" if data_type == "numeric" else data_type
        for table, column, data_type, precision, scale in rows
    }
    assert built == {key: POSTGRES_NAMES[t] for key, t in _contract(marts).items()}
    # published from Postgres: the same DuckDB types as the copy published from DuckDB
    copy = publish_marts(
        published_path=tmp_path / "published.duckdb", run_id="contract", postgres_dsn=dsn
    )
    assert _duckdb_types(copy.path) == _duckdb_types(published_copy)


def test_bi_compat_a_column_that_breaks_the_contract_fails_the_build(
    built_warehouse: Path, tmp_path: Path
) -> None:
    """The contract is enforced, not decorative: a mart whose YAML type differs from what its
    SQL builds stops `dbt build` with dbt's contract error and leaves the table as it was."""
    project = project_copy(tmp_path)
    models_yml = project / "models" / "marts" / "_marts__models.yml"
    document = yaml.safe_load(models_yml.read_text(encoding="utf-8"))
    (lead_source,) = [m for m in document["models"] if m["name"] == "kpi_lead_source_monthly"]
    (leads,) = [c for c in lead_source["columns"] if c["name"] == "leads"]
    assert leads["data_type"] == "bigint"
    leads["data_type"] = "double precision"
    models_yml.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse, warehouse)
    result = run_dbt(
        ["run", "--select", "kpi_lead_source_monthly"],
        env={"WAREHOUSE_PATH": str(warehouse)},
        target_path=tmp_path / "target",
        project_dir=project,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert "contract" in output.lower() and "leads" in output, output[-3000:]
    assert _duckdb_types(warehouse)[("kpi_lead_source_monthly", "leads")] == "BIGINT"


def test_bi_compat_money_beyond_the_contract_type_is_null_and_listed(
    built_warehouse: Path, tmp_path: Path
) -> None:
    """An Amount no Salesforce currency field can hold (>= 10^16) does not fail the build on
    the DECIMAL(18,2) cast: the mart has NULL and the warn test source_fits_money lists it."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        (opportunity,) = con.execute(
            "select min(opportunity_id) from staging.stg_salesforce__opportunities "
            "where not is_deleted"
        ).fetchone()
        con.execute(
            "update staging.stg_salesforce__opportunities set amount = 1e20 "
            "where opportunity_id = ?",
            [opportunity],
        )
    result = run_dbt(
        [
            *("build", "--select", "int_opportunities", "fct_opportunities"),
            *("--exclude-resource-type", "unit_test"),
        ],
        env={"WAREHOUSE_PATH": str(warehouse)},
        target_path=tmp_path / "target",
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "WARN 1 source_fits_money_fct_opportunities_amount" in output, output[-3000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        amount = con.execute(
            "select amount from marts.fct_opportunities where opportunity_id = ?", [opportunity]
        ).fetchone()
    assert amount == (None,)
