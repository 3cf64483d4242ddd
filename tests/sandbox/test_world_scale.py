"""Larger worlds: generation time and memory stay bounded (slow; run with -m slow)."""

import json
import resource
import time
from pathlib import Path

import pytest

from sandbox.world import generate


@pytest.mark.slow
def test_fifty_thousand_leads_in_bounded_time_and_memory(tmp_path: Path) -> None:
    started = time.monotonic()
    out = generate(tmp_path / "w", leads=50_000, seed=3)
    elapsed = time.monotonic() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["files"]["marketo/activities.jsonl"] > 400_000
    assert elapsed < 120, elapsed
    assert peak_mb < 1024, peak_mb
    assert not (out / ".shards").exists()
