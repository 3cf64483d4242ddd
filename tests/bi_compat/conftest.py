"""One published copy for every BI-tool test: a small sandbox world built by dbt and published
the way the pipeline publishes it (storage version from the default setting)."""

import shutil
import sys
from pathlib import Path

import duckdb
import pytest

from dwh.publish import publish_marts
from dwh.settings import WarehouseSettings
from tests.bi_compat.readers import read_with
from tests.dbt.dbt_runner import build_models
from tests.dbt.raw_loader import land_duckdb
from tests.shared_fixture import made_once, world_made_once

LEADS, SEED = 150, 11


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return world_made_once(tmp_path_factory, "bi_compat_world", LEADS, SEED)


@pytest.fixture(scope="session")
def built_warehouse(world: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB warehouse with every dbt model built (no data tests: tests/dbt runs those),
    made once for every worker: tests copy it before they write to it or open it writable."""

    def build(work: Path) -> None:
        land_duckdb(world, work / "warehouse.duckdb")
        build_models(work / "warehouse.duckdb", work)

    return made_once(tmp_path_factory, "bi_compat_warehouse", build) / "warehouse.duckdb"


@pytest.fixture(scope="session")
def published_copy(built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Published twice, as a re-run publishes: first from a copy of the warehouse with some
    mart rows missing, then from the warehouse itself, carried forward (rows written into the
    older-format file by this DuckDB): the file the readers get is the one in-place changes
    made. Made once for every worker, read only."""

    def publish(work: Path) -> None:
        published = work / "published.duckdb"
        storage_version = WarehouseSettings.from_env({}).published_storage_version
        earlier = work / "earlier.duckdb"
        shutil.copyfile(built_warehouse, earlier)
        with duckdb.connect(str(earlier)) as con:
            con.execute("delete from marts.fct_activities where hash(activity_id) % 10 = 0")
            con.execute("update marts.dim_rep set rep_name = rep_name || ' (old)'")
        for source in (earlier, built_warehouse):
            result = publish_marts(
                published_path=published,
                run_id="bi-compat",
                warehouse_path=source,
                storage_version=storage_version,
            )
        assert result.changed_rows is not None and result.changed_rows["fct_activities"] > 0

    return made_once(tmp_path_factory, "bi_compat_published", publish) / "published.duckdb"


@pytest.fixture(scope="session")
def read_by_project(published_copy: Path) -> dict:
    """What the project's own DuckDB (2.0) reads: the reference for every other reader."""
    return read_with(sys.executable, published_copy)
