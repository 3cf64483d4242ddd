"""Vendor credentials and the warehouse, configured from environment variables.

Credentials are bound with `dg.EnvVar` so Dagster resolves them at run time and never shows
their values. A variable that is not set is left out, and the connectors fall back to the
embedded sandbox (docs/contracts.md section 1), so the project runs with no configuration.
"""

import os
from typing import ClassVar

import dagster as dg

from orchestration.env import WarehouseSettings, warehouse_settings


class VendorResource(dg.ConfigurableResource):
    """Base: each field maps to one environment variable the connectors understand."""

    ENV: ClassVar[dict[str, str]] = {}

    def as_env(self) -> dict[str, str]:
        return {var: value for field, var in self.ENV.items() if (value := getattr(self, field))}

    @classmethod
    def from_environment(cls) -> "VendorResource":
        return cls(**{field: dg.EnvVar(var) for field, var in cls.ENV.items() if var in os.environ})


class SalesforceResource(VendorResource):
    ENV: ClassVar[dict[str, str]] = {
        "login_url": "SALESFORCE_LOGIN_URL",
        "client_id": "SALESFORCE_CLIENT_ID",
        "client_secret": "SALESFORCE_CLIENT_SECRET",
        "username": "SALESFORCE_USERNAME",
        "password": "SALESFORCE_PASSWORD",
        "api_version": "SALESFORCE_API_VERSION",
    }
    login_url: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    username: str | None = None
    password: str | None = None
    api_version: str | None = None


class MarketoResource(VendorResource):
    ENV: ClassVar[dict[str, str]] = {
        "base_url": "MARKETO_BASE_URL",
        "client_id": "MARKETO_CLIENT_ID",
        "client_secret": "MARKETO_CLIENT_SECRET",
    }
    base_url: str | None = None
    client_id: str | None = None
    client_secret: str | None = None


class GongResource(VendorResource):
    ENV: ClassVar[dict[str, str]] = {
        "base_url": "GONG_BASE_URL",
        "access_key": "GONG_ACCESS_KEY",
        "access_key_secret": "GONG_ACCESS_KEY_SECRET",
    }
    base_url: str | None = None
    access_key: str | None = None
    access_key_secret: str | None = None


class WarehouseResource(dg.ConfigurableResource):
    """Where the pipeline writes (one writer at a time) and where BI reads the published copy."""

    path: str | None = None
    published_path: str | None = None
    target: str | None = None
    postgres_dsn: str | None = None

    def settings(self) -> WarehouseSettings:
        overrides = {
            "WAREHOUSE_PATH": self.path,
            "WAREHOUSE_PUBLISHED_PATH": self.published_path,
            "WAREHOUSE_TARGET": self.target,
            "WAREHOUSE_POSTGRES_DSN": self.postgres_dsn,
        }
        env = {**os.environ, **{k: v for k, v in overrides.items() if v}}
        return warehouse_settings(env)

    def destination(self):  # type: ignore[no-untyped-def]
        """The connectors' landing destination for the configured target."""
        settings = self.settings()
        if settings.target == "postgres":
            from connectors.destinations.postgres import PostgresDestination

            return PostgresDestination(settings.postgres_dsn)
        from connectors.config import Settings
        from connectors.destinations.duckdb import DuckDBDestination

        settings.path.parent.mkdir(parents=True, exist_ok=True)
        limit = Settings()["CONNECTORS_DUCKDB_MEMORY_LIMIT"]
        return DuckDBDestination(settings.path, memory_limit=limit)


WAREHOUSE_ENV = {
    "path": "WAREHOUSE_PATH",
    "published_path": "WAREHOUSE_PUBLISHED_PATH",
    "target": "WAREHOUSE_TARGET",
    "postgres_dsn": "WAREHOUSE_POSTGRES_DSN",
}


@dg.definitions
def defs() -> dg.Definitions:
    warehouse = WarehouseResource(
        **{field: dg.EnvVar(var) for field, var in WAREHOUSE_ENV.items() if var in os.environ}
    )
    return dg.Definitions(
        resources={
            "salesforce": SalesforceResource.from_environment(),
            "marketo": MarketoResource.from_environment(),
            "gong": GongResource.from_environment(),
            "warehouse": warehouse,
        }
    )
