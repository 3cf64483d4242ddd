"""Sandbox world -> raw tables -> dbt build -> every KPI row equals truth.json, for each company
profile: the default company on the shipped configuration, and custom-jp (Japanese stages and
labels, renamed fields, hand-logged calls, colleagues marked External, sources only in
Salesforce) after the configuration steps of docs/configure.md only (its seeds and vars)."""

import csv
import json
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
import yaml

from tests.dbt.truth_compare import KPI_QUERY, compare, report, truth_kpis
from tests.dbt.warehouses import (
    BuiltWarehouse,
    build_duckdb,
    build_postgres,
    scratch_postgres_database,
)

generate = pytest.importorskip("sandbox.world.generate").generate

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIGS = REPO_ROOT / "sandbox" / "world" / "configs"
# profile -> (leads on DuckDB, leads on Postgres, the company's configuration or None)
PROFILES = {
    "default": (300, 300, None),
    "custom-jp": (300, 150, CONFIGS / "custom-jp"),
}
SEED = 7


@pytest.fixture(scope="module", params=sorted(PROFILES))
def profile(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _world(factory: pytest.TempPathFactory, profile: str, leads: int) -> Path:
    data_dir = factory.mktemp(f"world-{profile}-{leads}") / "data"
    generate(data_dir, leads=leads, seed=SEED, profile=profile)
    return data_dir


def _assert_matches_truth(data_dir: Path, warehouse: BuiltWarehouse) -> None:
    truth = truth_kpis(data_dir)
    assert truth, "truth.json holds no KPI rows"
    assert {key[3] for key in truth} == {"month", "week"}
    differences = compare(truth, warehouse.query(KPI_QUERY))
    print(report(differences))
    assert not differences, report(differences)
    # the configured handoff fields exist in the org (dq_handoff_field_mapping)
    missing = warehouse.query(
        "select source_field from dq.dq_handoff_field_mapping where not is_field_found"
    )
    assert missing == []


def test_duckdb_marts_equal_truth(
    profile: str, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    leads, _, config = PROFILES[profile]
    data_dir = _world(tmp_path_factory, profile, leads)
    warehouse = build_duckdb(data_dir, tmp_path, config_dir=config)
    _assert_matches_truth(data_dir, warehouse)
    if config is not None:
        _assert_goals_follow_truth_and_targets(data_dir, warehouse, config)
    else:
        _assert_every_column_documented(warehouse, tmp_path)


def test_postgres_marts_equal_truth(
    profile: str, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    _, leads, config = PROFILES[profile]
    data_dir = _world(tmp_path_factory, profile, leads)
    with scratch_postgres_database() as database:
        warehouse = build_postgres(data_dir, tmp_path, database, config_dir=config)
        _assert_matches_truth(data_dir, warehouse)
        if config is not None:
            _assert_goals_follow_truth_and_targets(data_dir, warehouse, config)


def _assert_goals_follow_truth_and_targets(
    data_dir: Path, warehouse: BuiltWarehouse, config: Path
) -> None:
    """kpi_goals_monthly worked out independently: monthly actuals from the truth, targets
    from the company's kpi_targets.csv (yearly ones spread over twelve months), year to date
    within the company's fiscal year."""
    first_month = yaml.safe_load((config / "vars.yml").read_text())["fiscal_year_start_month"]
    truth = truth_kpis(data_dir)
    actual: dict[tuple[str, str, str, date], float] = {
        (kpi, grain, key, date.fromisoformat(start)): value
        for (kpi, grain, key, period, start), value in truth.items()
        if period == "month" and kpi in ("revenue", "new_customers")
    }
    target: dict[tuple[str, str, str, date], float] = {}
    with (config / "seeds" / "kpi_targets.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        key = (row["kpi"], row["grain"], row["grain_key"])
        start = date.fromisoformat(row["period_start"])
        if row["period_grain"] == "month":
            target[(*key, start)] = float(row["target"])
            continue
        months = [_add_months(start, n) for n in range(12)]
        if not any((*key, month) in target for month in months):
            has_monthly = any(
                r["period_grain"] == "month"
                and (r["kpi"], r["grain"], r["grain_key"]) == key
                and date.fromisoformat(r["period_start"]) in months
                for r in rows
            )
            if not has_monthly:
                target.update({(*key, month): float(row["target"]) / 12 for month in months})
    expected = {}
    running: dict[tuple, list[float | None]] = defaultdict(lambda: [0.0, None])
    for cell in sorted(actual.keys() | target.keys(), key=lambda c: (c[:3], c[3])):
        fiscal = _fiscal_year_start(cell[3], first_month)
        totals = running[(*cell[:3], fiscal)]
        totals[0] = (totals[0] or 0.0) + actual.get(cell, 0.0)
        if cell in target:
            totals[1] = (totals[1] or 0.0) + target[cell]
        expected[cell] = (fiscal.year, actual.get(cell, 0.0), target.get(cell), *totals)
    rows_built = warehouse.query(
        "select kpi, grain, grain_key, month_start, fiscal_year, actual, target, actual_ytd, "
        "target_ytd, attainment, attainment_ytd from marts.kpi_goals_monthly"
    )
    built = {(r[0], r[1], r[2], r[3]): r[4:9] for r in rows_built}
    assert any(values[2] is not None for values in built.values()), "no target in the marts"
    assert built.keys() == expected.keys()
    for cell, values in expected.items():
        for got, want in zip(built[cell], values, strict=True):
            assert got == (None if want is None else pytest.approx(want, rel=1e-9)), cell
    for row in rows_built:
        if row[6]:
            assert row[9] == pytest.approx(row[5] / row[6])
        if row[8]:
            assert row[10] == pytest.approx(row[7] / row[8])


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, day.day)


def _fiscal_year_start(month: date, first_month: int) -> date:
    year = month.year if month.month >= first_month else month.year - 1
    return date(year, first_month, 1)


def _assert_every_column_documented(warehouse: BuiltWarehouse, work_dir: Path) -> None:
    """Every model is documented, with exactly the columns it builds (dbt_project/README)."""
    manifest = json.loads((work_dir / "dbt_target_duckdb" / "manifest.json").read_text())
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    built = defaultdict(set)
    for schema, table, column in warehouse.query(
        "select table_schema, table_name, column_name from information_schema.columns"
    ):
        built[(schema, table)].add(column)
    problems = []
    for model in models:
        if not model["description"].strip():
            problems.append(f"{model['name']}: no description")
        documented = set(model["columns"])
        columns = built[(model["schema"], model["alias"])]
        undocumented = columns - documented - {"_raw_fields"}
        missing = documented - columns
        if undocumented or missing:
            problems.append(f"{model['name']}: undocumented {undocumented}, not built {missing}")
        problems += [
            f"{model['name']}.{name}: no description"
            for name, column in model["columns"].items()
            if not column["description"].strip()
        ]
    assert not problems, "\n".join(problems)
