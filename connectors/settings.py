"""Settings: every variable a registered vendor or the connectors' tuning declares.

Values come from explicit overrides, then the environment, then the declared default (the
embedded sandbox's). `validate()` checks them all at the start of a run and raises one
ConfigurationError naming every wrong variable; nothing is retried for it.
"""

import os
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from typing import Any

from connectors.core import setting_checks as check
from connectors.core.errors import ConfigurationError
from connectors.core.redact import register_secret, register_secret_variable
from connectors.core.vendor import Setting, Vendor


def _source_list(variable: str, value: str) -> tuple[str, ...]:
    from connectors.registry import selected_sources

    return selected_sources(value)


# How the connectors run, whatever the vendor (all optional).
TUNING: tuple[Setting, ...] = (
    Setting(
        "CONNECTORS_SOURCES",
        "",
        "comma list of the sources to extract (names as in the registry); empty = every source "
        "that is on by default. Read when the process starts",
        _source_list,
    ),
    Setting(
        "CONNECTORS_RATE_SCALE",
        "1",
        "multiplies every client-side rate limit (set it to a sandbox's clock_speed); "
        "1 = the vendors' published quotas",
        check.positive_number,
    ),
    Setting(
        "CONNECTORS_CONNECT_TIMEOUT", "5", "seconds to open a connection", check.positive_number
    ),
    Setting(
        "CONNECTORS_READ_TIMEOUT", "30", "seconds of silence while reading", check.positive_number
    ),
    Setting(
        "CONNECTORS_RESPONSE_DEADLINE_SECONDS",
        "300",
        "total time one answer may take, body included (a trickling body is cut off)",
        check.positive_number,
    ),
    Setting(
        "CONNECTORS_MAX_RESPONSE_MB",
        "512",
        "largest answer accepted, in MB",
        check.positive_int,
    ),
    Setting("CONNECTORS_MAX_ATTEMPTS", "8", "tries of one request", check.positive_int),
    Setting(
        "CONNECTORS_CONNECT_ATTEMPTS",
        "3",
        "tries while the host refuses connections (a wrong base URL fails within seconds)",
        check.positive_int,
    ),
    Setting(
        "CONNECTORS_BACKOFF_MAX", "30", "longest pause between tries", check.non_negative_number
    ),
    Setting(
        "CONNECTORS_PREFETCH_PAGES",
        "2",
        "pages read ahead while the current one lands (0: none)",
        check.non_negative_int,
    ),
    Setting(
        "CONNECTORS_BATCH_BUDGET_MB",
        "24",
        "batch bytes in flight that the sources extracted side by side share: each source "
        "commits at its share of it, 8 MB at most (24 = three sources' whole batches; 8 "
        "took 13 % off the extraction's peak RSS for 8 % more time, bench/README)",
        check.positive_number,
    ),
    Setting(
        "CONNECTORS_DESCRIBE_TTL_HOURS",
        "24",
        "field lists (describe) are kept in the stream state and reused this long",
        check.non_negative_number,
    ),
    Setting(
        "CONNECTORS_DUCKDB_MEMORY_LIMIT",
        "64MB",
        "DuckDB memory of the landing process (its cache would otherwise grow with the data)",
        check.memory_size,
    ),
    Setting(
        "CONNECTORS_DUCKDB_REOPEN_ROWS",
        "1000000",
        "landed rows after which the landing closes and reopens the DuckDB file (frees the "
        "memory DuckDB keeps per appended row until its database closes)",
        check.positive_int,
    ),
    Setting(
        "CONNECTORS_MAX_PAGES_PER_STREAM",
        "200000",
        "pages one stream may read in one run; the rest waits for the next run",
        check.positive_int,
    ),
    Setting(
        "CONNECTORS_MAX_STREAM_SECONDS",
        "21600",
        "wall time one stream may take in one run; the rest waits for the next run",
        check.positive_number,
    ),
    Setting(
        "CONNECTORS_BULK_JOB_DEADLINE_SECONDS",
        "3600",
        "how long a vendor's bulk query or export job may take",
        check.positive_number,
    ),
    Setting(
        "CONNECTORS_BULK_POLL_MAX_SECONDS",
        "30",
        "longest pause between polls of a bulk job's status (they double from 0.25 s)",
        check.positive_number,
    ),
    Setting(
        "CONNECTORS_QUOTA_RESERVE_SHARE",
        "0.1",
        "share of each vendor's daily quota left for the customer's other integrations",
        check.share,
    ),
    Setting(
        "CONNECTORS_QUARANTINE_MAX_SHARE",
        "0.01",
        "share of a stream run's records that may be quarantined before its check fails "
        "(any quarantined record warns)",
        check.share,
    ),
)


def _vendors() -> tuple[Vendor, ...]:
    """Every registered vendor: a vendor that is off still has its settings declared."""
    from connectors.registry import REGISTERED  # the registry imports every vendor package

    return tuple(REGISTERED.values())


@cache
def declared() -> dict[str, Setting]:
    """Every declared setting by variable name."""
    out = {s.name: s for s in TUNING}
    for vendor in _vendors():
        for setting in vendor.settings:
            out[setting.name] = setting
            if setting.secret:
                register_secret_variable(setting.name)
    return out


class Settings(Mapping[str, str]):
    """Read-only view: explicit overrides, then os.environ, then the declared defaults."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        known = declared()
        merged = {name: s.default for name, s in known.items()}
        merged.update({k: v for k, v in os.environ.items() if k in known and v != ""})
        if env:
            merged.update({k: v for k, v in env.items() if v is not None and v != ""})
        self._values = merged
        self._parsed: dict[str, Any] = {}

    def __getitem__(self, key: str) -> str:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def value(self, name: str) -> Any:
        """The parsed value of a declared setting (ConfigurationError naming it if wrong)."""
        if name not in self._parsed:
            self._parsed[name] = declared()[name].parse(name, self._values[name])
        return self._parsed[name]

    def number(self, name: str) -> float:
        return float(self.value(name))

    def secrets(self) -> list[str]:
        known = declared()
        return [v for k, v in self._values.items() if k in known and known[k].secret and v]

    def validate(self, vendors: Iterable[Vendor] = ()) -> None:
        """Check the tuning settings and those of `vendors`; one error names every bad one."""
        names = [s.name for s in TUNING] + [s.name for v in vendors for s in v.settings]
        problems: list[ConfigurationError] = []
        for name in names:
            try:
                self.value(name)
            except ConfigurationError as exc:
                problems.append(exc)
        for secret in self.secrets():
            register_secret(secret)
        if len(problems) == 1:
            raise problems[0]
        if problems:
            variables = tuple(v for p in problems for v in p.settings)
            raise ConfigurationError(
                "settings are wrong: " + "; ".join(str(p).split("; check")[0] for p in problems),
                variables,
            )
