"""A small published copy made by hand: a few persons whose funnel is worked out below, in
Asia/Tokyo weeks starting on Monday, with values typed DECIMAL and BIGINT as stricter marts
may type them, and hostile text where a rep name or a reject reason goes."""

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

TOKYO = ZoneInfo("Asia/Tokyo")
HOSTILE_NAME = "<script>alert('rep')</script>"
HOSTILE_REASON = "<img src=x onerror=alert(1)>予算なし"


def jst(text: str) -> datetime:
    """A Tokyo wall-clock time as the UTC instant the marts store."""
    return datetime.fromisoformat(text).replace(tzinfo=TOKYO).astimezone(UTC)


def _person(key: str, **stages: str) -> dict:
    return {"person_key": key, **{name: jst(at) for name, at in stages.items()}}


# Last closed week: Mon 2026-06-22 - Sun 06-28 (the as-of is Mon 06-29 00:30 in Tokyo).
THIS_WEEK = [
    _person(f"p{i}", lead_created_at="2026-06-22 10:00")
    | ({"mql_at": jst("2026-06-23 10:00")} if i <= 6 else {})
    | ({"first_touch_at": jst("2026-06-23 12:00")} if i <= 5 else {})
    for i in range(1, 11)
]
THIS_WEEK[0] |= {
    "tossup_at": jst("2026-06-24 10:00"),
    "handoff_status": "accepted",
    "opportunity_id": "opp-p1",
    "opportunity_created_at": jst("2026-06-24 10:00"),
    "first_meeting_at": jst("2026-06-25 10:00"),
}
THIS_WEEK[1] |= {
    "tossup_at": jst("2026-06-24 10:00"),
    "handoff_status": "rejected",
    "opportunity_id": "opp-p2",
    "opportunity_created_at": jst("2026-06-24 10:00"),
    "lost_at": jst("2026-06-25 09:00"),
}
PREVIOUS_WEEK = [
    _person(f"q{i}", lead_created_at="2026-06-15 10:00")
    | (
        {"mql_at": jst("2026-06-16 10:00"), "first_touch_at": jst("2026-06-16 12:00")}
        if i <= 4
        else {}
    )
    | (
        {
            "tossup_at": jst("2026-06-17 10:00"),
            "handoff_status": "accepted",
            "opportunity_id": f"opp-q{i}",
            "opportunity_created_at": jst("2026-06-17 10:00"),
            "first_meeting_at": jst("2026-06-18 10:00"),
        }
        if i <= 3
        else {}
    )
    for i in range(1, 9)
]
PREVIOUS_WEEK[0] |= {"won_at": jst("2026-06-26 15:00")}  # won in the last week
# Sunday 23:30 in Tokyo is still the last week; Monday 00:30 (Sunday 15:30 UTC) is not.
BOUNDARY = [
    _person("b1", lead_created_at="2026-06-28 23:30"),
    _person("b2", lead_created_at="2026-06-29 00:30"),
    # June in Tokyo, May in UTC: the marts' lead month tells which zone cut them
    _person("b3", lead_created_at="2026-06-01 00:30"),
]
PERSONS = THIS_WEEK + PREVIOUS_WEEK + BOUNDARY

# Expected funnel of the last week against the week before (stages in funnel order).
EXPECTED_ENTERED = (11, 6, 5, 2, 1, 1, 1)
EXPECTED_ENTERED_PREVIOUS = (8, 4, 4, 3, 3, 3, 0)
EXPECTED_CONVERTED = (0, 6, 5, 2, 1, 1, 0)  # of the cohort entering the previous stage
EXPECTED_CONVERTED_PREVIOUS = (0, 4, 4, 3, 3, 3, 1)

LIFECYCLE_COLUMNS = (
    "lead_created_at", "mql_at", "first_touch_at", "tossup_at", "first_meeting_at",
    "opportunity_created_at", "won_at", "lost_at",
)  # fmt: skip
IS_REP, FS_REP, HOSTILE_REP = "005IS", "005FS", "005XX"


