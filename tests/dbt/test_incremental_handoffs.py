"""int_handoff_fields and int_handoffs_validated are incremental: a build re-reads only the
Leads landed since the last one (so a 1 % change rebuilds about 1 % of the handoffs), removes a
handoff whose Lead no longer hands off, and rebuilds every handoff when a var or seed it is
built with changes; what it holds then equals a --full-refresh build."""

import json
from pathlib import Path

import pytest

from tests.dbt.test_incremental_staging import MiniWarehouse, mini_warehouse

HANDOFF_MODELS = ("intermediate.int_handoff_fields", "intermediate.int_handoffs_validated")
SENTINEL = "untouched since the last build"
# The handoffs and what they are built from (half the project; the rest reads none of it).
HANDOFFS = ("--select", "+fct_handoffs")


def _lead_record(warehouse: MiniWarehouse, lead_id: str) -> dict[str, object]:
    ((raw,),) = warehouse.query(
        "select cast(_raw as varchar) from raw.salesforce__lead where id = %s"
        " order by _load_seq desc limit 1",
        [lead_id],
    )
    record: dict[str, object] = json.loads(raw)
    return record


def _handoff_ids(warehouse: MiniWarehouse, table: str) -> set[str]:
    return {row[0] for row in warehouse.query(f"select handoff_id from {table}")}


def _company(warehouse: MiniWarehouse, handoff_id: str) -> str | None:
    rows = warehouse.query(
        "select company_name from intermediate.int_handoffs_validated where handoff_id = %s",
        [handoff_id],
    )
    return rows[0][0] if rows else None


def _snapshot(warehouse: MiniWarehouse) -> dict[str, list[tuple]]:
    columns = "handoff_id, company_name, is_qualified, bant_score, completeness"
    return {
        "fields": warehouse.query(
            "select handoff_id, company_name_raw, tossup_at_raw, _settings"
            " from intermediate.int_handoff_fields order by 1"
        ),
        "validated": warehouse.query(
            f"select {columns}, _settings from intermediate.int_handoffs_validated order by 1"
        ),
        "marts": warehouse.query(f"select {columns} from marts.fct_handoffs order by 1"),
    }


@pytest.mark.parametrize("target", ["duckdb", "postgres"])
def test_handoffs_rebuild_only_changed_leads(target: str, tmp_path: Path) -> None:
    with mini_warehouse(target, tmp_path) as warehouse:
        # the mini world has one handoff: two more Leads hand off the same way
        ((first,),) = warehouse.query(
            "select id from raw.salesforce__lead"
            " where json_extract_string(_raw, '$.Tossup_Date__c') is not null"
            if target == "duckdb"
            else "select id from raw.salesforce__lead where _raw->>'Tossup_Date__c' is not null"
        )
        for n in (1, 2):
            copy_id = f"00Q00000000099{n}AAA"
            warehouse.land_lead_version(copy_id, {**_lead_record(warehouse, first), "Id": copy_id})
        warehouse.build(*HANDOFFS)
        handoffs = sorted(_handoff_ids(warehouse, "intermediate.int_handoff_fields"))
        assert len(handoffs) == 3, handoffs
        assert _handoff_ids(warehouse, "marts.fct_handoffs") == set(handoffs)
        gone, renamed, untouched = handoffs[:3]
        # an unchanged handoff's row is marked: an incremental build must leave it as it is
        warehouse.query(
            "update intermediate.int_handoffs_validated set company_name = %s"
            " where handoff_id = %s",
            [SENTINEL, untouched],
        )

        warehouse.land_lead_version(gone, {**_lead_record(warehouse, gone), "Tossup_Date__c": None})
        renamed_record = _lead_record(warehouse, renamed)
        warehouse.land_lead_version(renamed, {**renamed_record, "Company": "　新しい会社 "})
        warehouse.build(*HANDOFFS)

        for table in (*HANDOFF_MODELS, "marts.fct_handoffs"):
            assert _handoff_ids(warehouse, table) == set(handoffs) - {gone}, table
        assert _company(warehouse, renamed) == "新しい会社"
        assert _company(warehouse, untouched) == SENTINEL

        # a var the validation uses changed: every handoff is validated again
        other_vars = ["--vars", json.dumps({"qualified_bant_min": 2})]
        warehouse.build(*HANDOFFS, *other_vars)
        assert _company(warehouse, untouched) not in (SENTINEL, None)
        incremental = _snapshot(warehouse)
        warehouse.build(*HANDOFFS, "--full-refresh", *other_vars)
        assert _snapshot(warehouse) == incremental


def test_handoffs_built_whole_before_are_rebuilt_by_the_first_incremental_build(
    tmp_path: Path,
) -> None:
    """A warehouse whose handoff tables an earlier release built whole (no handoff_source,
    _lead_load_seq or _settings): the next build empties and refills them, nothing fails."""
    with mini_warehouse("duckdb", tmp_path) as warehouse:
        warehouse.build(*HANDOFFS)
        expected = _snapshot(warehouse)
        for table in HANDOFF_MODELS:
            warehouse.query(
                f"create or replace table {table} as"
                f" select * exclude (handoff_source, _lead_load_seq, _settings) from {table}"
            )
        warehouse.build(*HANDOFFS)
        assert _snapshot(warehouse) == expected
