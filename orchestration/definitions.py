"""The one entry point Dagster loads: everything lives under orchestration/defs/."""

from pathlib import Path

import dagster as dg

import orchestration.defs


@dg.definitions
def defs() -> dg.Definitions:
    return dg.load_from_defs_folder(path_within_project=Path(orchestration.defs.__file__).parent)
