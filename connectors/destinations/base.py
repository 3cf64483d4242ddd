"""The landing contract (contracts section 4) every destination implements."""

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, Protocol


class RawRow(NamedTuple):
    """One landed record (a tuple: one is built per record, so it must be cheap)."""

    id: str
    cursor: datetime | None
    raw_json: str


class QuarantineRow(NamedTuple):
    reason: str
    payload: str


@dataclass(frozen=True)
class Batch:
    """Rows of one stream (one page or several) plus the state that covers them: one commit."""

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


class Landing(Protocol):
    def read_state(self, source: str, stream: str) -> dict[str, Any] | None:
        """The stream's last committed state, or None before its first run."""
        ...

    def write_batch(self, batch: Batch) -> None:
        """Append rows and quarantine rows and set the state, all in one transaction."""
        ...


class Destination(Landing, Protocol):
    """A warehouse. `read_state`/`write_batch` on it open a connection for that one call;
    `session()` keeps one connection open for a whole stream run (one transaction per batch).
    """

    def session(self) -> AbstractContextManager[Landing]: ...


def table_name(source: str, stream: str) -> str:
    """`raw.<source>__<stream>`; names come from declared streams, checked anyway."""
    name = f"{source}__{stream}"
    if not name.replace("_", "").isalnum():
        raise ValueError(f"bad table name {name!r}")
    return name
