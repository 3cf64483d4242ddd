"""The quarantine asset check: a hostile record costs a WARN on its stream, nothing else."""

from pathlib import Path

import dagster as dg
import pytest

from sandbox.fakes.faults import FaultConfig
from sandbox.serve import running
from sandbox.world import generate


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("world"), leads=150, seed=3)


def _checks(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {
        event.event_specific_data.asset_key.to_user_string(): event.event_specific_data
        for event in result.all_events
        if event.event_type_value == "ASSET_CHECK_EVALUATION"
        and event.event_specific_data.check_name == "quarantine"
    }


@pytest.mark.parametrize(("max_share", "severity"), [("0.01", "WARN"), ("0.0001", "ERROR")])
def test_hostile_quarantined_record_is_reported_by_the_stream_check(
    world: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    dbt_manifest,  # type: ignore[no-untyped-def]
    max_share: str,
    severity: str,
) -> None:
    monkeypatch.setenv("WAREHOUSE_PATH", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("CONNECTORS_QUARANTINE_MAX_SHARE", max_share)
    monkeypatch.setenv("MARKETO_BULK", "never")  # the bad record must meet the REST pages
    faults = FaultConfig(hostile="invalid_utf8", sources=["marketo"])
    with running(world, faults=faults) as sandbox:
        for name, value in sandbox.env.items():
            monkeypatch.setenv(name, value)
        from orchestration.definitions import defs

        job = defs().resolve_job_def("marketo_ingestion")
        result = job.execute_in_process(
            instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
        )
    assert result.success
    checks = _checks(result)
    assert set(checks) == {
        f"raw/marketo/{s}" for s in ("activities", "activity_types", "deleted_leads", "leads")
    }
    bad = checks["raw/marketo/activities"]
    assert not bad.passed and bad.severity.value == severity
    assert bad.metadata["quarantined"].value == 1
    assert all(c.passed for key, c in checks.items() if key != "raw/marketo/activities")
