"""The memory-composition sampler of the bench (bench/memory_parts.py)."""

import sys
import time

import pytest

from bench.memory_parts import MemoryParts, describe

linux_glibc = pytest.mark.skipif(
    not sys.platform.startswith("linux") or MemoryParts()._mallinfo is None,
    reason="mallinfo2 and smaps_rollup are glibc / Linux",
)


@linux_glibc
def test_memory_parts_sees_a_large_block_in_glibcs_mmapped_blocks() -> None:
    before = MemoryParts().sample()
    block = bytearray(96 * 2**20)  # above any mmap threshold: its own mapping
    block[::4096] = b"x" * len(block[::4096])  # touched, so it is resident
    during = MemoryParts().sample()
    assert during["malloc_mmapped_mb"] - before["malloc_mmapped_mb"] >= 90  # type: ignore[operator]
    assert during["rss_mb"] - before["rss_mb"] >= 90  # type: ignore[operator]
    assert during["anonymous_mb"] <= during["rss_mb"]  # type: ignore[operator]
    del block


@linux_glibc
def test_memory_parts_keeps_the_sample_at_the_highest_rss() -> None:
    with MemoryParts(interval=0.01) as parts:
        block = bytearray(64 * 2**20)
        block[::4096] = b"x" * len(block[::4096])
        time.sleep(0.2)
        peak_with_block = parts.peak["rss_mb"]
        del block
        time.sleep(0.2)
    assert parts.samples >= 2
    assert parts.peak["rss_mb"] == peak_with_block
    assert parts.peak["malloc_mmapped_mb"] >= 60  # type: ignore[operator]
    line = describe(parts.peak)
    assert line.startswith(f"RSS {parts.peak['rss_mb']:,.0f} MB at its peak")
    assert "n/a" not in line
