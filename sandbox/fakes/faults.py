"""Fault injection settings shared by the three fakes (seeded, so a run is reproducible)."""

import random
from dataclasses import asdict, dataclass, fields
from typing import Any

TIMEOUT_MODES = ("sleep", "drop")
# A hostile or broken vendor (sandbox/README.md, "Hostile mode"): one case at a time.
HOSTILE_CASES = (
    "foreign_next_url",  # Salesforce nextRecordsUrl absolute on another host
    "foreign_instance_url",  # Salesforce token answer's instance_url on another host
    "redirect_foreign",  # every data request answered with a redirect to another host
    "repeat_cursor",  # the next-page URL, paging token or cursor repeats itself
    "trickle_body",  # data answers sent one byte every `trickle_seconds`
    "future_modstamp",  # one record's cursor field in the year 2999
    "deep_json",  # one record holds a value nested 10,000 levels deep
    "invalid_utf8",  # one record holds bytes that are not UTF-8
    "wrong_typed_ids",  # one record's id (or a Marketo activity's leadId) of the wrong type
)


@dataclass
class FaultConfig:
    """What can go wrong, and how often. Every share is a probability per vendor API request."""

    seed: int = 0
    # Share of requests answered with HTTP 500 or 503 (half each).
    server_error_rate: float = 0.0
    # Share of requests that hang for `timeout_seconds` ("sleep") or lose the connection ("drop").
    timeout_rate: float = 0.0
    timeout_seconds: float = 5.0
    timeout_mode: str = "sleep"
    # Share of responses whose body is cut in half while Content-Length announces the full size.
    truncate_rate: float = 0.0
    # Every N authenticated requests all issued tokens become invalid (0 = never).
    token_expiry_every: int = 0
    # Share of requests refused as over the rate limit (429 / 606 / REQUEST_LIMIT_EXCEEDED).
    rate_limit_rate: float = 0.0
    retry_after_seconds: int = 1
    # After this many records served by a source, records carry one new field (None = off).
    schema_drift_after: int | None = None
    # After this many data pages served by a source, mutate it once (None = off).
    mutate_after_pages: int | None = None
    mutate_modify: int = 5
    mutate_delete: int = 2
    mutate_create: int = 1
    # Sources the faults apply to; None means all three.
    sources: list[str] | None = None
    # Bulk jobs (Salesforce Bulk API 2.0, Marketo Bulk Extract): the next N jobs fail, and
    # whether finished jobs' results (files) have expired.
    bulk_fail_jobs: int = 0
    bulk_results_expired: bool = False
    # One of HOSTILE_CASES (None = an honest vendor), and the attacker's host it points to.
    hostile: str | None = None
    foreign_url: str = "http://127.0.0.1:9"
    trickle_seconds: float = 2.0

    def __post_init__(self) -> None:
        for name in ("server_error_rate", "timeout_rate", "truncate_rate", "rate_limit_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be within [0, 1], got {value}")
        if self.timeout_mode not in TIMEOUT_MODES:
            raise ValueError(
                f"timeout_mode must be one of {TIMEOUT_MODES}, got {self.timeout_mode}"
            )
        if self.token_expiry_every < 0:
            raise ValueError("token_expiry_every must be >= 0")
        if self.hostile is not None and self.hostile not in HOSTILE_CASES:
            raise ValueError(f"hostile must be one of {HOSTILE_CASES}, got {self.hostile!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "FaultConfig":
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        return cls(**data)

    def applies_to(self, source: str) -> bool:
        return self.sources is None or source in self.sources


class FaultDice:
    """Seeded per source so that the same config gives the same fault sequence."""

    def __init__(self, config: FaultConfig, source: str) -> None:
        self.config = config
        self.active = config.applies_to(source)
        self._rng = random.Random(f"{config.seed}:{source}")

    def roll(self, rate: float) -> bool:
        # Always draw, so that enabling one fault does not shift another fault's sequence.
        draw = self._rng.random()
        return self.active and draw < rate

    def choice(self, options: list[Any]) -> Any:
        return self._rng.choice(options)
