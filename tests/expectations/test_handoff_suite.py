"""Every rule of the fct_handoffs suite: passes on clean data, fails alone on its violation."""

import math
from collections.abc import Callable
from dataclasses import replace

import pandas as pd
import pytest

from expectations.runner import validate_frame
from expectations.suite_files import SUITES_DIR, load_suite
from tests.expectations.handoffs import clean_handoffs

N = 200
SUITE = load_suite(SUITES_DIR / "fct_handoffs.yml")


def violations(rule_name: str) -> int:
    """Fewest violating rows that break the rule's `mostly` over N evaluated rows."""
    mostly = SUITE.rule(rule_name).mostly
    if mostly is None or mostly >= 1.0:
        return 1
    return math.floor(round(N * (1 - mostly), 9)) + 1


def _rows(frame: pd.DataFrame, k: int, where: pd.Series | None = None) -> pd.Index:
    candidates = frame.index if where is None else frame.index[where]
    assert len(candidates) >= k, "the clean fixture has too few rows for this injection"
    return candidates[:k]


def _set(column: str, value: object, where: Callable[[pd.DataFrame], pd.Series] | None = None):
    def inject(frame: pd.DataFrame, k: int) -> None:
        rows = _rows(frame, k, None if where is None else where(frame))
        frame[column] = frame[column].astype(object)
        frame.loc[rows, column] = value

    return inject


def _funded(frame: pd.DataFrame) -> pd.Series:
    return frame["budget_status"].isin(["confirmed", "estimated"])


def _unfunded(frame: pd.DataFrame) -> pd.Series:
    return ~_funded(frame)


def _duplicate_id(frame: pd.DataFrame, k: int) -> None:
    frame.loc[1, "handoff_id"] = frame.loc[0, "handoff_id"]


def _unmapped_budget(frame: pd.DataFrame, k: int) -> None:
    rows = _rows(frame, k, _unfunded(frame))
    frame.loc[rows, "budget_status"] = None


def _phone_unparsed(frame: pd.DataFrame, k: int) -> None:
    # The raw number is there (digits) but did not normalise.
    frame.loc[_rows(frame, k), "contact_phone"] = None


def _phone_missing(frame: pd.DataFrame, k: int) -> None:
    rows = _rows(frame, k)
    frame.loc[rows, "contact_phone"] = None
    frame.loc[rows, "contact_phone_raw"] = "なし"


def _timeframe_shift(offset: pd.DateOffset):  # type: ignore[no-untyped-def]
    def inject(frame: pd.DataFrame, k: int) -> None:
        rows = _rows(frame, k)
        local = frame.loc[rows, "tossup_at"].dt.tz_convert("Asia/Tokyo").dt.tz_localize(None)
        frame.loc[rows, "timeframe_date"] = local.dt.normalize() + offset

    return inject


def _meeting_before_tossup(frame: pd.DataFrame, k: int) -> None:
    rows = _rows(frame, k)
    frame.loc[rows, "next_meeting_at"] = frame.loc[rows, "tossup_at"] - pd.Timedelta(hours=1)


def _all(column: str, value: object):  # type: ignore[no-untyped-def]
    def inject(frame: pd.DataFrame, k: int) -> None:
        frame[column] = value

    return inject


