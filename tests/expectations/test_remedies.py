"""What a failed rule tells the person who fixes it (expectations/remedies.py)."""

import pandas as pd
import pytest

from expectations.runner import validate_frame
from expectations.suite_files import SUITES_DIR, SuiteConfigError, load_suite, parse_suite

MAPPING_SUITE = load_suite(SUITES_DIR / "dq_handoff_field_mapping.yml")


def test_missing_org_field_blocks_and_names_field_and_seed() -> None:
    """A new org whose toss-up date and budget fields have other API names than the seed's."""
    frame = pd.DataFrame(
        {
            "canonical_field": ["tossup_at", "budget_status", "contact_email"],
            "source_object": ["Lead"] * 3,
            "source_field": ["Tossup_Date__c", "Budget_Status__c", "Email"],
            "leads": [720] * 3,
            "leads_with_field": [0, 0, 720],
            "leads_with_value": [0, 0, 700],
            "is_field_found": [False, False, True],
        }
    )

    run = validate_frame(MAPPING_SUITE, frame)

    (failure,) = run.blocking_failures
    assert failure.remedy == (
        "handoff field mapping: 2 of 3 rows name an org field no record has: "
        "'Tossup_Date__c' (tossup_at), 'Budget_Status__c' (budget_status). Fix: put the API "
        "names your org uses for these fields in dbt_project/seeds/handoff_field_mapping.csv "
        "(docs/configure.md), then re-run the pipeline."
    )


def test_every_field_found_passes_without_a_message() -> None:
    frame = pd.DataFrame(
        {
            "canonical_field": ["tossup_at"],
            "source_object": ["Lead"],
            "source_field": ["IS_Handoff_Date__c"],
            "leads": [0],
            "leads_with_field": [0],
            "leads_with_value": [0],
            "is_field_found": [True],  # no Leads yet: nothing to say
        }
    )
    (result,) = validate_frame(MAPPING_SUITE, frame).results
    assert result.success and result.remedy == ""


def test_fix_block_is_checked_like_the_rest_of_the_suite() -> None:
    suite = {
        "suite": "s",
        "table": "marts.t",
        "asset_key": ["marts", "t"],
        "rules": [
            {
                "name": "r",
                "expectation": "expect_column_values_to_not_be_null",
                "kwargs": {"column": "c"},
                "severity": "error",
                "fix": {"field": "budget_status", "seed": "x.csv", "labels": "raw"},
            }
        ],
    }
    with pytest.raises(SuiteConfigError, match=r"s.yml rule 1 \(r\): fix has unknown keys"):
        parse_suite(suite, source="s.yml")
    suite["rules"][0]["fix"] = {"field": "budget_status"}
    with pytest.raises(SuiteConfigError, match="fix needs seed"):
        parse_suite(suite, source="s.yml")
