"""The registered vendors. Adding a source is one line here (and its own package).

`REGISTERED` holds every vendor the connectors know; `VENDORS` and `STREAMS` the ones this
process runs: those named in CONNECTORS_SOURCES (a comma list), or, when it is unset, every
vendor that is on by default. Landing creates the raw tables of every registered vendor, so
the warehouse's sources exist (empty) for a vendor that is off.
"""

import os

from connectors.core.errors import ConfigurationError
from connectors.core.vendor import Stream, Vendor
from connectors.sources import gong, hubspot, marketo, salesforce

REGISTERED: dict[str, Vendor] = {
    vendor.name: vendor
    for vendor in (salesforce.VENDOR, marketo.VENDOR, gong.VENDOR, hubspot.VENDOR)
}

SOURCES_SETTING = "CONNECTORS_SOURCES"


def selected_sources(value: str | None) -> tuple[str, ...]:
    """The sources a CONNECTORS_SOURCES value selects (empty: the vendors on by default)."""
    names = [part.strip().lower() for part in (value or "").split(",") if part.strip()]
    if not names:
        return tuple(name for name, vendor in REGISTERED.items() if vendor.on_by_default)
    unknown = [name for name in names if name not in REGISTERED]
    if unknown:
        raise ConfigurationError(
            f"{SOURCES_SETTING} names unknown sources {unknown}; known: {sorted(REGISTERED)}",
            (SOURCES_SETTING,),
        )
    return tuple(dict.fromkeys(names))


VENDORS: dict[str, Vendor] = {
    name: REGISTERED[name] for name in selected_sources(os.environ.get(SOURCES_SETTING))
}

# Every selected source's streams by source name, in declaration order.
STREAMS: dict[str, tuple[Stream, ...]] = {name: v.streams for name, v in VENDORS.items()}


def get_vendor(source: str) -> Vendor:
    """A registered vendor, selected or not (a stream can be run by name)."""
    if source not in REGISTERED:
        raise KeyError(f"unknown source {source!r}; known: {sorted(REGISTERED)}")
    return REGISTERED[source]


def get_stream(source: str, name: str) -> Stream:
    return get_vendor(source).stream(name)


def raw_tables() -> list[str]:
    """`<source>__<stream>` of every registered vendor's streams (selected or not)."""
    return [f"{name}__{s.name}" for name, v in REGISTERED.items() for s in v.streams]