def build(
    path: Path, *, timestamp_type: str = "timestamptz", value_type: str = "decimal(18,4)"
) -> Path:
    con = duckdb.connect(str(path))
    con.execute("set TimeZone = 'UTC'")
    con.execute("create schema marts")
    stamps = ", ".join(f"{c} {timestamp_type}" for c in LIFECYCLE_COLUMNS)
    con.execute(
        f"create table marts.fct_lead_lifecycle (person_key varchar, {stamps}, "
        "lead_created_month varchar, handoff_status varchar, opportunity_id varchar)"
    )
    for person in PERSONS:
        values = [person.get(c) for c in LIFECYCLE_COLUMNS]
        if timestamp_type == "timestamp":  # naive UTC, as a Postgres-built mart could be
            values = [v and v.replace(tzinfo=None) for v in values]
        month = person["lead_created_at"].astimezone(TOKYO).strftime("%Y-%m")
        con.execute(
            f"insert into marts.fct_lead_lifecycle values ({', '.join('?' * (len(values) + 4))})",
            [
                person["person_key"],
                *values,
                month,
                person.get("handoff_status"),
                person.get("opportunity_id"),
            ],
        )
    _handoffs(con)
    con.execute(
        f"create table marts.kpi_long (kpi varchar, grain varchar, grain_key varchar, "
        f"period_grain varchar, period_start date, value {value_type})"
    )
    con.executemany(
        "insert into marts.kpi_long values (?, ?, ?, ?, ?, ?)",
        [
            ("tossups", "team", "inside_sales", "week", "2026-06-22", 2),
            ("tossups", "team", "inside_sales", "week", "2026-06-15", 3),
            ("tossups", "rep", IS_REP, "week", "2026-06-22", 2),
            ("tossups", "team", "inside_sales", "month", "2026-06-01", 5),
            ("tossups", "team", "inside_sales", "month", "2026-05-01", 4),
            ("tossups", "rep", IS_REP, "month", "2026-05-01", 4),
            ("win_rate", "team", "field_sales", "month", "2026-05-01", 0.25),
            ("win_rate", "team", "field_sales", "month", "2026-04-01", 0.5),
            ("won_deals", "unit", "division_of_labour", "month", "2026-05-01", 1),
            ("revenue", "company", "all", "month", "2026-05-01", 8_000_000),
        ],
    )
    con.execute(
        "create table marts.kpi_goals_monthly (kpi varchar, grain varchar, grain_key varchar, "
        "fiscal_year integer, fiscal_year_start date, month_start date, month varchar, "
        f"actual {value_type}, target {value_type}, attainment double, actual_ytd {value_type}, "
        f"target_ytd {value_type}, attainment_ytd double, fiscal_year_target {value_type})"
    )
    con.executemany(
        "insert into marts.kpi_goals_monthly "
        "values (?, ?, ?, 2026, '2026-04-01', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                "revenue",
                "company",
                "all",
                "2026-04-01",
                "2026-04",
                12e6,
                10e6,
                1.2,
                12e6,
                10e6,
                1.2,
                120e6,
            ),
            (
                "revenue",
                "company",
                "all",
                "2026-05-01",
                "2026-05",
                8e6,
                10e6,
                0.8,
                20e6,
                20e6,
                1.0,
                120e6,
            ),
            (
                "revenue",
                "rep",
                FS_REP,
                "2026-05-01",
                "2026-05",
                3e6,
                4e6,
                0.75,
                3e6,
                4e6,
                0.75,
                48e6,
            ),
        ],
    )
    con.execute(
        "create table marts.dim_rep "
        "(rep_id varchar, rep_name varchar, team varchar, is_active boolean)"
    )
    con.executemany(
        "insert into marts.dim_rep values (?, ?, ?, ?)",
        [
            (IS_REP, "佐藤 太郎", "inside_sales", True),
            (FS_REP, "鈴木 花子", "field_sales", True),
            (HOSTILE_REP, HOSTILE_NAME, "inside_sales", True),
        ],
    )
    con.execute(
        "create table marts._publish_info as select timestamptz '2026-06-29 01:00:00+00' as "
        "published_at, 'run' as run_id, 6 as tables, 'duckdb' as source_target, "
        "'v1.1.0' as storage_version"
    )
    con.close()
    return path


def _handoffs(con: duckdb.DuckDBPyConnection) -> None:
    fields = (
        "company_name", "contact_name", "contact_email", "contact_phone", "challenge",
        "budget_status", "budget_amount", "authority", "timeframe", "next_meeting_at",
    )  # fmt: skip
    valid = ", ".join(f"is_valid_{f} boolean" for f in fields)
    con.execute(
        f"create table marts.fct_handoffs (handoff_id varchar, tossup_at timestamptz, {valid}, "
        "completeness double, bant_score bigint, handoff_status varchar, reject_reason varchar, "
        "receiver_rep_id varchar, is_sla_met boolean, hours_to_first_meeting decimal(10,2))"
    )
    rows = [
        # one accepted, complete, met the SLA in 24 h; one rejected with a hostile reason
        ("h1", jst("2026-06-24 10:00"), *[True] * 10, 1.0, 4, "accepted", None, FS_REP, True, 24),
        ("h2", jst("2026-06-24 10:00"), *[True] * 7, False, False, False, 0.7, 2, "rejected",
         "予算未確定", FS_REP, False, None),
        # May, the last closed month: rejected with a hostile reason
        ("h3", jst("2026-05-20 10:00"), *[True] * 7, False, False, False, 0.7, 2, "rejected",
         HOSTILE_REASON, FS_REP, False, None),
    ]  # fmt: skip
    con.executemany(f"insert into marts.fct_handoffs values ({', '.join('?' * 19)})", rows)
