"""Smoke test of the benchmark harness: scenario a at 200 leads, one repetition, no dlt."""

import json
from pathlib import Path

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
