"""How long one run may take before Dagster's run monitoring stops it and marks it failed.

Every job carries the run tag `dagster/max_runtime` (seconds). The daemon's MONITORING loop
cancels a run that exceeds it and marks it failed even when its worker cannot be reached (a
hung vendor call that ignores its timeouts, a run whose code server died with it), so the
`warehouse_writer` pool slot it held is freed and the next scheduled run can start.
"""

import os
from collections.abc import Mapping

MAX_RUNTIME_SETTING = "PIPELINE_MAX_RUNTIME_SECONDS"
# A first load of a large org is the longest legitimate run (the 1M-lead benchmark takes about
# 15 minutes against the fakes; real vendor quotas are slower): six hours leaves room for it
# and still unblocks the hourly schedule the same working day.
DEFAULT_MAX_RUNTIME_SECONDS = 6 * 3600
# Below a minute even an empty incremental run (dbt build, checks, publish) cannot finish;
# above a week the limit no longer protects anything.
MIN_MAX_RUNTIME_SECONDS = 60
MAX_MAX_RUNTIME_SECONDS = 7 * 24 * 3600
MAX_RUNTIME_TAG = "dagster/max_runtime"


def max_runtime_seconds(env: Mapping[str, str] | None = None) -> int:
    """PIPELINE_MAX_RUNTIME_SECONDS (whole seconds), or the default; a bad value names the
    variable and the accepted range."""
    source = os.environ if env is None else env
    value = source.get(MAX_RUNTIME_SETTING, "").strip()
    if not value:
        return DEFAULT_MAX_RUNTIME_SECONDS
    try:
        seconds = int(value)
    except ValueError:
        seconds = None
    if seconds is None or not MIN_MAX_RUNTIME_SECONDS <= seconds <= MAX_MAX_RUNTIME_SECONDS:
        raise ValueError(
            f"{MAX_RUNTIME_SETTING} must be whole seconds between {MIN_MAX_RUNTIME_SECONDS} and "
            f"{MAX_MAX_RUNTIME_SECONDS}, not {value!r} (default {DEFAULT_MAX_RUNTIME_SECONDS})"
        )
    return seconds


def max_runtime_tags(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The run tags every job carries."""
    return {MAX_RUNTIME_TAG: str(max_runtime_seconds(env))}
