"""The registered vendors. Adding a source is one line here (and its own package)."""

from connectors.core.vendor import Stream, Vendor
from connectors.sources import gong, marketo, salesforce

VENDORS: dict[str, Vendor] = {
    vendor.name: vendor for vendor in (salesforce.VENDOR, marketo.VENDOR, gong.VENDOR)
}

# Every source's streams by source name, in declaration order.
STREAMS: dict[str, tuple[Stream, ...]] = {name: v.streams for name, v in VENDORS.items()}


def get_vendor(source: str) -> Vendor:
    if source not in VENDORS:
        raise KeyError(f"unknown source {source!r}; known: {sorted(VENDORS)}")
    return VENDORS[source]


def get_stream(source: str, name: str) -> Stream:
    return get_vendor(source).stream(name)
