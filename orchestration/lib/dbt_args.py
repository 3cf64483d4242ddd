"""Pure helpers that build dbt invocations, unit-tested without dbt."""

import json
from collections.abc import Mapping
from typing import Any


def dbt_build_args(
    *, full_refresh: bool = False, target: str = "duckdb", dbt_vars: Mapping[str, Any] | None = None
) -> list[str]:
    args = ["build", "--target", target]
    if full_refresh:
        args.append("--full-refresh")
    if dbt_vars:
        args += ["--vars", json.dumps(dict(dbt_vars), sort_keys=True)]
    return args
