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


def test_run_config_vars_reach_dbt() -> None:
    """A Dagster run's dbt vars (run config of the dbt step) become dbt's --vars."""
    from orchestration.defs.transform.assets import DbtBuildConfig

    config = DbtBuildConfig(vars={"week_start_day": "sunday", "internal_email_domains": ["a.jp"]})
    args = dbt_build_args(dbt_vars=config.vars)
    assert json.loads(args[args.index("--vars") + 1]) == {
        "internal_email_domains": ["a.jp"],
        "week_start_day": "sunday",
    }
    assert "--vars" not in dbt_build_args(dbt_vars=DbtBuildConfig().vars)
