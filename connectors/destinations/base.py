"""The landing contract (contracts section 4) every destination implements."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class RawRow:
    id: str
    cursor: datetime | None
    raw_json: str


@dataclass(frozen=True)
class QuarantineRow:
    reason: str
    payload: str


@dataclass(frozen=True)
class Batch:
    """One page of one stream plus the stream state that covers it: committed atomically."""

    source: str
    stream: str
    rows: list[RawRow]
    quarantine: list[QuarantineRow]
    state: dict[str, Any] | None  # None = leave meta.stream_state as it is
    run_id: str
    extracted_at: datetime

    @property
    def table(self) -> str:
        return f"{self.source}__{self.stream}"


class Destination(Protocol):
    def read_state(self, source: str, stream: str) -> dict[str, Any] | None:
        """The stream's last committed state, or None before its first run."""
        ...

    def write_batch(self, batch: Batch) -> None:
        """Append rows and quarantine rows and set the state, all in one transaction."""
        ...


def table_name(source: str, stream: str) -> str:
    """`raw.<source>__<stream>`; names come from declared streams, checked anyway."""
    name = f"{source}__{stream}"
    if not name.replace("_", "").isalnum():
        raise ValueError(f"bad table name {name!r}")
    return name
