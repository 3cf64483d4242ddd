"""Helper columns the runner adds before validating, so every rule is one plain expectation.

GX compares values within a row or against constants; some contract rules need a little
arithmetic first (a date in the reporting time zone, "24 months after", NFKC text). The
helpers are prefixed `dq__` and never written back to the warehouse.
"""

import unicodedata
from collections.abc import Callable
from datetime import datetime

import pandas as pd

REPORTING_TZ = "Asia/Tokyo"
TIMEFRAME_MAX_MONTHS = 24
FUNDED_BUDGET = ("confirmed", "estimated")
PREFIX = "dq__"


def normalise_text(value: object) -> str:
    """Contract 5.3: NFKC, trimmed; lower-cased so placeholders compare case-insensitively.

    Missing becomes "" so "absent" and "placeholder" fail the same rule.
    """
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip().lower()


def _local_date(values: pd.Series, tz: str) -> pd.Series:
    """Midnight of the reporting-time-zone date, tz-naive, so dates compare with dates."""
    stamps = pd.to_datetime(values, utc=True)
    return stamps.dt.tz_convert(tz).dt.tz_localize(None).dt.normalize().astype("datetime64[ns]")


def _as_date(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.normalize().astype("datetime64[ns]")


def add_handoff_fields(frame: pd.DataFrame, evaluated_at: datetime) -> pd.DataFrame:
    del evaluated_at  # handoff rules compare columns of the same row, not with "now"
    out = frame.copy()
    for column in ("company_name", "contact_name", "challenge"):
        out[f"{PREFIX}{column}_norm"] = out[column].map(normalise_text).astype(object)
    # "Raw present" = somebody typed digits; "-" or "なし" in the phone field is no number.
    out[f"{PREFIX}contact_phone_raw_present"] = (
        out["contact_phone_raw"].map(normalise_text).str.contains(r"[0-9]", regex=True)
    )
    tossup_date = _local_date(out["tossup_at"], REPORTING_TZ)
    out[f"{PREFIX}tossup_date"] = tossup_date
    out[f"{PREFIX}timeframe_date"] = _as_date(out["timeframe_date"])
    out[f"{PREFIX}timeframe_latest_date"] = tossup_date + pd.DateOffset(months=TIMEFRAME_MAX_MONTHS)
    funded = out["budget_status"].isin(FUNDED_BUDGET)
    out[f"{PREFIX}budget_amount_matches_status"] = funded == out["budget_amount"].notna()
    out[f"{PREFIX}is_qualified_number"] = out["is_qualified"].astype("float64")
    return out


def add_extraction_age(frame: pd.DataFrame, evaluated_at: datetime) -> pd.DataFrame:
    """Hours between each row's extraction and the evaluation: freshness as a number."""
    out = frame.copy()
    extracted = pd.to_datetime(out["_extracted_at"], utc=True)
    now = pd.Timestamp(evaluated_at)
    now = now.tz_localize("UTC") if now.tzinfo is None else now.tz_convert("UTC")
    out[f"{PREFIX}extracted_age_hours"] = (now - extracted).dt.total_seconds() / 3600.0
    return out


DERIVE: dict[str, Callable[[pd.DataFrame, datetime], pd.DataFrame]] = {
    "handoff_fields": add_handoff_fields,
    "extraction_age": add_extraction_age,
}


def derive(frame: pd.DataFrame, names: tuple[str, ...], evaluated_at: datetime) -> pd.DataFrame:
    for name in names:
        frame = DERIVE[name](frame, evaluated_at)
    return frame
