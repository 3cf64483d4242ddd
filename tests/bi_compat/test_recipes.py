"""The README's BI-tool recipes, run as written against a published copy (and, for Postgres
clients, against a Postgres warehouse), each tool installed from its registry."""

import json
import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import yaml

from tests.bi_compat.readers import recipe
from tests.bi_compat.tool_envs import node_env, python_env
from tests.dbt.dbt_runner import build_models
from tests.dbt.raw_loader import land_postgres
from tests.dbt.warehouses import POSTGRES_ADMIN_DSN, scratch_postgres_database

README_PUBLISHED = "warehouse/published.duckdb"
README_CHECKOUT = "/srv/themodel"
EVIDENCE_READER = Path(__file__).with_name("evidence_reader.cjs")
EVIDENCE_DRIVER = "@evidence-dev/duckdb@2.0.1"
NEWEST_NODE_API_1X = "1.5.6-r.1"


def _run(command: list[str], **kwargs: object) -> str:
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        **kwargs,  # type: ignore[arg-type]
    )
    assert done.returncode == 0, (
        f"{command[:3]} failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}"
    )
    return done.stdout


def _marts(read_by_project: dict) -> dict[str, int]:
    return {name: table["rows"] for name, table in read_by_project["tables"].items()}


def _here(text: str, published: Path) -> str:
    """A recipe with the README's example location of the published copy replaced."""
    text = text.replace(f"{README_CHECKOUT}/{README_PUBLISHED}", str(published))
    # a path of its own, not the end of another (`sources/warehouse/published.duckdb`)
    return re.sub(rf"(?<![\w/]){re.escape(README_PUBLISHED)}", str(published), text)


def test_bi_compat_duckdb_cli_recipe(published_copy: Path, read_by_project: dict) -> None:
    install, query = recipe("duckdb-cli").splitlines()
    requirement = install.removeprefix("pip install ").strip()
    cli = python_env(requirement).with_name("duckdb")
    shown = _run(["bash", "-c", _here(query, published_copy).replace("duckdb ", f"{cli} ", 1)])
    assert "grain_key" in shown and "month" in shown, shown
    assert len(re.findall(r"│ \w+\s+│ (rep|team|company|unit|source)\s", shown)) == 20, shown
    version = _run([str(cli), "-version"])
    counts = " union all ".join(
        f"select '{name}', count(*) from marts.\"{name}\"" for name in _marts(read_by_project)
    )
    csv = _run([str(cli), "-readonly", str(published_copy), "-csv", "-noheader", "-c", counts])
    read = {line.split(",")[0]: int(line.split(",")[1]) for line in csv.splitlines()}
    print(f"DuckDB CLI {version.split()[0]} read every mart")
    assert read == _marts(read_by_project)


def test_bi_compat_python_recipe_on_the_oldest_duckdb(published_copy: Path) -> None:
    python = python_env("duckdb==1.1.0")
    shown = _run([str(python), "-c", _here(recipe("python"), published_copy)])
    assert "grain_key" in shown and len(re.findall(r"│ 20\d\d-\d\d\s+│", shown)) == 20, shown


@pytest.mark.parametrize(
    "overrides",
    [{}, {"@duckdb/node-api": NEWEST_NODE_API_1X}],
    ids=["evidence_embedded_node_api", "evidence_on_newest_node_api_1x"],
)
def test_bi_compat_evidence_recipe(
    overrides: dict[str, str], published_copy: Path, read_by_project: dict, tmp_path: Path
) -> None:
    modules = node_env(EVIDENCE_DRIVER, overrides=overrides)
    project = tmp_path / "evidence-project"
    project.mkdir()
    _run(["bash", "-c", _here(recipe("evidence"), published_copy)], cwd=project)
    source = project / "sources" / "warehouse"
    connection = yaml.safe_load((source / "connection.yaml").read_text())
    assert connection["type"] == "duckdb"
    read = json.loads(
        _run(
            ["node", str(EVIDENCE_READER), str(source / connection["options"]["filename"])],
            env={**os.environ, "NODE_PATH": str(modules)},
        )
    )
    print(f"Evidence's connector on node-api {read['node_api']} (DuckDB {read['duckdb']})")
    assert read["duckdb"].startswith("v1."), read["duckdb"]
    if overrides:
        assert read["node_api"] == NEWEST_NODE_API_1X
    assert {name: t["rows"] for name, t in read["tables"].items()} == _marts(read_by_project)
    for name, table in read["tables"].items():
        expected = [column for column, _ in read_by_project["tables"][name]["columns"]]
        assert table["columns"] == expected, name
    assert read["kpi_total"] > 0


