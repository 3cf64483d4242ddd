"""Fixtures every test folder shares."""

import subprocess
import sys
from pathlib import Path

import pytest

from dwh.settings import DBT_PROJECT_DIR


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """Dagster reads the manifest at load time; `make test` builds it, direct pytest runs too."""
    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    if not manifest.exists():
        dbt = Path(sys.executable).with_name("dbt")
        subprocess.run(
            [
                str(dbt),
                "parse",
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--quiet",
            ],
            check=True,
        )
    return manifest
