"""The runner end to end on a DuckDB file: raw/staging suites, persistence, docs, errors."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dwh.settings import WarehouseSettings
from expectations.runner import DataQualityRunError, run_suites
from expectations.suite_files import (
    SUITES_DIR,
    SuiteConfigError,
    load_suite,
    load_suites,
    parse_suite,
)
from tests.expectations.handoffs import clean_handoffs, write_table

NOW = datetime(2026, 7, 1, 6, 0, tzinfo=UTC)
RAW_LEAD = load_suite(SUITES_DIR / "raw_salesforce__lead.yml")
STG_LEADS = load_suite(SUITES_DIR / "stg_salesforce__leads.yml")
HANDOFFS = load_suite(SUITES_DIR / "fct_handoffs.yml")


def raw_leads(n: int = 50, extracted_at: datetime = NOW - timedelta(hours=1)) -> pd.DataFrame:
    return pd.DataFrame(
        {
            # Append-only: the last 10 ids arrive twice (a second version).
            "id": [f"00Q{i % (n - 10):015d}" for i in range(n)],
            "_cursor": [extracted_at] * n,
            "_raw": ['{"Id": "x"}'] * n,
            "_extracted_at": [extracted_at] * n,
            "_run_id": ["run-1"] * n,
            "_load_seq": list(range(1, n + 1)),
        }
    )


def staging_leads(n: int = 40) -> pd.DataFrame:
    return pd.DataFrame({"lead_id": [f"00Q{i:015d}" for i in range(n)], "company": ["x"] * n})


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    write_table(path, raw_leads(), "raw.salesforce__lead")
    write_table(path, staging_leads(), "staging.stg_salesforce__leads")
    write_table(path, clean_handoffs(60), "marts.fct_handoffs")
    return path


def _run(path: Path, suites, **kwargs):  # type: ignore[no-untyped-def]
    return {
        r.suite: r
        for r in run_suites(WarehouseSettings.for_duckdb(path), suites, evaluated_at=NOW, **kwargs)
    }


def test_all_suites_pass_on_a_clean_warehouse_and_persist(warehouse: Path, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    runs = _run(warehouse, [RAW_LEAD, STG_LEADS, HANDOFFS], run_id="run-42", data_docs_dir=docs)

    assert {name: run.failed() for name, run in runs.items()} == {
        "raw_salesforce__lead": [],
        "stg_salesforce__leads": [],
        "fct_handoffs": [],
    }
    fresh = runs["raw_salesforce__lead"].result("fresh")
    assert float(fresh.observed_value or "nan") == pytest.approx(1.0)
    page = runs["fct_handoffs"].data_docs_path
    assert page is not None and page.is_relative_to(docs / "validations" / "fct_handoffs")
    assert page.exists() and (docs / "index.html").exists()
    assert list((docs / "validations").rglob("*.html")), "one page per validated suite"

    with duckdb.connect(str(warehouse)) as con:
        rows = con.execute(
            "select suite, count(*), bool_and(success), min(run_id), min(evaluated_at) "
            "from dq.expectation_results group by suite order by suite"
        ).fetchall()
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("fct_handoffs", len(HANDOFFS.rules), True, "run-42"),
        ("raw_salesforce__lead", len(RAW_LEAD.rules), True, "run-42"),
        ("stg_salesforce__leads", len(STG_LEADS.rules), True, "run-42"),
    ]
    assert rows[0][4] == NOW


def test_raw_violations(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    frame = raw_leads(extracted_at=NOW - timedelta(hours=30))  # stale: a day of missed runs
    frame.loc[3, "id"] = None
    frame.loc[5, "_load_seq"] = frame.loc[4, "_load_seq"]
    write_table(path, frame, "raw.salesforce__lead")

    run = _run(path, [RAW_LEAD])["raw_salesforce__lead"]

    assert sorted(run.failed()) == ["fresh", "id_not_null", "load_seq_unique"]
    assert run.result("id_not_null").unexpected_count == 1
    assert run.result("load_seq_unique").unexpected_count == 2
    assert set(run.result("load_seq_unique").failing_ids) == {
        frame.loc[4, "id"],
        frame.loc[5, "id"],
    }
    fresh = run.result("fresh")
    assert (fresh.severity, fresh.blocks) == ("warn", False)
    assert float(fresh.observed_value or "nan") == pytest.approx(30.0)
    assert [r.expectation for r in run.blocking_failures] == ["id_not_null", "load_seq_unique"]
    with duckdb.connect(str(path)) as con:
        stored = con.execute(
            "select expectation, severity, unexpected_count, failing_ids_sample "
            "from dq.expectation_results where not success order by expectation"
        ).fetchall()
    assert [(e, s, c) for e, s, c, _ in stored] == [
        ("fresh", "warn", None),
        ("id_not_null", "error", 1),
        ("load_seq_unique", "error", 2),
    ]
    assert len(json.loads(stored[2][3])) == 2


def test_staging_duplicate_key_fails(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    frame = staging_leads()
    frame.loc[7, "lead_id"] = frame.loc[8, "lead_id"]
    write_table(path, frame, "staging.stg_salesforce__leads")

    run = _run(path, [STG_LEADS])["stg_salesforce__leads"]

    assert run.failed() == ["lead_id_unique"]
    assert run.result("lead_id_unique").failing_ids == (frame.loc[8, "lead_id"],)
    assert run.result("lead_id_unique").unexpected_count == 2


def test_missing_table_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    write_table(path, staging_leads(), "staging.stg_salesforce__leads")
    with pytest.raises(DataQualityRunError, match=r"marts\.fct_handoffs"):
        _run(path, [HANDOFFS])
    with pytest.raises(DataQualityRunError, match="not found"):
        _run(tmp_path / "absent.duckdb", [HANDOFFS])


def test_missing_column_fails_its_rule_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    write_table(path, clean_handoffs(30).drop(columns=["bant_score"]), "marts.fct_handoffs")
    run = _run(path, [HANDOFFS], write_results=False)["fct_handoffs"]
    result = run.result("bant_score_in_range")
    assert not result.success and result.blocks
    assert "bant_score" in (result.observed_value or "")
    assert run.failed() == ["bant_score_in_range"]


def test_missing_column_for_derived_helpers_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    write_table(path, clean_handoffs(30).drop(columns=["contact_phone_raw"]), "marts.fct_handoffs")
    with pytest.raises(DataQualityRunError, match="contact_phone_raw"):
        _run(path, [HANDOFFS])


def test_suite_files_load_and_bad_config_is_rejected() -> None:
    suites = load_suites()
    assert {"fct_handoffs", "raw_salesforce__lead", "stg_salesforce__leads"} <= {
        s.name for s in suites
    }
    base = {
        "suite": "s",
        "table": "marts.t",
        "asset_key": ["marts", "t"],
        "rules": [
            {
                "name": "r",
                "expectation": "expect_column_values_to_not_be_null",
                "kwargs": {"column": "a"},
                "severity": "error",
            }
        ],
    }
    assert parse_suite(base).rules[0].severity == "error"
    bad_rules = [
        {**base["rules"][0], "severity": "fatal"},
        {**base["rules"][0], "mostly": 1.5},
        {**base["rules"][0], "typo": 1},
        {**base["rules"][0], "kwargs": {"column": "a", "mostly": 0.5}},
    ]
    for rule in bad_rules:
        with pytest.raises(SuiteConfigError, match="rule 1"):
            parse_suite({**base, "rules": [rule]})
    with pytest.raises(SuiteConfigError, match="duplicate"):
        parse_suite({**base, "rules": base["rules"] * 2})


def test_unknown_expectation_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    write_table(path, staging_leads(), "staging.stg_salesforce__leads")
    suite = parse_suite(
        {
            "suite": "s",
            "table": "staging.stg_salesforce__leads",
            "asset_key": ["staging", "stg_salesforce__leads"],
            "rules": [
                {
                    "name": "r",
                    "expectation": "expect_column_values_to_be_lovely",
                    "kwargs": {"column": "lead_id"},
                    "severity": "warn",
                }
            ],
        }
    )
    with pytest.raises(SuiteConfigError, match="expect_column_values_to_be_lovely"):
        _run(path, [suite])


def test_rules_read_only_their_columns_with_the_same_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GX gets the columns the rules name (row conditions included), not the whole mart; the
    results, failing ids and remedies are those of a validation on every column."""
    import expectations.runner as runner

    frame = clean_handoffs(80)
    frame.loc[::2, "contact_phone"] = None  # fails the row-conditioned rule (mostly 0.75)
    frame.loc[::5, "authority"] = "boss"
    frame.loc[::3, "completeness"] = 2.0
    path = tmp_path / "w.duckdb"
    write_table(path, frame, "marts.fct_handoffs")

    narrowed = runner._rule_frame(HANDOFFS, runner.derive(frame, HANDOFFS.derive, NOW))
    assert {"contact_phone", "dq__contact_phone_raw_present", "authority"} <= set(narrowed.columns)
    assert "contact_phone_raw" not in narrowed.columns
    assert len(narrowed.columns) < len(frame.columns)

    def outcome() -> list[tuple[object, ...]]:
        run = _run(path, [HANDOFFS], write_results=False)["fct_handoffs"]
        return [
            (
                r.expectation,
                r.success,
                r.unexpected_count,
                r.failing_ids,
                r.observed_value,
                r.remedy,
            )
            for r in run.results
        ]

    pruned = outcome()
    monkeypatch.setattr(runner, "_rule_frame", lambda suite, prepared: prepared)
    assert pruned == outcome()
    failed = {rule for rule, success, *_ in pruned if not success}
    assert {"contact_phone_normalisable", "authority_in_set", "completeness_in_range"} <= failed