SUPERSET_PROBE = """
import json, sys
import duckdb, duckdb_engine, sqlalchemy as sa
engine = sa.create_engine(sys.argv[1])
inspector = sa.inspect(engine)  # what Superset lists in its dataset picker
tables = inspector.get_table_names(schema="marts")
with engine.connect() as con:
    counts = {t: con.execute(sa.text(f'select count(*) from marts."{t}"')).scalar() for t in tables}
    try:
        con.execute(sa.text("create table marts.written_by_bi as select 1 as x"))
        refused = None
    except Exception as exc:
        refused = str(exc)
print(json.dumps({"duckdb": duckdb.__version__, "engine": duckdb_engine.__version__,
                  "counts": counts, "write_refused": refused}))
"""


def test_bi_compat_superset_duckdb_engine_recipe(
    published_copy: Path, read_by_project: dict
) -> None:
    python = python_env("duckdb<2", "duckdb-engine==0.17.0", "sqlalchemy>=2,<3")
    uri = _here(recipe("superset"), published_copy).strip()
    assert uri.startswith("duckdb:////"), uri
    read = json.loads(_run([str(python), "-c", SUPERSET_PROBE, uri]))
    print(f"duckdb-engine {read['engine']} on DuckDB {read['duckdb']}")
    assert read["counts"] == _marts(read_by_project)
    assert read["write_refused"] and "read-only" in read["write_refused"].lower()


@pytest.fixture
def postgres_marts(world: Path, tmp_path: Path) -> Iterator[str]:
    """A scratch database with the marts built by dbt; yields its name."""
    with scratch_postgres_database() as database:
        land_postgres(world, f"postgresql://postgres@127.0.0.1:5432/{database}")
        build_models(database, tmp_path, target="postgres")
        yield database


@pytest.mark.postgres
def test_bi_compat_postgres_client_recipe_survives_a_rebuild(
    postgres_marts: str, tmp_path: Path
) -> None:
    psql = shutil.which("psql")
    if psql is None:
        pytest.skip("psql is not installed (apt-get install postgresql-client)")
    role = f"bi_reader_{uuid.uuid4().hex[:8]}"  # roles are server-wide: one per test

    def ours(text: str) -> str:
        text = text.replace("bi_reader", role).replace("db.example.internal", "127.0.0.1")
        return re.sub(r"\bsales\b", postgres_marts, text)

    dsn = f"postgresql://postgres@127.0.0.1:5432/{postgres_marts}"
    try:
        with psycopg.connect(dsn, autocommit=True) as con:
            con.execute(ours(recipe("postgres-reader")))
        # dbt replaces a mart's table on every run: the reader must still see the new one.
        rebuilt = ["--select", "kpi_monthly_long"]
        build_models(postgres_marts, tmp_path, *rebuilt, target="postgres")
        command = ours(recipe("psql")).replace("psql ", f"{psql} ", 1)
        shown = _run(["bash", "-c", command])
        assert len(re.findall(r"\|\s*20\d\d-\d\d\s*\|", shown)) == 20, shown
        as_reader = f"postgresql://{role}@127.0.0.1:5432/{postgres_marts}"
        with psycopg.connect(as_reader) as con:
            tables = con.execute(
                "select count(*) from information_schema.tables where table_schema = 'marts'"
            ).fetchone()
            assert tables and tables[0] >= 15
            for forbidden in (
                "select count(*) from raw.salesforce__lead",
                "create table marts.written_by_bi (x int)",
            ):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    con.execute(forbidden)
                con.rollback()
    finally:
        with psycopg.connect(POSTGRES_ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'drop database if exists "{postgres_marts}" with (force)')
            admin.execute(f'drop role if exists "{role}"')
