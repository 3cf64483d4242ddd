"""A clean marts.fct_handoffs (docs/contracts.md section 6) that every rule accepts."""

from pathlib import Path

import duckdb
import pandas as pd

BUDGETS = [
    ("confirmed", "確定", 3_000_000.0),
    ("estimated", "Estimated", 1_200_000.0),
    ("none", "予算なし", None),
    ("unknown", "不明", None),
]
AUTHORITIES = [
    ("decision_maker", "決裁者"),
    ("influencer", "Influencer"),
    ("user", "担当者"),
    ("unknown", "Unknown"),
]
VALID_FIELDS = (
    "company_name",
    "contact_name",
    "contact_email",
    "contact_phone",
    "challenge",
    "budget_status",
    "budget_amount",
    "authority",
    "timeframe",
    "next_meeting_at",
)


def clean_handoffs(n: int = 200) -> pd.DataFrame:
    base = pd.Timestamp("2026-01-05T01:00:00Z")
    rows = []
    for i in range(n):
        tossup_at = base + pd.Timedelta(hours=7 * i)
        budget, budget_raw, amount = BUDGETS[i % 4]
        authority, authority_raw = AUTHORITIES[(i // 4) % 4]
        timeframe = (tossup_at.tz_convert("Asia/Tokyo") + pd.Timedelta(days=90)).date()
        bant = (budget in ("confirmed", "estimated")) + (authority != "unknown") + 2
        first_meeting_at = tossup_at + pd.Timedelta(hours=30)
        rows.append(
            {
                "handoff_id": f"00Q{i:015d}",
                "person_key": f"taro{i}@example.co.jp",
                "account_id": f"001{i:015d}",
                "opportunity_id": f"006{i:015d}",
                "sender_rep_id": "005000000000000001",
                "receiver_rep_id": "005000000000000002",
                "sender_team": "inside_sales",
                "receiver_team": "field_sales",
                "unit": "division_of_labour",
                "tossup_at": tossup_at,
                "company_name": f"株式会社サンプル{i}",
                "contact_name": f"山田 太郎{i}",
                "contact_email": f"taro{i}@example.co.jp",
                "contact_phone": f"+8190{i:08d}",
                "contact_phone_raw": f"090-{i // 10_000:04d}-{i % 10_000:04d}",
                "challenge": "営業プロセスの属人化を解消したい",
                "budget_status": budget,
                "budget_status_raw": budget_raw,
                "budget_amount": amount,
                "authority": authority,
                "authority_raw": authority_raw,
                "timeframe_raw": timeframe.strftime("%Y/%m/%d"),
                "timeframe_date": timeframe,
                "next_meeting_at": tossup_at + pd.Timedelta(days=1),
                **{f"is_valid_{field}": True for field in VALID_FIELDS},
                "completeness": 1.0,
                "bant_score": bant,
                "is_qualified": bant >= 3,
                "handoff_status": "accepted" if i % 5 else "rejected",
                "reject_reason": None if i % 5 else "no_budget",
                "first_meeting_at": first_meeting_at,
                "hours_to_first_meeting": 30.0,
                "is_sla_met": True,
                "is_won": i % 3 == 0,
            }
        )
    frame = pd.DataFrame(rows)
    # Dtypes as DuckDB returns them, so tests see what the runner sees in production.
    frame["timeframe_date"] = pd.to_datetime(frame["timeframe_date"])
    frame["budget_amount"] = frame["budget_amount"].astype("float64")
    for column in ("company_name", "contact_name", "contact_email", "contact_phone"):
        frame[column] = frame[column].astype(object)
    return frame


def write_table(path: Path, frame: pd.DataFrame, table: str = "marts.fct_handoffs") -> None:
    schema = table.split(".")[0]
    with duckdb.connect(str(path)) as con:
        con.execute(f"create schema if not exists {schema}")
        con.register("frame_view", frame)
        con.execute(f"create or replace table {table} as select * from frame_view")
        con.unregister("frame_view")
