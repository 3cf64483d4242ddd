"""Run dbt from tests in a subprocess with telemetry off and the warehouse from arguments."""

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")


def dbt_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Partial parsing stays on: each test has its own target folder, so a test's second and
    later dbt commands skip the whole parse; dbt parses everything again itself whenever the
    project's files, the profile, the target or the vars differ."""
    env = dict(os.environ)
    env.update(
        DO_NOT_TRACK="1",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    env.update(extra or {})
    return env


def run_dbt(
    args: Sequence[str],
    env: Mapping[str, str] | None = None,
    target_path: Path | None = None,
    project_dir: Path = DBT_PROJECT_DIR,
) -> subprocess.CompletedProcess[str]:
    """Run one dbt command; a separate target path keeps parallel runs from sharing artefacts.
    `project_dir` is another copy of the project (configured_project), profiles stay ours."""
    command = [
        str(DBT_EXECUTABLE),
        *args,
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
    ]
    if target_path is not None:
        command += ["--target-path", str(target_path)]
        extra = {"DBT_LOG_PATH": str(target_path / "logs"), **(env or {})}
    else:
        extra = dict(env or {})
    return subprocess.run(
        command,
        cwd=REPO_ROOT,
        env=dbt_env(extra),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def postgres_env(database: str) -> dict[str, str]:
    """profiles.yml's Postgres settings for a database of the local test server."""
    return {
        "WAREHOUSE_PG_HOST": "127.0.0.1",
        "WAREHOUSE_PG_PORT": "5432",
        "WAREHOUSE_PG_USER": "postgres",
        "WAREHOUSE_PG_PASSWORD": "",
        "WAREHOUSE_PG_DBNAME": database,
    }


def build_models(database: Path | str, work_dir: Path, *extra: str, target: str = "duckdb") -> None:
    """`dbt build` of models, seeds and snapshots on a DuckDB file or a Postgres database of
    the test server: the data tests run in test_dbt_project and would double the run time."""
    env = {"WAREHOUSE_PATH": str(database)} if target == "duckdb" else postgres_env(str(database))
    result = run_dbt(
        ["build", "--target", target, "--exclude-resource-type", "test", "unit_test", *extra],
        env=env,
        target_path=work_dir / f"dbt_target_{target}",
    )
    assert result.returncode == 0, result.stdout[-4000:]


def project_copy(work_dir: Path) -> Path:
    """A private copy of the dbt project (no build artefacts), to change or to give its own
    target/ (MetricFlow reads target/semantic_manifest.json of the project it is pointed at)."""
    project = work_dir / "dbt_project"
    shutil.copytree(
        DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages")
    )
    return project


def configured_project(config_dir: Path, work_dir: Path) -> tuple[Path, dict[str, object]]:
    """A copy of the dbt project with a company's configuration applied the way
    docs/configure.md tells a customer to: its seed files replace ours, its vars (vars.yml)
    are passed on the command line (= editing dbt_project.yml's `vars:`). Returns the copy
    and the vars."""
    project = project_copy(work_dir)
    for seed in sorted((config_dir / "seeds").glob("*.csv")):
        if not (project / "seeds" / seed.name).exists():
            raise FileNotFoundError(f"{seed} replaces no seed of the project")
        shutil.copyfile(seed, project / "seeds" / seed.name)
    vars_file = config_dir / "vars.yml"
    dbt_vars = yaml.safe_load(vars_file.read_text(encoding="utf-8")) if vars_file.exists() else {}
    return project, dict(dbt_vars or {})


def vars_args(dbt_vars: Mapping[str, object]) -> list[str]:
    return ["--vars", json.dumps(dict(dbt_vars), ensure_ascii=False)] if dbt_vars else []