# rule -> (injection, rules expected to fail, expected unexpected count or None for aggregates)
# A "batch" rule is a lower bar than its warn twin, so breaking it breaks both by design.
INJECTIONS: dict[str, tuple[Callable[[pd.DataFrame, int], None], set[str], int | None]] = {
    "handoff_id_not_null": (_set("handoff_id", None), set(), 1),
    "handoff_id_unique": (_duplicate_id, set(), 2),
    "tossup_at_not_null": (_set("tossup_at", pd.NaT), set(), 1),
    "sender_rep_id_not_null": (_set("sender_rep_id", None), set(), 1),
    "handoff_status_in_set": (_set("handoff_status", "maybe"), set(), 1),
    # Full-width "ＴＢＤ" is a placeholder only after NFKC and case folding.
    "company_name_present": (_set("company_name", " ＴＢＤ "), set(), None),
    "company_name_present_batch": (_all("company_name", "-"), {"company_name_present"}, N),
    "contact_name_present": (_set("contact_name", None), set(), None),
    "contact_email_present": (_set("contact_email", None), set(), None),
    "contact_email_present_batch": (_all("contact_email", None), {"contact_email_present"}, N),
    "contact_email_syntax": (_set("contact_email", "taro@@example"), set(), None),
    "contact_phone_e164": (_set("contact_phone", "09012345678"), set(), 1),
    "contact_phone_normalisable": (_phone_unparsed, set(), None),
    "contact_phone_present": (_phone_missing, set(), None),
    "challenge_specific": (_set("challenge", "なし"), set(), None),
    "budget_status_in_set": (_set("budget_status", "maybe", _unfunded), set(), 1),
    "budget_status_mapped": (_unmapped_budget, set(), None),
    "authority_in_set": (_set("authority", "ceo"), set(), 1),
    "authority_mapped": (_set("authority", None), set(), None),
    "budget_amount_non_negative": (_set("budget_amount", -1.0, _funded), set(), None),
    "budget_amount_consistent_with_status": (_set("budget_amount", None, _funded), set(), None),
    "timeframe_parsed": (_set("timeframe_date", pd.NaT), set(), None),
    "timeframe_after_tossup": (_timeframe_shift(pd.DateOffset(days=0)), set(), None),
    "timeframe_within_24_months": (
        _timeframe_shift(pd.DateOffset(months=24, days=1)),
        set(),
        None,
    ),
    "next_meeting_present": (_set("next_meeting_at", pd.NaT), set(), None),
    "next_meeting_after_tossup": (_meeting_before_tossup, set(), None),
    "completeness_in_range": (_set("completeness", 1.5), set(), 1),
    "bant_score_in_range": (_set("bant_score", 5), set(), 1),
    "completeness_mean": (_all("completeness", 0.5), set(), None),
    "completeness_mean_batch": (_all("completeness", 0.2), {"completeness_mean"}, None),
    "qualified_share": (_all("is_qualified", False), set(), None),
}
# Value rules skip NULLs: the share is over the rows the rule evaluated.
EVALUATED = {"budget_amount_non_negative": N // 2}
# Batch rules: the field is gone from the whole load (a broken mapping), failing both twins.
_BATCH_COLUMNS = {
    "contact_name_present_batch": "contact_name",
    "challenge_specific_batch": "challenge",
    "budget_status_mapped_batch": "budget_status",
    "authority_mapped_batch": "authority",
    "timeframe_parsed_batch": "timeframe_date",
    "next_meeting_present_batch": "next_meeting_at",
}
for _rule, _column in _BATCH_COLUMNS.items():
    INJECTIONS[_rule] = (_all(_column, None), {_rule.removesuffix("_batch")}, N)


def _phone_gone(frame: pd.DataFrame, k: int) -> None:
    frame["contact_phone"] = None
    frame["contact_phone_raw"] = None


# Amounts without any status are inconsistent too: a real second symptom of the same break.
INJECTIONS["budget_status_mapped_batch"][1].add("budget_amount_consistent_with_status")
INJECTIONS["contact_phone_present_batch"] = (_phone_gone, {"contact_phone_present"}, N)
AGGREGATES = {"completeness_mean", "completeness_mean_batch", "qualified_share"}


def test_every_rule_has_an_injection() -> None:
    assert {r.name for r in SUITE.rules} == set(INJECTIONS)


def test_clean_handoffs_pass_every_rule() -> None:
    run = validate_frame(SUITE, clean_handoffs(N))
    assert run.failed() == []
    assert run.row_count == N
    assert all(r.unexpected_count in (0, None) for r in run.results)


@pytest.mark.parametrize("rule_name", sorted(INJECTIONS))
def test_violation_fails_exactly_its_rule(rule_name: str) -> None:
    inject, also_failing, expected_count = INJECTIONS[rule_name]
    k = violations(rule_name)
    frame = clean_handoffs(N)
    inject(frame, k)

    run = validate_frame(SUITE, frame)

    assert set(run.failed()) == {rule_name} | also_failing
    result = run.result(rule_name)
    assert result.severity == SUITE.rule(rule_name).severity
    assert result.blocks == (result.severity == "error")
    if rule_name in AGGREGATES:
        assert result.unexpected_count is None
        assert result.observed_value is not None
        return
    expected = k if expected_count is None else expected_count
    assert result.unexpected_count == expected
    assert result.unexpected_share == pytest.approx(expected / EVALUATED.get(rule_name, N))
    if rule_name != "handoff_id_not_null":
        assert result.failing_ids, "a failing row-level rule names the failing handoffs"
        assert set(result.failing_ids) <= set(frame["handoff_id"].dropna())


def test_severity_comes_from_config() -> None:
    """Flipping a rule to warn in the suite file makes the same failure non-blocking."""
    frame = clean_handoffs(N)
    frame.loc[0, "contact_phone"] = "09012345678"
    as_error = validate_frame(SUITE, frame).result("contact_phone_e164")
    relaxed_rules = tuple(
        replace(r, severity="warn") if r.name == "contact_phone_e164" else r for r in SUITE.rules
    )
    as_warn = validate_frame(replace(SUITE, rules=relaxed_rules), frame).result(
        "contact_phone_e164"
    )
    assert (as_error.success, as_error.severity, as_error.blocks) == (False, "error", True)
    assert (as_warn.success, as_warn.severity, as_warn.blocks) == (False, "warn", False)


def test_mostly_comes_from_config() -> None:
    frame = clean_handoffs(N)
    k = violations("contact_email_syntax") - 1  # just under the threshold
    frame.loc[frame.index[:k], "contact_email"] = "not-an-email"
    run = validate_frame(SUITE, frame)
    result = run.result("contact_email_syntax")
    assert result.success and result.unexpected_count == k
    strict = tuple(
        replace(r, mostly=1.0) if r.name == "contact_email_syntax" else r for r in SUITE.rules
    )
    assert (
        not validate_frame(replace(SUITE, rules=strict), frame)
        .result("contact_email_syntax")
        .success
    )
