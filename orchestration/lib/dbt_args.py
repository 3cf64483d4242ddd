"""Pure helpers that build dbt invocations, unit-tested without dbt."""

import json
from collections.abc import Mapping
from typing import Any


def dbt_build_args(
    *, full_refresh: bool = False, target: str = "duckdb", dbt_vars: Mapping[str, Any] | None = None
) -> list[str]:
    # Unit tests check the SQL's logic, not the data: they run in CI (`make test`), and dbt
    # advises against running them in production builds (about 2 s of every run here).
    args = ["build", "--target", target, "--exclude-resource-type", "unit_test"]
    if full_refresh:
        args.append("--full-refresh")
    if dbt_vars:
        args += ["--vars", json.dumps(dict(dbt_vars), sort_keys=True)]
    return args
