import json

from orchestration.lib.dbt_args import dbt_build_args


def test_incremental_build_by_default() -> None:
    assert dbt_build_args() == [
        "build",
        "--target",
        "duckdb",
        "--exclude-resource-type",
        "unit_test",
    ]


def test_full_refresh_and_vars() -> None:
    args = dbt_build_args(full_refresh=True, target="postgres", dbt_vars={"reporting_tz": "UTC"})
    assert args[:3] == ["build", "--target", "postgres"]
    assert "--full-refresh" in args
    assert json.loads(args[args.index("--vars") + 1]) == {"reporting_tz": "UTC"}
