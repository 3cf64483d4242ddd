"""Settings from environment variables, defaulting to the sandbox (contracts section 1)."""

import os
from collections.abc import Mapping

SANDBOX_DEFAULTS: dict[str, str] = {
    "SALESFORCE_LOGIN_URL": "http://127.0.0.1:8701",
    "SALESFORCE_CLIENT_ID": "sandbox-sf-client",
    "SALESFORCE_CLIENT_SECRET": "sandbox-sf-secret",
    "SALESFORCE_USERNAME": "etl@sandbox.example",
    "SALESFORCE_PASSWORD": "sandbox-sf-password",
    "SALESFORCE_API_VERSION": "62.0",
    "MARKETO_BASE_URL": "http://127.0.0.1:8702",
    "MARKETO_CLIENT_ID": "sandbox-mkto-client",
    "MARKETO_CLIENT_SECRET": "sandbox-mkto-secret",
    "GONG_BASE_URL": "http://127.0.0.1:8703",
    "GONG_ACCESS_KEY": "sandbox-gong-key",
    "GONG_ACCESS_KEY_SECRET": "sandbox-gong-secret",
    # Gong has no "changed since" filter: each run re-reads the calls started this many hours
    # before the cursor (titles, CRM context and stats settle after a call), and every
    # GONG_CALLS_RECONCILE_HOURS one run re-reads every call, which also finds deleted calls.
    "GONG_CALLS_LOOKBACK_HOURS": "72",
    "GONG_CALLS_RECONCILE_HOURS": "24",
    "WAREHOUSE_PATH": "warehouse/warehouse.duckdb",
    "WAREHOUSE_TARGET": "duckdb",
    "WAREHOUSE_POSTGRES_DSN": "postgresql://postgres@127.0.0.1:5432/test",
    # Connector tuning (not part of the contract; all optional).
    # Multiplies every client-side rate limit: set it to the sandbox's clock_speed so a fake
    # whose windows run faster can be driven faster; 1 = the vendors' published quotas.
    "CONNECTORS_RATE_SCALE": "1",
    "CONNECTORS_CONNECT_TIMEOUT": "5",
    "CONNECTORS_READ_TIMEOUT": "30",
    "CONNECTORS_MAX_ATTEMPTS": "8",
    "CONNECTORS_BACKOFF_MAX": "30",
    # Pages read ahead while the current one lands (0: none, fetch and land in turn).
    "CONNECTORS_PREFETCH_PAGES": "2",
    # Salesforce field lists (describe) are kept in the stream state and reused this long.
    "CONNECTORS_DESCRIBE_TTL_HOURS": "24",
    # DuckDB memory of the landing process (its cache would otherwise grow with the data).
    "CONNECTORS_DUCKDB_MEMORY_LIMIT": "256MB",
}

# Values that are credentials: redact() removes them wherever they appear.
SECRET_VARIABLES = (
    "SALESFORCE_CLIENT_SECRET",
    "SALESFORCE_PASSWORD",
    "MARKETO_CLIENT_SECRET",
    "GONG_ACCESS_KEY_SECRET",
    "GONG_ACCESS_KEY",
    "SALESFORCE_CLIENT_ID",
    "MARKETO_CLIENT_ID",
)


class Settings(Mapping[str, str]):
    """Read-only view: explicit overrides, then os.environ, then sandbox defaults."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        merged = dict(SANDBOX_DEFAULTS)
        merged.update({k: v for k, v in os.environ.items() if k in SANDBOX_DEFAULTS})
        if env:
            merged.update({k: v for k, v in env.items() if v is not None and v != ""})
        self._values = merged

    def __getitem__(self, key: str) -> str:
        return self._values[key]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def number(self, key: str) -> float:
        return float(self._values[key])

    def secrets(self) -> list[str]:
        return [self._values[k] for k in SECRET_VARIABLES if self._values.get(k)]
