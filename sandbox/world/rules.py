"""Validation and normalisation rules of contracts 5.3, shared by the generator and the truth.

The dbt marts implement the same rules in SQL; keep both literal so the end-to-end test can
compare every value.
"""

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

REPORTING_OFFSET = timedelta(hours=9)  # Asia/Tokyo has no DST

PLACEHOLDERS = frozenset(
    p.lower()
    for p in (
        "",
        "-",
        "ー",
        "―",
        "なし",
        "無し",
        "特になし",
        "不明",
        "未定",
        "TBD",
        "N/A",
        "NA",
        "none",
        "?",
    )
)

EMAIL_PATTERN = re.compile(r"^[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$")
PHONE_PATTERN = re.compile(r"^\+[1-9][0-9]{8,14}$")
PHONE_STRIP = re.compile(r"[ \-().]")
TIMEFRAME_PATTERN = re.compile(r"^(\d{4})[-/](\d{2})[-/](\d{2})$")

# The default picklist mapping (dbt seed picklist_label_mapping holds exactly these rows):
# the usual English and Japanese labels, placeholders such as 未定 and 未確認 included.
BUDGET_LABELS = {
    **dict.fromkeys(
        ("Confirmed", "Approved", "確定", "予算確定", "予算あり", "予算確保済み", "予算確保済"),
        "confirmed",
    ),
    **dict.fromkeys(("Estimated", "Planned", "見込み", "概算", "予算見込み"), "estimated"),
    **dict.fromkeys(("None", "No Budget", "なし", "無し", "予算なし"), "none"),
    **dict.fromkeys(("Unknown", "TBD", "不明", "未定", "未確認", "確認中", "要確認"), "unknown"),
}
AUTHORITY_LABELS = {
    **dict.fromkeys(
        ("Decision Maker", "Economic Buyer", "決裁者", "決済者", "意思決定者"), "decision_maker"
    ),
    **dict.fromkeys(("Influencer", "Champion", "影響者", "キーマン", "推進者"), "influencer"),
    **dict.fromkeys(("User", "End User", "利用者", "担当者", "現場担当者"), "user"),
    **dict.fromkeys(("Unknown", "TBD", "不明", "未定", "未確認", "確認中"), "unknown"),
}
HANDOFF_STATUS_LABELS = {
    **dict.fromkeys(("Accepted", "承認", "受入", "受け入れ", "了承"), "accepted"),
    **dict.fromkeys(("Rejected", "差し戻し", "差戻し", "却下"), "rejected"),
}


def normalise_text(value: str | None) -> str:
    """NFKC then trim; None becomes the empty string."""
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", value).strip()


def is_placeholder(value: str | None) -> bool:
    return normalise_text(value).lower() in PLACEHOLDERS


def person_key(email: str | None) -> str | None:
    """The identity of a person: NFKC, trim, lower. None when there is no e-mail."""
    key = normalise_text(email).lower()
    return key or None


def is_valid_name(value: str | None) -> bool:
    return not is_placeholder(value)


def is_valid_email(value: str | None) -> bool:
    return EMAIL_PATTERN.match(normalise_text(value).lower()) is not None


def normalise_phone(value: str | None) -> str | None:
    """E.164 or None. A leading 0 is a Japanese national number; a leading + is kept."""
    text = PHONE_STRIP.sub("", normalise_text(value))
    if text.startswith("0"):
        text = "+81" + text[1:]
    return text if PHONE_PATTERN.match(text) else None


def is_valid_phone(value: str | None) -> bool:
    return normalise_phone(value) is not None


def is_valid_challenge(value: str | None) -> bool:
    return not is_placeholder(value) and len(normalise_text(value)) >= 5


def budget_status(label: str | None, meaning: dict[str, str] = BUDGET_LABELS) -> str | None:
    return meaning.get(normalise_text(label))


def authority(label: str | None, meaning: dict[str, str] = AUTHORITY_LABELS) -> str | None:
    return meaning.get(normalise_text(label))


def handoff_status(label: str | None, meaning: dict[str, str] = HANDOFF_STATUS_LABELS) -> str:
    """accepted / rejected; blank or unknown labels are pending."""
    return meaning.get(normalise_text(label), "pending")


def is_valid_budget_amount(amount: float | None, status: str | None) -> bool:
    committed = status in ("confirmed", "estimated")
    if amount is None:
        return not committed
    return amount >= 0 and committed


def add_months(day: date, months: int) -> date:
    """Calendar month arithmetic, clamping to the month's end (as SQL interval addition does)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def parse_timeframe(value: str | None) -> date | None:
    match = TIMEFRAME_PATTERN.match(normalise_text(value))
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def reporting_date(moment: datetime) -> date:
    return (moment.astimezone(UTC) + REPORTING_OFFSET).date()


def is_valid_timeframe(value: str | None, tossup_at: datetime) -> bool:
    parsed = parse_timeframe(value)
    if parsed is None:
        return False
    handoff_day = reporting_date(tossup_at)
    return handoff_day < parsed <= add_months(handoff_day, 24)


def is_valid_next_meeting(next_meeting_at: datetime | None, tossup_at: datetime) -> bool:
    return next_meeting_at is not None and next_meeting_at > tossup_at


@dataclass(frozen=True)
class HandoffFields:
    """The ten canonical handoff fields as the Salesforce Lead carries them (raw)."""

    company_name: str | None
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None
    challenge: str | None
    budget_status: str | None
    budget_amount: float | None
    authority: str | None
    timeframe: str | None
    next_meeting_at: datetime | None


@dataclass(frozen=True)
class HandoffQuality:
    valid_fields: int
    completeness: float
    bant_score: int
    is_qualified: bool


def assess_handoff(
    fields: HandoffFields,
    tossup_at: datetime,
    bant_min: int = 3,
    budget_meaning: dict[str, str] = BUDGET_LABELS,
    authority_meaning: dict[str, str] = AUTHORITY_LABELS,
) -> HandoffQuality:
    """Validity per contracts 5.3; the meanings are the org's picklist semantics."""
    budget = budget_status(fields.budget_status, budget_meaning)
    auth = authority(fields.authority, authority_meaning)
    challenge_ok = is_valid_challenge(fields.challenge)
    timeframe_ok = is_valid_timeframe(fields.timeframe, tossup_at)
    validity = (
        is_valid_name(fields.company_name),
        is_valid_name(fields.contact_name),
        is_valid_email(fields.contact_email),
        is_valid_phone(fields.contact_phone),
        challenge_ok,
        budget is not None,
        is_valid_budget_amount(fields.budget_amount, budget),
        auth is not None,
        timeframe_ok,
        is_valid_next_meeting(fields.next_meeting_at, tossup_at),
    )
    valid = sum(validity)
    bant = (
        (budget in ("confirmed", "estimated"))
        + (auth is not None and auth != "unknown")
        + challenge_ok
        + timeframe_ok
    )
    return HandoffQuality(valid, valid / 10, bant, bant >= bant_min)
