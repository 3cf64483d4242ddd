"""The GX checks in a small Dagster graph: error failures block publishing, warnings do not."""

from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from expectations.suite_files import SUITES_DIR, load_suite
from orchestration.defs.ingestion.resources import WarehouseResource
from orchestration.defs.quality.gx import build_gx_checks
from tests.expectations.handoffs import clean_handoffs, write_table

FCT_HANDOFFS = dg.AssetKey(["marts", "fct_handoffs"])
PUBLISHED = dg.AssetKey(["published", "marts"])
SUITE = load_suite(SUITES_DIR / "fct_handoffs.yml")


def run_pipeline(tmp_path: Path, frame: pd.DataFrame) -> dg.ExecuteInProcessResult:
    warehouse_path = tmp_path / "warehouse.duckdb"

    @dg.asset(key=FCT_HANDOFFS)
    def fct_handoffs() -> None:
        write_table(warehouse_path, frame)

    @dg.asset(key=PUBLISHED, deps=[FCT_HANDOFFS])
    def published_marts() -> None:
        (tmp_path / "published.marker").write_text("published")

    defs = dg.Definitions(
        assets=[fct_handoffs, published_marts],
        asset_checks=build_gx_checks([SUITE]),
        resources={
            "warehouse": WarehouseResource(
                path=str(warehouse_path), published_path=str(tmp_path / "published.duckdb")
            )
        },
    )
    job = defs.resolve_implicit_global_asset_job_def()
    return job.execute_in_process(raise_on_error=False)


@pytest.fixture(autouse=True)
def data_docs_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "docs"
    monkeypatch.setenv("DATA_DOCS_DIR", str(path))
    return path


def _checks(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def _materialized(result: dg.ExecuteInProcessResult) -> set[dg.AssetKey]:
    return {
        e.asset_key
        for e in result.get_asset_materialization_events()
        if e.asset_key is not None  # type: ignore[attr-defined]
    }


def test_clean_batch_passes_and_publishes(tmp_path: Path, data_docs_dir: Path) -> None:
    result = run_pipeline(tmp_path, clean_handoffs(120))

    checks = _checks(result)
    assert len(checks) == len(SUITE.rules)
    assert all(name.startswith("gx_fct_handoffs__") for name in checks)
    assert all(e.passed for e in checks.values())
    assert PUBLISHED in _materialized(result)
    assert (data_docs_dir / "index.html").exists()
    metadata = checks["gx_fct_handoffs__contact_email_syntax"].metadata
    page = Path(metadata["data_docs"].value)  # this run's GX page of the suite
    assert page.is_relative_to(data_docs_dir / "validations" / "fct_handoffs") and page.exists()
    assert metadata["data_docs_index"].value == str(data_docs_dir / "index.html")
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        rows = con.execute("select count(*) from dq.expectation_results").fetchone()
    assert rows == (len(SUITE.rules),)


def test_error_failure_blocks_the_publish_asset(tmp_path: Path) -> None:
    frame = clean_handoffs(120)
    frame["contact_email"] = None  # a broken batch: every e-mail is gone

    result = run_pipeline(tmp_path, frame)

    checks = _checks(result)
    batch = checks["gx_fct_handoffs__contact_email_present_batch"]
    assert not batch.passed and batch.severity == dg.AssetCheckSeverity.ERROR
    assert batch.metadata["unexpected_count"].value == 120
    assert len(batch.metadata["failing_ids_sample"].value) == 20
    assert FCT_HANDOFFS in _materialized(result)
    assert PUBLISHED not in _materialized(result)
    assert not (tmp_path / "published.marker").exists()


def test_blocking_failure_message_says_what_to_fix(tmp_path: Path) -> None:
    """An org whose budget labels the mapping does not know: the blocking check names the
    field, lists the unmapped labels with their counts and names the seed file to edit."""
    frame = clean_handoffs(120)
    unmapped = ["予算取り中"] * 50 + ["検討中"] * 25 + [" 要相談 "] * 10 + [None] * 5
    rows = frame.index[: len(unmapped)]
    frame["budget_status"] = frame["budget_status"].astype(object)
    frame.loc[rows, "budget_status"] = None
    frame.loc[rows, "budget_status_raw"] = unmapped
    frame.loc[rows, "budget_amount"] = None

    result = run_pipeline(tmp_path, frame)

    batch = _checks(result)["gx_fct_handoffs__budget_status_mapped_batch"]
    assert not batch.passed and batch.severity == dg.AssetCheckSeverity.ERROR
    assert PUBLISHED not in _materialized(result)
    message = batch.description
    assert message == batch.metadata["what_to_fix"].value
    assert message.startswith("budget_status: 90 of 120 rows (75%) have no valid budget_status.")
    # labels as the mapping compares them (NFKC, trimmed), most frequent first
    assert "Unmapped labels (count): '予算取り中' (50), '検討中' (25), '要相談' (10)." in message
    assert "5 blank." in message
    assert "dbt_project/seeds/picklist_label_mapping.csv" in message
    assert "`budget_status,<label>,<confirmed|estimated|none|unknown>`" in message


def test_blocking_field_mapping_failure_names_the_seed(tmp_path: Path) -> None:
    frame = clean_handoffs(120)
    frame["contact_email"] = None  # the mapped org field does not exist in this org

    batch = _checks(run_pipeline(tmp_path, frame))["gx_fct_handoffs__contact_email_present_batch"]

    assert not batch.passed
    assert batch.description.startswith("contact_email: 120 of 120 rows (100%) have no valid")
    assert "dbt_project/seeds/handoff_field_mapping.csv" in batch.description


def test_warning_does_not_block(tmp_path: Path) -> None:
    frame = clean_handoffs(120)
    frame.loc[frame.index[:30], "contact_email"] = "not-an-email"

    result = run_pipeline(tmp_path, frame)

    checks = _checks(result)
    syntax = checks["gx_fct_handoffs__contact_email_syntax"]
    assert not syntax.passed and syntax.severity == dg.AssetCheckSeverity.WARN
    assert syntax.metadata["unexpected_count"].value == 30
    assert syntax.metadata["unexpected_share"].value == pytest.approx(0.25)
    assert [n for n, e in checks.items() if not e.passed] == [
        "gx_fct_handoffs__contact_email_syntax"
    ]
    assert PUBLISHED in _materialized(result)
    assert (tmp_path / "published.marker").read_text() == "published"


def test_project_definitions_attach_every_suite(dbt_manifest: Path) -> None:
    """No suite is skipped in the real code location: each targets an asset that exists."""
    from expectations.suite_files import load_suites
    from orchestration.defs.quality.gx import defs, suites_for_project

    assert dbt_manifest.exists()
    assert [s.name for s in suites_for_project()] == [s.name for s in load_suites()]
    checks = defs().asset_checks or []
    names = {key.name for check in checks for key in check.check_keys}  # type: ignore[union-attr]
    assert len(names) == sum(len(s.rules) for s in load_suites())
    blocking = {
        spec.name
        for check in checks
        for spec in check.check_specs
        if spec.blocking  # type: ignore[union-attr]
    }
    assert "gx_fct_handoffs__contact_email_present_batch" in blocking
    assert "gx_fct_handoffs__contact_email_syntax" not in blocking
