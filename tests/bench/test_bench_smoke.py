"""Smoke test of the benchmark harness: scenario a at 200 leads, one repetition, no dlt."""

import json
from pathlib import Path

import pytest

from bench import scenarios
from bench.__main__ import main


def test_extraction_scenario_writes_expected_json(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    assert (
        main(["--scenarios", "a", "--leads", "200", "--reps", "1", "--no-dlt", "--out", str(out)])
        == 0
    )
    result = json.loads(out.read_text())
    assert {"machine", "args", "worlds", "scenarios", "targets"} <= result.keys()
    assert result["machine"]["logical_cpus"] >= 1
    a = result["scenarios"]["a"]["200"]
    assert set(a["contenders"]) == {"raw", "ours"}
    assert a["same_record_set"], a["record_counts"]
    for figures in a["contenders"].values():
        assert figures["records"] > 0
        assert figures["records_per_s"]["median"] > 0
        assert figures["records_per_s"]["n"] == 1
        assert figures["peak_rss_mb"]["median"] > 0
    assert a["ratios"]["ours/raw"] > 0
    assert any(row["target"].endswith("ours/raw records/s") for row in result["targets"])


def test_quota_bulk_marketo_days_scenario_lands_the_priority_types_on_day_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scenario q at 200 leads with a tiny export allowance (as a 1M-lead history meets the
    default one): day by day, the priority types whole on day one only when read over REST."""
    for name, value in {"MARKETO_BULK_MIN_LEADS": "1", "MARKETO_DAILY_EXPORT_MB": "1",
                        "CONNECTORS_QUOTA_RESERVE_SHARE": "0.9"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    serve = scenarios.sandbox  # the fakes' clock 30x fast: an export completes in seconds
    monkeypatch.setattr(scenarios, "sandbox", lambda data: serve(data, clock_speed=30))
    out = tmp_path / "result.json"
    assert main(["--scenarios", "q", "--leads", "200", "--out", str(out)]) == 0
    q = json.loads(out.read_text())["scenarios"]["q"]["200"]
    assert q["priority_types"] == [13] and q["served"]["priority_activities"] > 0
    with_rest, exported = q["priority_rest"], q["all_exported"]
    assert with_rest["complete"] and exported["complete"]
    assert with_rest["vendor_days"] > 1 and exported["vendor_days"] > 1
    first, before = with_rest["days"][0], exported["days"][0]
    assert first["leads_whole"] and first["priority_whole"] and not before["priority_whole"]
    assert not any(d["errors"] for d in with_rest["days"] + exported["days"])
    assert with_rest["days"][-1]["activities_landed_share"] == 1.0
