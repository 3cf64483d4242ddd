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
) -> tuple[Path, bool]:
    """The folder `name` after `make(folder)` filled it, in this run of pytest; True when this
    process made it (False: another worker had, or was making it and finished)."""
    root = tmp_path_factory.getbasetemp()
    if root.name.startswith("popen-gw"):  # a worker's own folder: share its parent
        root = root.parent
    folder = root / f"shared-{name}"
    with FileLock(f"{folder}.lock"):
        if (folder / DONE).exists():
            return folder, False
        shutil.rmtree(folder, ignore_errors=True)  # a worker that failed making it
        folder.mkdir(parents=True)
        make(folder)
        (folder / DONE).touch()
    return folder, True
