"""A session fixture's files made once for every pytest-xdist worker instead of once each.

`make test` runs two workers; a fixture both need (a whole pipeline run, say) would otherwise
run twice, each time with the other worker's tests competing for the same two cores. The
first worker to ask makes it under a file lock in the run's common temporary folder; the
others wait for it and read the same files (they must not change them: copy first).
"""

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock

DONE = ".made"


def made_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]
) -> Path:
    """The folder `name` after `make(folder)` filled it, in this run of pytest (made by this
    worker, or by another that got there first)."""
    root = tmp_path_factory.getbasetemp()
    if root.name.startswith("popen-gw"):  # a worker's own folder: share its parent
        root = root.parent
    folder = root / f"shared-{name}"
    with FileLock(f"{folder}.lock"):
        if (folder / DONE).exists():
            return folder
        shutil.rmtree(folder, ignore_errors=True)  # a worker that failed making it
        folder.mkdir(parents=True)
        make(folder)
        (folder / DONE).touch()
    return folder


def world_made_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, leads: int, seed: int
) -> Path:
    """A sandbox world generated once for every worker (read only)."""
    from sandbox.world import generate

    folder = made_once(tmp_path_factory, name, lambda out: generate(out / "world", leads, seed))
    return folder / "world"
