"""The dbt project parses and lands its models in the schemas the other parts read."""

import csv
import json
from pathlib import Path

import pytest

from tests.dbt.dbt_runner import DBT_PROJECT_DIR, run_dbt


def test_parse_puts_models_in_layer_schemas(tmp_path: Path) -> None:
    result = run_dbt(["parse"], target_path=tmp_path / "target")
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    models = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    assert models["stg_salesforce__leads"]["schema"] == "staging"
    layers = {m["fqn"][1] for m in models.values()}
    assert "staging" in layers
    sources = {s["name"]: s for s in manifest["sources"].values()}
    assert sources["salesforce__lead"]["meta"]["dagster"]["asset_key"] == [
        "raw",
        "salesforce",
        "lead",
    ]
    assert sources["gong__calls"]["schema"] == "raw"


def _seed(name: str) -> list[dict[str, str]]:
    with (DBT_PROJECT_DIR / "seeds" / f"{name}.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_default_seeds_hold_the_contract_tables() -> None:
    """The shipped mappings are the tables the sandbox truth uses (contracts 5.1, 5.2)."""
    rules = pytest.importorskip("sandbox.world.rules")
    profile = pytest.importorskip("sandbox.world.profile")
    labels = {
        (row["picklist"], row["label"]): row["canonical_value"]
        for row in _seed("picklist_label_mapping")
        if row["picklist"] != "lead_source"  # HubSpot's original sources, not handoff fields
    }
    assert labels == {
        (picklist, label): value
        for picklist, table in (
            ("budget_status", rules.BUDGET_LABELS),
            ("authority", rules.AUTHORITY_LABELS),
            ("handoff_status", rules.HANDOFF_STATUS_LABELS),
        )
        for label, value in table.items()
    }
    assert {"未定", "未確認", "TBD"} <= {label for (_, label) in labels}
    roles = {row["role_name"]: row["team"] for row in _seed("rep_team_mapping")}
    assert roles == profile.DEFAULT.role_teams
    assert _seed("kpi_targets") == []  # a new customer starts without targets


def test_wrong_vars_stop_the_run_naming_them(tmp_path: Path) -> None:
    """Settings are checked at the start of a run: a wrong value is an error naming the var,
    never a run with wrong numbers."""
    wrong = (
        '{"week_start_day": "someday", "fiscal_year_start_month": 13, '
        '"internal_email_domains": "themodel.example", "lead_source_precedence": ["pardot"]}'
    )
    result = run_dbt(
        ["seed", "-s", "kpi_targets", "--vars", wrong],
        env={"WAREHOUSE_PATH": str(tmp_path / "w.duckdb")},
        target_path=tmp_path / "target",
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "week_start_day must be one of monday" in output
    assert "fiscal_year_start_month must be a number from 1 to 12, not 13" in output
    assert "internal_email_domains must be a list of domains" in output
    assert "lead_source_precedence must list marketo, hubspot and/or salesforce" in output
