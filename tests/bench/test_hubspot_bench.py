"""Smoke test of the HubSpot benchmark (scenario h): 300 contacts, one repetition, no dlt."""

import json
from pathlib import Path

from bench.hubspot import main


def test_hubspot_bench_writes_expected_json(tmp_path: Path) -> None:
    out = tmp_path / "h.json"
    assert main(["--contacts", "300", "--reps", "1", "--no-dlt", "--out", str(out)]) == 0
    h = json.loads(out.read_text())["h"]
    assert set(h["contenders"]) == {"raw", "ours"}
    raw, ours = h["contenders"]["raw"], h["contenders"]["ours"]
    # Ours lands what the raw ceiling reads, with the same calls.
    assert ours["records"] == raw["records"] and raw["records"]["contacts"] == 300
    assert ours["requests"] == raw["requests"]
    assert h["ours_vs_raw_time"] > 0 and h["seconds_at_published_limits"] > 0
