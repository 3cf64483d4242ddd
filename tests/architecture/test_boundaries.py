"""The shape of the code: dependencies point one way, vendors stay in their packages, and the
installed product carries no test double."""

import ast
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("connectors", "dwh", "expectations", "orchestration", "reporting")
# What each product package may import of ours (dbt_project is SQL, not imported).
ALLOWED = {
    "dwh": {"dwh"},
    "connectors": {"connectors", "dwh"},
    "expectations": {"expectations", "dwh", "connectors"},
    "orchestration": {"orchestration", "dwh", "connectors", "expectations", "reporting"},
    "reporting": {"reporting", "dwh"},
}
OURS = {*PRODUCT, "sandbox", "bench", "tests"}
VENDOR_NAME = re.compile(r"salesforce|marketo|gong|hubspot", re.IGNORECASE)


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", PRODUCT)
def test_architecture_dependencies_point_one_way(package: str) -> None:
    wrong = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _modules(package)
        for name in _imports(path)
        if name in OURS and name not in ALLOWED[package]
    }
    assert not wrong, sorted(wrong)


@pytest.mark.parametrize("package", ["connectors", "reporting"])
def test_architecture_plain_python_never_imports_dagster(package: str) -> None:
    wrong = [str(p.relative_to(ROOT)) for p in _modules(package) if "dagster" in _imports(p)]
    assert not wrong


def _code_names(path: Path) -> list[str]:
    """Identifiers and string literals of a module, docstrings and comments left out."""
    tree = ast.parse(path.read_text("utf-8"))
    docstrings = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.append(node.id)
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
        elif isinstance(node, ast.alias):
            names.append(node.name)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        ):
            names.append(node.value)
    return names


def test_architecture_vendor_names_stay_in_their_packages() -> None:
    """The run, the core, the settings and the CLI iterate the registry: no vendor named."""
    generic = [
        ROOT / "connectors" / "run.py",
        ROOT / "connectors" / "settings.py",
        ROOT / "connectors" / "cli.py",
        *sorted((ROOT / "connectors" / "core").rglob("*.py")),
        *sorted((ROOT / "connectors" / "landing").rglob("*.py")),
        *sorted((ROOT / "orchestration").rglob("*.py")),
        *sorted((ROOT / "dwh").rglob("*.py")),
    ]
    named = {
        f"{path.relative_to(ROOT)}: {name!r}"
        for path in generic
        for name in _code_names(path)
        if VENDOR_NAME.search(name)
    }
    assert not named, sorted(named)


def test_architecture_the_wheel_holds_the_product_only(tmp_path: Path) -> None:
    """`pip install themodel-warehouse` gets connectors, dwh, expectations, orchestration and
    reporting; the sandbox (our test double), the benchmarks and the tests stay in the
    repository."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
         "--quiet", "--disable-pip-version-check", "-w", str(tmp_path)],
        check=True,
        timeout=300,
    )  # fmt: skip
    (wheel,) = tmp_path.glob("themodel_warehouse-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    tops = {name.split("/")[0] for name in names if "/" in name}
    packages = {t for t in tops if not t.endswith(".dist-info")}
    assert packages == set(PRODUCT)
    assert "reporting/templates/funnel.html.j2" in names  # the report's page ships too


def test_architecture_dbt_profile_defaults_are_dwh_defaults() -> None:
    """dbt run by hand reads the profile's own fallbacks: they must be dwh's single defaults
    (a test, because the profile's Jinja cannot import them)."""
    from dwh.settings import DEFAULTS

    profile = (ROOT / "dbt_project" / "profiles.yml").read_text("utf-8")
    variables = (
        "WAREHOUSE_PATH",
        "WAREHOUSE_TARGET",
        "DBT_DUCKDB_MEMORY_LIMIT",
        "DBT_DUCKDB_THREADS",
        "DBT_THREADS",
    )
    for variable in variables:
        assert f"env_var('{variable}', '{DEFAULTS[variable]}')" in profile, variable
