"""Unit tests of the validity rules of contracts 5.3 (sandbox.world.rules)."""

from datetime import UTC, datetime

import pytest

from sandbox.world import rules
from sandbox.world.rules import HandoffFields, assess_handoff

TOSSUP = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)  # 2026-03-10 12:00 JST


@pytest.mark.parametrize(
    "value", ["", "  ", None, "-", "ー", "―", "なし", "無し", "特になし", "不明", "未定", "TBD",
              "tbd", "ＴＢＤ", "N/A", "n/a", "NA", "None", "NONE", "?", "？", "\u3000なし\u3000"],
)  # fmt: skip
def test_placeholders(value: str | None) -> None:
    assert rules.is_placeholder(value)
    assert not rules.is_valid_name(value)


@pytest.mark.parametrize("value", ["株式会社サンプル", "(株)ｻﾝﾌﾟﾙ", "Acme Inc.", "なしの木商店"])
def test_real_names_are_not_placeholders(value: str) -> None:
    assert rules.is_valid_name(value)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("taro.yamada@example.co.jp", True),
        ("Taro.Yamada@Example.CO.JP", True),
        ("  taro@example.com ", True),
        ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ", True),
        ("taro@example", False),
        ("taro@@example.com", False),
        ("taro @example.com", False),
        ("taro@example.c", False),
        ("", False),
        (None, False),
    ],
)
def test_email(value: str | None, valid: bool) -> None:
    assert rules.is_valid_email(value) is valid


def test_person_key_ignores_casing_padding_and_width() -> None:
    variants = [
        "taro@example.com",
        " Taro@Example.com ",
        "TARO@EXAMPLE.COM",
        "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ",
    ]
    assert {rules.person_key(v) for v in variants} == {"taro@example.com"}
    assert rules.person_key("  ") is None


@pytest.mark.parametrize(
    ("value", "e164"),
    [
        ("03-1234-5678", "+81312345678"),
        ("090-1234-5678", "+819012345678"),
        ("(03) 1234-5678", "+81312345678"),
        ("+81 3 1234 5678", "+81312345678"),
        ("０３－１２３４－５６７８", "+81312345678"),
        ("06.1234.5678", "+81612345678"),
        ("+1 (415) 555-0100", "+14155550100"),
        ("1234-5678", None),
        ("03-1234", None),
        ("内線123", None),
        ("なし", None),
        ("", None),
        (None, None),
    ],
)
def test_phone(value: str | None, e164: str | None) -> None:
    assert rules.normalise_phone(value) == e164
    assert rules.is_valid_phone(value) is (e164 is not None)


@pytest.mark.parametrize(
    ("value", "valid"),
    [("インサイドセールスの引き継ぎが不十分", True), ("予算削減", False), ("CRM刷新", True),
     ("TBD", False), ("  abcd  ", False), ("abcde", True), (None, False)],
)  # fmt: skip
def test_challenge(value: str | None, valid: bool) -> None:
    assert rules.is_valid_challenge(value) is valid


def test_picklists() -> None:
    assert rules.budget_status(" 確定 ") == "confirmed"
    assert rules.budget_status("概算") == "estimated"
    assert rules.budget_status("予算なし") == "none"
    assert rules.budget_status("検討中") is None
    assert rules.budget_status("") is None
    assert rules.authority("担当者") == "user"
    assert rules.authority("部長") is None
    assert rules.handoff_status("差し戻し") == "rejected"
    assert rules.handoff_status("Accepted ") == "accepted"
    assert rules.handoff_status(None) == "pending"


@pytest.mark.parametrize(
    ("amount", "status", "valid"),
    [(1_000_000.0, "confirmed", True), (0.0, "estimated", True), (-1.0, "confirmed", False),
     (None, "confirmed", False), (None, "none", True), (None, None, True),
     (500_000.0, "none", False), (500_000.0, None, False)],
)  # fmt: skip
def test_budget_amount(amount: float | None, status: str | None, valid: bool) -> None:
    assert rules.is_valid_budget_amount(amount, status) is valid


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("2026-03-11", True),
        ("2026/09/30", True),
        ("２０２６－０９－３０", True),
        (" 2026-09-30 ", True),
        ("2026-03-10", False),  # the handoff's own JST day is not after it
        ("2026-03-01", False),
        ("2028-03-10", True),  # exactly 24 months later
        ("2028-03-11", False),
        ("2026-13-01", False),
        ("2026/9/30", False),
        ("来期", False),
        ("Q3", False),
        ("半年以内", False),
        (None, False),
    ],
)
def test_timeframe(value: str | None, valid: bool) -> None:
    assert rules.is_valid_timeframe(value, TOSSUP) is valid


def test_timeframe_uses_the_tokyo_date_of_the_handoff() -> None:
    late_evening_utc = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)  # already 03-11 in Tokyo
    assert not rules.is_valid_timeframe("2026-03-11", late_evening_utc)
    assert rules.is_valid_timeframe("2026-03-12", late_evening_utc)


def test_add_months_clamps_to_month_end() -> None:
    from datetime import date

    assert rules.add_months(date(2026, 8, 31), 24) == date(2028, 8, 31)
    assert rules.add_months(date(2025, 12, 31), 2) == date(2026, 2, 28)
    assert rules.add_months(date(2026, 2, 28), 24) == date(2028, 2, 28)


def test_assess_handoff_complete_and_qualified() -> None:
    fields = HandoffFields(
        company_name="(株)サンプル", contact_name="山田 太郎", contact_email=" Taro@Example.co.jp ",
        contact_phone="03-1234-5678", challenge="架電の管理が属人化", budget_status="見込み",
        budget_amount=3_000_000.0, authority="決裁者", timeframe="2026/10/01",
        next_meeting_at=datetime(2026, 3, 12, 1, 0, tzinfo=UTC),
    )  # fmt: skip
    quality = assess_handoff(fields, TOSSUP)
    assert (quality.valid_fields, quality.completeness, quality.bant_score) == (10, 1.0, 4)
    assert quality.is_qualified


def test_assess_handoff_sloppy() -> None:
    fields = HandoffFields(
        company_name="-", contact_name="不明", contact_email="taro@example",
        contact_phone="なし", challenge="TBD", budget_status="Unknown", budget_amount=None,
        authority="Unknown", timeframe="来期",
        next_meeting_at=datetime(2026, 3, 9, 1, 0, tzinfo=UTC),
    )  # fmt: skip
    quality = assess_handoff(fields, TOSSUP)
    # Valid: budget_status (unknown maps), budget_amount (empty, not committed), authority.
    assert quality.valid_fields == 3
    assert quality.completeness == pytest.approx(0.3)
    assert quality.bant_score == 0
    assert not quality.is_qualified
