"""dbt build on a tiny hand-made world (tests/dbt/mini_world.py) on DuckDB and Postgres:
KPIs worked out by hand, the Tokyo month cut, Task+Gong call dedup and handoff validation."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.dbt import mini_world
from tests.dbt.mini_world import write_mini_world
from tests.dbt.warehouses import (
    BuiltWarehouse,
    build_duckdb,
    build_postgres,
    scratch_postgres_database,
)

IS, FS = mini_world.IS_REP, mini_world.FS_REP

EXPECTED = {
    # Gong call + the short Task call; the Task that logged the Gong call is not counted again
    ("calls", "rep", IS, "2026-03"): 2.0,
    ("connected_calls", "team", "inside_sales", "2026-03"): 1.0,
    ("emails_sent", "company", "all", "2026-03"): 1.0,
    ("touches", "rep", IS, "2026-03"): 3.0,
    ("leads_worked", "rep", IS, "2026-03"): 1.0,
    ("touches_per_rep_day", "team", "inside_sales", "2026-03"): 1.0,
    ("meetings_held", "rep", FS, "2026-04"): 1.0,
    # 2026-03-31 16:00 UTC is April in Tokyo
    ("tossups", "rep", IS, "2026-04"): 1.0,
    ("tossups", "unit", "division_of_labour", "2026-04"): 1.0,
    ("avg_handoff_completeness", "company", "all", "2026-04"): 1.0,
    ("qualified_handoff_share", "team", "inside_sales", "2026-04"): 1.0,
    ("sla_met_rate", "company", "all", "2026-04"): 1.0,
    ("median_hours_to_first_meeting", "company", "all", "2026-04"): 50.0,
    ("tossup_to_won_rate", "rep", IS, "2026-04"): 1.0,
    ("mql_to_sql_rate", "company", "all", "2026-03"): 1.0,
    ("opportunity_conversion_rate", "rep", IS, "2026-03"): 1.0,
    ("proposals", "rep", FS, "2026-04"): 1.0,
    ("won_deals", "team", "field_sales", "2026-05"): 1.0,
    ("revenue", "company", "all", "2026-05"): 1_500_000.0,
    ("win_rate", "unit", "division_of_labour", "2026-05"): 1.0,
    ("avg_deal_size", "rep", FS, "2026-05"): 1_500_000.0,
    ("total_revenue", "company", "all", "2026-05"): 1_500_000.0,
    ("new_customers", "company", "all", "2026-05"): 1.0,
    ("lead_to_won_rate", "source", "Webinar", "2026-02"): 1.0,
}
ABSENT = [
    ("tossups", "rep", IS, "2026-03"),  # the UTC month would be wrong
    ("rejections", "company", "all", "2026-04"),  # counts only when > 0
    ("lost_deals", "company", "all", "2026-05"),
    ("retention_rate", "company", "all", "2026-05"),  # no renewals due: no denominator
]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("mini_world")
    write_mini_world(directory)
    return directory


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def warehouse(
    request: pytest.FixtureRequest, data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BuiltWarehouse]:
    work_dir = tmp_path_factory.mktemp(f"mini_{request.param}")
    if request.param == "duckdb":
        yield build_duckdb(data_dir, work_dir)
        return
    with scratch_postgres_database() as database:
        yield build_postgres(data_dir, work_dir, database)


def _kpis(warehouse: BuiltWarehouse) -> dict[tuple[str, str, str, str], float]:
    rows = warehouse.query("select kpi, grain, grain_key, month, value from marts.kpi_monthly_long")
    return {(k, g, key, m): float(v) for k, g, key, m, v in rows}


def test_hand_worked_kpis(warehouse: BuiltWarehouse) -> None:
    kpis = _kpis(warehouse)
    wrong = {
        key: (kpis.get(key), value) for key, value in EXPECTED.items() if kpis.get(key) != value
    }
    assert not wrong, f"(got, expected): {wrong}"
    assert not [key for key in ABSENT if key in kpis]


def test_handoff_fields_cleaned(warehouse: BuiltWarehouse) -> None:
    (row,) = warehouse.query(
        "select contact_email, contact_phone, budget_status, authority, handoff_status,"
        " cast(timeframe_date as varchar), completeness, bant_score, is_qualified, unit,"
        " sender_team, receiver_team, hours_to_first_meeting, is_sla_met, is_won"
        " from marts.fct_handoffs"
    )
    assert row == (
        "hanako.yamada@sample.example",
        "+81312345678",
        "confirmed",
        "decision_maker",
        "accepted",
        "2026-09-30",
        1.0,
        4,
        True,
        "division_of_labour",
        "inside_sales",
        "field_sales",
        50.0,
        True,
        True,
    )


def test_identity_merges_case_and_width_variants(warehouse: BuiltWarehouse) -> None:
    # Marketo, the Salesforce Lead (full-width, upper case, padded), the Contact and the Gong
    # party are one person; the e-mail-less Lead is a person of its own.
    rows = warehouse.query(
        "select email, marketo_lead_count, salesforce_lead_count, salesforce_contact_count,"
        " is_in_gong from marts.dim_person order by email nulls last"
    )
    assert rows == [("hanako.yamada@sample.example", 1, 1, 1, True), (None, 0, 1, 0, False)]


def test_activity_dedup_keeps_task_flagged(warehouse: BuiltWarehouse) -> None:
    rows = warehouse.query(
        "select activity_id, is_counted, duplicate_of_activity_id from marts.fct_activities"
        " where activity_source = 'salesforce_task' and activity_type = 'call' order by 1"
    )
    assert rows == [
        ("sf_task:00T000000000001AAA", False, "gong_call:7001"),
        ("sf_task:00T000000000003AAA", True, None),
    ]
