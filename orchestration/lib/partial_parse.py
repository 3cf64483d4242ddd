"""Keep dbt's partial-parse state from one pipeline run for the next.

dagster-dbt gives every dbt step its own target folder and seeds it with the
`partial_parse.msgpack` of the project's target folder, which `make manifest` wrote. That
file was parsed under another profile (`dbt parse` runs without `--target` and with the
default warehouse path), so dbt rejects it and parses the whole project again in every run:
about 7 s of each dbt step. Copying the step's own file back makes the next run's parse
partial: dbt still re-reads every project file whose hash changed, and parses everything
again whenever the profile, target or vars differ.
"""

import os
import shutil
from pathlib import Path

PARTIAL_PARSE_FILE = "partial_parse.msgpack"


def project_target_dir(project_dir: Path) -> Path:
    """Where dagster-dbt looks for the file to seed a step with (DBT_TARGET_PATH or target)."""
    target = Path(os.environ.get("DBT_TARGET_PATH") or "target")
    return target if target.is_absolute() else project_dir / target


def keep_partial_parse(step_target_dir: Path, project_dir: Path) -> bool:
    """Copy the step's partial-parse file to the project's target folder, atomically (a
    concurrent step reads the old file or the new one, never half of one). False when the
    step left none (dbt failed before parsing)."""
    source = step_target_dir / PARTIAL_PARSE_FILE
    target_dir = project_target_dir(project_dir)
    if not source.is_file() or source.parent.resolve() == target_dir.resolve():
        return False
    target_dir.mkdir(parents=True, exist_ok=True)
    partial = target_dir / f".{PARTIAL_PARSE_FILE}.{os.getpid()}.tmp"
    try:
        shutil.copyfile(source, partial)
        os.replace(partial, target_dir / PARTIAL_PARSE_FILE)
    finally:
        partial.unlink(missing_ok=True)
    return True
