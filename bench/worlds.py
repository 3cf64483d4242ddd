"""Sandbox worlds cached under bench/.worlds/ by leads and seed (generation is slow).

A cached world is regenerated once the generator's version moves on.
"""

import shutil
import time
from pathlib import Path

WORLDS_DIR = Path(__file__).resolve().parent / ".worlds"


def world(leads: int, seed: int = 42, root: Path = WORLDS_DIR) -> tuple[Path, float | None]:
    """The data dir for (leads, seed) and the seconds spent generating it (None = cached)."""
    target = root / f"leads-{leads}-seed-{seed}"
    from sandbox.world import generate, is_current

    if is_current(target, leads, seed):
        return target, None

    # Generate beside the target and rename, so an interrupted run never leaves a half world
    # that a later run would take for a cached one.
    partial = root / f".partial-leads-{leads}-seed-{seed}"
    shutil.rmtree(partial, ignore_errors=True)
    shutil.rmtree(target, ignore_errors=True)
    partial.mkdir(parents=True)
    started = time.perf_counter()
    generate(partial, leads=leads, seed=seed)
    seconds = time.perf_counter() - started
    partial.rename(target)
    return target, seconds
