"""Where landed pages go: one small Protocol, a DuckDB and a Postgres implementation."""

from connectors.destinations.base import Batch, Destination, QuarantineRow, RawRow

__all__ = ["Batch", "Destination", "QuarantineRow", "RawRow"]
