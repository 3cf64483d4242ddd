"""The published copy opens in the DuckDB releases BI tools embed, not only in our own wheel.

Each older release lives in a throwaway venv (tool_envs.python_env) and reads every mart
read-only with tests/bi_compat/read_published.py; what it reads must equal what the project's
DuckDB reads from the same file, table by table (columns, types, rows, content digest).
"""

import shutil
from pathlib import Path

import duckdb
import pytest

from dwh.publish import publish_marts
from dwh.settings import DEFAULTS
from tests.bi_compat.readers import read_with
from tests.bi_compat.tool_envs import python_env

# The oldest release the default setting promises (v1.1.0 -> duckdb 1.1.0) and the newest
# 1.x the registry serves (1.5.6 when this was written).
OLDEST = DEFAULTS["WAREHOUSE_PUBLISHED_STORAGE_VERSION"].removeprefix("v")
NEWEST_1X = "<2"


@pytest.mark.parametrize("spec", [f"=={OLDEST}", NEWEST_1X], ids=["oldest", "newest_1x"])
def test_bi_compat_older_duckdb_reads_every_mart(
    spec: str, published_copy: Path, read_by_project: dict
) -> None:
    python = python_env(f"duckdb{spec}")
    old = read_with(python, published_copy)
    print(f"DuckDB {old['duckdb']} opened {published_copy.name} and read every mart")
    assert old["duckdb"].startswith("1."), old["duckdb"]
    if spec.startswith("=="):
        assert old["duckdb"] == OLDEST
    marts = {name for name in read_by_project["tables"] if not name.startswith("_")}
    assert {"kpi_monthly_long", "fct_handoffs", "fct_lead_lifecycle", "dim_rep"} <= marts
    assert all(read_by_project["tables"][name]["rows"] > 0 for name in marts)
    assert old["tables"] == read_by_project["tables"]


def test_bi_compat_newest_storage_format_is_what_1x_refuses(
    published_copy: Path, tmp_path: Path
) -> None:
    """Why the setting exists: the same marts in DuckDB 2.0's own format do not open in 1.x."""
    newest, warehouse = tmp_path / "latest.duckdb", tmp_path / "source.duckdb"
    shutil.copy(published_copy, warehouse)  # a schema `marts` to publish again
    with duckdb.connect(str(warehouse)) as con:
        con.execute("drop table marts._publish_info")
    publish_marts(
        published_path=newest, run_id="latest", warehouse_path=warehouse, storage_version="latest"
    )
    python = python_env(f"duckdb{NEWEST_1X}")
    with pytest.raises(AssertionError, match=r"(?i)version"):
        read_with(python, newest)
