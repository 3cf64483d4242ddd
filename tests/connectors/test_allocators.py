"""The allocator settings of an extracting process (connectors/core/malloc.py), each applied
unless the environment already sets it; checked in a fresh interpreter, as they are global."""

import os
import subprocess
import sys

import pytest

PROBE = """
import pyarrow as pa
from connectors.core.malloc import tune_allocators
print(",".join(tune_allocators()), pa.default_memory_pool().backend_name)
"""


def _probe(**env: str) -> tuple[set[str], str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MALLOC_", "ARROW_"))}
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env={**clean, **env}, capture_output=True, text=True,
        check=True,
    ).stdout.split()  # fmt: skip
    return set(filter(None, out[0].split(","))) if len(out) == 2 else set(), out[-1]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_allocators_tuned_for_extraction() -> None:
    applied, pool = _probe()
    assert applied == {
        "MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_",
        "ARROW_DEFAULT_MEMORY_POOL",
    }  # fmt: skip
    assert pool == "system"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_allocators_leave_what_the_environment_sets() -> None:
    applied, pool = _probe(MALLOC_ARENA_MAX="4", ARROW_DEFAULT_MEMORY_POOL="mimalloc")
    assert applied == {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"}
    assert pool == "mimalloc"
