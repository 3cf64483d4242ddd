"""Messy forms of the values people type into the tools (the warehouse must clean them)."""

import random
from datetime import timedelta

from sandbox.world.fmt import local_date
from sandbox.world.rules import add_months, parse_timeframe


def full_width(text: str) -> str:
    """ASCII -> full-width forms (NFKC maps them back)."""
    return "".join(
        chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c) for c in text
    )


def email_variant(rng: random.Random, email: str) -> str:
    """Same address, different casing/padding/width: the person key is unchanged."""
    roll = rng.random()
    if roll < 0.55:
        return email
    if roll < 0.75:
        local, _, domain = email.partition("@")
        return f"{local.capitalize()}@{domain}"
    if roll < 0.85:
        return email.upper()
    if roll < 0.95:
        return f" {email} "
    return full_width(email)


def invalid_email(rng: random.Random, local: str, domain: str) -> str:
    """Unique per person but fails the contract's e-mail pattern."""
    stem = domain.split(".")[0]
    return rng.choice(
        (f"{local}@{stem}", f"{local}@@{domain}", f"{local} @{domain}", f"{local}@{stem}.c")
    )


VALID_PHONES = ("03-{a}-{b}", "090-{a}-{b}", "+81 3 {a} {b}", "(03) {a}-{b}", "０３－{a}－{b}",
                "06.{a}.{b}", "0120-{c}-{d}")  # fmt: skip
INVALID_PHONES = ("{a}-{b}", "03-{a}", "内線{c}", "なし", "", "-", "TBD")


def phone(rng: random.Random, valid_share: float = 0.8) -> str | None:
    a, b = f"{rng.randrange(1000, 9999)}", f"{rng.randrange(1000, 9999)}"
    c, d = f"{rng.randrange(100, 999)}", f"{rng.randrange(100, 999)}"
    if rng.random() < valid_share:
        pattern = rng.choice(VALID_PHONES)
        text = pattern.format(a=a, b=b, c=c, d=d)
        return full_width(text) if pattern.startswith("０") else text
    if rng.random() < 0.2:
        return None
    return rng.choice(INVALID_PHONES).format(a=a, b=b, c=c, d=d)


GOOD_CHALLENGES = (
    "架電リストの管理がExcelで属人化しており、商談化率が見えない",
    "インサイドセールスとフィールドセールスの引き継ぎ情報が不足している",
    "Marketing and sales data live in separate tools; no funnel view",
    "営業の活動量が把握できず、マネジメントが感覚的になっている",
    "Renewal risk is noticed too late by customer success",
    "  問い合わせ対応の工数削減  ",
    "ＣＲＭ刷新を検討中",
)
BAD_CHALLENGES = (
    "",
    "-",
    "なし",
    "TBD",
    "ＴＢＤ",
    "特になし",
    "N/A",
    "?",
    "予算削減",
    "未定",
    None,
)


def challenge(rng: random.Random, good_share: float) -> str | None:
    if rng.random() < good_share:
        return rng.choice(GOOD_CHALLENGES)
    return rng.choice(BAD_CHALLENGES)


BUDGET_GOOD = ("Confirmed", "確定", "予算確定", "Estimated", "見込み", "概算")
BUDGET_OTHER = ("None", "なし", "予算なし", "Unknown", "不明", " 確定 ", "検討中", "", None)
AUTHORITY_GOOD = ("Decision Maker", "決裁者", "Influencer", "影響者", "User", "利用者", "担当者")
AUTHORITY_OTHER = ("Unknown", "不明", "", None, "部長")


def pick_label(rng: random.Random, good: tuple, other: tuple, good_share: float) -> str | None:
    return rng.choice(good) if rng.random() < good_share else rng.choice(other)


def budget_amount(rng: random.Random, committed: bool) -> float | None:
    if committed:
        roll = rng.random()
        if roll < 0.85:
            return float(rng.randrange(5, 500) * 100_000)
        return -1.0 if roll < 0.88 else None
    return float(rng.randrange(1, 50) * 100_000) if rng.random() < 0.12 else None


def timeframe(rng: random.Random, tossup_ts: int, good_share: float) -> str | None:
    """A decision date in many notations, sometimes out of range, sometimes free text."""
    handoff_day = parse_timeframe(local_date(tossup_ts))
    assert handoff_day is not None
    roll = rng.random()
    if roll > good_share:
        return rng.choice(("来期", "Q3", "半年以内", "2026年内", "", "未定", None, "2026-13-01"))
    sub = rng.random()
    if sub < 0.04:
        day = add_months(handoff_day, 24)  # the last valid day
    elif sub < 0.06:
        day = handoff_day  # the handoff's own day: not after it, invalid
    elif sub < 0.08:
        day = add_months(handoff_day, 24) + timedelta(days=1)
    elif sub < 0.12:
        day = handoff_day - timedelta(days=rng.randrange(1, 90))
    elif sub < 0.16:
        day = add_months(handoff_day, 30)
    else:
        day = handoff_day + timedelta(days=rng.randrange(1, 600))
    text = day.isoformat()
    notation = rng.random()
    if notation < 0.3:
        return text.replace("-", "/")
    if notation < 0.38:
        return full_width(text)
    if notation < 0.45:
        return f" {text} "
    return text
