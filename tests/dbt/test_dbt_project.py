"""The dbt project parses and lands its models in the schemas the other parts read."""

import json
from pathlib import Path

from tests.dbt.dbt_runner import run_dbt


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
