"""Session-wide reliability counters, printed by conftest's pytest_terminal_summary hook."""

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Scoreboard:
    trials: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    records_sent: int = 0
    records_loaded: int = 0
    records_quarantined: int = 0
    records_lost: int = 0
    records_duplicated: int = 0
    reader_queries: int = 0
    reader_errors: int = 0
    hostile: list[str] = field(default_factory=list)  # rows of the hostile table

    def add_records(self, sent: int, loaded: int, quarantined: int) -> None:
        self.records_sent += sent
        self.records_loaded += loaded
        self.records_quarantined += quarantined

    def lines(self) -> list[str]:
        faults = ", ".join(f"{kind} {n}" for kind, n in sorted(self.faults.items())) or "none"
        return [
            f"trials run:          {self.trials}",
            f"faults injected:     {faults}",
            f"records sent:        {self.records_sent}",
            f"records loaded:      {self.records_loaded}",
            f"records quarantined: {self.records_quarantined}",
            f"records lost:        {self.records_lost}  (must be 0)",
            f"records duplicated:  {self.records_duplicated}  (must be 0)",
            f"BI reader queries:   {self.reader_queries}, errors {self.reader_errors} (must be 0)",
            *self._hostile_lines(),
        ]

    def _hostile_lines(self) -> list[str]:
        if not self.hostile:
            return []
        from tests.connectors.hostile_support import TABLE_HEADER

        return ["", "hostile vendor answers (must be: 0 requests, bounded, 0 lost):", TABLE_HEADER,
                *self.hostile]  # fmt: skip


SCOREBOARD = Scoreboard()
