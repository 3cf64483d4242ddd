"""dbt build on a tiny hand-made world (tests/dbt/mini_world.py) on DuckDB and Postgres:
KPIs worked out by hand, the Tokyo month and week cut, Task+Gong call dedup (linked and
hand-logged), internal people, stage meaning from metadata and handoff validation."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.dbt import mini_world
from tests.dbt.mini_world import write_mini_world
from tests.dbt.truth_compare import KPI_QUERY
from tests.dbt.warehouses import (
    BuiltWarehouse,
    build_duckdb,
    build_postgres,
    scratch_postgres_database,
)

IS, FS = mini_world.IS_REP, mini_world.FS_REP

M, W = "month", "week"  # period grains; weeks start on Monday
EXPECTED = {
    # Gong call + the short Task call; the Task that logged the Gong call is not counted again;
    # the hand-logged Task 8 min after its recording is the recording (45 s: not connected);
    # the one logged 20 min after its recording is a call of its own (both connected)
    ("calls", "rep", IS, M, "2026-03-01"): 5.0,
    ("calls", "rep", IS, W, "2026-03-16"): 2.0,
    ("calls", "rep", IS, W, "2026-03-23"): 3.0,
    ("connected_calls", "team", "inside_sales", M, "2026-03-01"): 3.0,
    ("emails_sent", "company", "all", M, "2026-03-01"): 1.0,
    ("touches", "rep", IS, M, "2026-03-01"): 6.0,
    ("leads_worked", "rep", IS, M, "2026-03-01"): 1.0,
    ("touches_per_rep_day", "team", "inside_sales", M, "2026-03-01"): 1.2,
    # the colleague Gong marks External is no second person; the colleagues-only meeting is none
    ("meetings_held", "rep", FS, M, "2026-04-01"): 1.0,
    ("meetings_held", "rep", FS, W, "2026-03-30"): 1.0,
    ("leads_worked", "rep", FS, M, "2026-04-01"): 1.0,
    # 2026-03-31 16:00 UTC is April in Tokyo, a Wednesday
    ("tossups", "rep", IS, M, "2026-04-01"): 1.0,
    ("tossups", "rep", IS, W, "2026-03-30"): 1.0,
    ("tossups", "unit", "division_of_labour", M, "2026-04-01"): 1.0,
    ("avg_handoff_completeness", "company", "all", M, "2026-04-01"): 1.0,
    ("qualified_handoff_share", "team", "inside_sales", M, "2026-04-01"): 1.0,
    ("sla_met_rate", "company", "all", M, "2026-04-01"): 1.0,
    ("median_hours_to_first_meeting", "company", "all", M, "2026-04-01"): 50.0,
    ("tossup_to_won_rate", "rep", IS, M, "2026-04-01"): 1.0,
    # the colleague's test lead scored to MQL is no MQL
    ("mqls", "company", "all", M, "2026-03-01"): 1.0,
    ("mqls", "rep", IS, M, "2026-03-01"): 1.0,
    ("mql_to_sql_rate", "company", "all", M, "2026-03-01"): 1.0,
    ("opportunity_conversion_rate", "rep", IS, M, "2026-03-01"): 1.0,
    # both leads were created in February; the e-mail-less one has its source in Salesforce only
    ("leads", "company", "all", M, "2026-02-01"): 2.0,
    ("leads", "rep", IS, M, "2026-02-01"): 2.0,
    ("leads", "source", "Webinar", M, "2026-02-01"): 1.0,
    ("leads", "source", "展示会", M, "2026-02-01"): 1.0,
    ("lead_to_won_rate", "source", "Webinar", M, "2026-02-01"): 1.0,
    ("lead_to_won_rate", "source", "展示会", M, "2026-02-01"): 0.0,
    ("lead_to_won_rate", "company", "all", M, "2026-02-01"): 0.5,
    # stages in Japanese: 提案 is the proposal (metadata order), 受注 won (IsWon)
    ("opportunities", "rep", FS, M, "2026-04-01"): 1.0,
    ("proposals", "rep", FS, M, "2026-04-01"): 1.0,
    ("won_deals", "team", "field_sales", M, "2026-05-01"): 1.0,
    ("new_business_revenue", "company", "all", M, "2026-05-01"): 1_500_000.0,
    ("win_rate", "unit", "division_of_labour", M, "2026-05-01"): 1.0,
    ("avg_deal_size", "rep", FS, M, "2026-05-01"): 1_500_000.0,
    ("revenue", "company", "all", M, "2026-05-01"): 1_500_000.0,
    ("revenue", "rep", FS, M, "2026-05-01"): 1_500_000.0,
    ("new_customers", "company", "all", M, "2026-05-01"): 1.0,
    ("new_customers", "team", "field_sales", M, "2026-05-01"): 1.0,
}
ABSENT = [
    ("tossups", "rep", IS, M, "2026-03-01"),  # the UTC month would be wrong
    ("rejections", "company", "all", M, "2026-04-01"),  # counts only when > 0
    ("lost_deals", "company", "all", M, "2026-05-01"),
    ("retention_rate", "company", "all", M, "2026-05-01"),  # no renewals due: no denominator
    ("meetings_held", "rep", FS, W, "2026-04-06"),  # colleagues only
    ("leads", "source", "Web Form", M, "2026-03-01"),  # the colleague's test lead
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


def _kpis(warehouse: BuiltWarehouse) -> dict[tuple[str, str, str, str, str], float]:
    return {(k, g, key, p, s): float(v) for k, g, key, p, s, v in warehouse.query(KPI_QUERY)}


def test_hand_worked_kpis(warehouse: BuiltWarehouse) -> None:
    kpis = _kpis(warehouse)
    wrong = {
        key: (kpis.get(key), value)
        for key, value in EXPECTED.items()
        if kpis.get(key) != pytest.approx(value)
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


def test_call_matching_rule_keeps_task_flagged(warehouse: BuiltWarehouse) -> None:
    """A Task and its recording count once: by CallObject, or by the matching rule (same rep,
    same person, starts within call_match_window_minutes); the recording's duration wins."""
    rows = warehouse.query(
        "select activity_id, is_counted, duplicate_of_activity_id from marts.fct_activities"
        " where activity_source = 'salesforce_task' and activity_type = 'call' order by 1"
    )
    assert rows == [
        ("sf_task:00T000000000001AAA", False, "gong_call:7001"),
        ("sf_task:00T000000000003AAA", True, None),
        ("sf_task:00T000000000004AAA", False, "gong_call:7003"),  # hand-logged, matched
        ("sf_task:00T000000000005AAA", True, None),  # 20 min off: outside the window
    ]
    (duration,) = warehouse.query(
        "select duration_seconds from marts.fct_activities where activity_id = 'gong_call:7003'"
        " and is_counted"
    )[0]
    assert duration == 45  # the recording's, not the 120 s typed into the Task


def test_internal_people_rule(warehouse: BuiltWarehouse) -> None:
    """Users' addresses and internal domains are no persons, whatever Gong's flag says, and a
    meeting of colleagues only is no customer meeting."""
    persons = warehouse.query("select email from marts.dim_person where email like '%demo.example'")
    assert persons == []
    (party_count,) = warehouse.query(
        "select count(*) from intermediate.int_person_records where record_id like '%demo.example'"
    )[0]
    assert party_count == 0
    audiences = warehouse.query(
        "select call_id, customer_party_count, is_customer_call"
        " from intermediate.int_gong_call_audiences order by call_id"
    )
    assert ("7002", 1, True) in audiences  # the customer, not the colleague marked External
    assert ("7005", 0, False) in audiences
    counted = warehouse.query(
        "select activity_id from marts.fct_activities where gong_call_id = '7005'"
    )
    assert counted == []
