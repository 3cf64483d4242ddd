"""Vendor credentials and the warehouse, configured from environment variables.

One resource per registered vendor, built from its declared settings (adding a vendor adds
its resource). Each field is one environment variable, bound with `dg.EnvVar` so Dagster
resolves it at run time and never shows its value. A variable that is not set is left out,
and the connectors fall back to the declared default (the embedded sandbox).
"""

import os
from typing import Any

import dagster as dg
from pydantic import create_model

from connectors.core.vendor import Vendor
from connectors.registry import VENDORS
from connectors.settings import Settings
from dwh.settings import WarehouseSettings


class VendorResource(dg.ConfigurableResource):
    """Base: each field is named after the environment variable the connectors read."""

    def as_env(self) -> dict[str, str]:
        return {name: value for name in type(self).model_fields if (value := getattr(self, name))}


def vendor_resource_class(vendor: Vendor) -> type[VendorResource]:
    fields: dict[str, Any] = {s.name: (str | None, None) for s in vendor.settings}
    return create_model(f"{vendor.title}Resource", __base__=VendorResource, **fields)


def vendor_resource(vendor: Vendor) -> VendorResource:
    cls = vendor_resource_class(vendor)
    bound = {s.name: dg.EnvVar(s.name) for s in vendor.settings if s.name in os.environ}
    return cls(**bound)


class WarehouseResource(dg.ConfigurableResource):
    """Where the pipeline writes (one writer at a time) and where BI reads the published copy.
    Unset fields fall back to the environment, then to dwh's defaults."""

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
        return WarehouseSettings.from_env(
            {**os.environ, **{k: v for k, v in overrides.items() if v}}
        )

    def destination(self):  # type: ignore[no-untyped-def]
        """The connectors' landing destination for the configured target."""
        from connectors.landing import destination_for

        return destination_for(self.settings(), Settings())


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
    vendors = {name: vendor_resource(vendor) for name, vendor in VENDORS.items()}
    return dg.Definitions(resources={**vendors, "warehouse": warehouse})
