"""Start the fakes over a data directory: `running()` for Python, `main()` for the CLI."""

import argparse
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sandbox.fakes.base import FakeClock, FakeServer
from sandbox.fakes.data_files import read_manifest
from sandbox.fakes.faults import FaultConfig
from sandbox.fakes.gong import GongFake
from sandbox.fakes.hubspot import HubSpotFake
from sandbox.fakes.marketo import MarketoFake
from sandbox.fakes.salesforce import SalesforceFake

SOURCES = ("salesforce", "marketo", "gong", "hubspot")
DEFAULT_PORT_BASE = 8701
DEFAULT_AS_OF = "2026-06-30T15:00:00Z"
SF_API_VERSION = "62.0"


class Sandbox:
    """Handle on the running fakes; every method works in-process (no HTTP round trip)."""

    def __init__(self, fakes: dict[str, FakeServer]) -> None:
        self.fakes = fakes

    @property
    def env(self) -> dict[str, str]:
        """The connectors' variables pointing at the running fakes."""
        env: dict[str, str] = {}
        for fake in self.fakes.values():
            env.update(fake.connector_env())
        if "salesforce" in self.fakes:
            env["SALESFORCE_API_VERSION"] = SF_API_VERSION
        return env

    def _fake(self, source: str) -> FakeServer:
        if source not in self.fakes:
            raise ValueError(f"unknown source {source!r}; expected one of {SOURCES}")
        return self.fakes[source]

    def base_url(self, source: str) -> str:
        return self._fake(source).base_url

    def admin_url(self, source: str) -> str:
        return f"{self._fake(source).base_url}/__sandbox"

    def stats(self, source: str) -> dict[str, Any]:
        return self._fake(source).stats()

    def reset_stats(self) -> None:
        for fake in self.fakes.values():
            fake.reset_stats()

    def set_faults(self, faults: FaultConfig) -> None:
        for fake in self.fakes.values():
            fake.set_faults(faults)

    def mutate(
        self, source: str, modify: int = 0, delete: int = 0, create: int = 0, seed: int = 0
    ) -> dict[str, Any]:
        return self._fake(source).mutate(modify=modify, delete=delete, create=create, seed=seed)


def _clock(data_dir: Path, clock_speed: float) -> FakeClock:
    manifest = read_manifest(data_dir)
    as_of = datetime.fromisoformat(str(manifest.get("as_of", DEFAULT_AS_OF)).replace("Z", "+00:00"))
    # The fake's "now" starts a minute after as_of, later than every record's timestamp.
    return FakeClock(as_of.astimezone(UTC) + timedelta(minutes=1), clock_speed)


def _served(data_dir: Path) -> tuple[str, ...]:
    """The vendors the world has (its manifest's `vendors`); a world that does not say has
    the three classic ones, and HubSpot's fake serves an empty account beside them."""
    vendors = read_manifest(data_dir).get("vendors")
    if isinstance(vendors, list) and vendors:
        unknown = sorted(set(vendors) - set(SOURCES))
        if unknown:
            raise ValueError(f"{data_dir}: manifest names unknown vendors {unknown}")
        return tuple(vendors)
    return SOURCES


@contextmanager
def running(
    data_dir: str | Path,
    faults: FaultConfig | None = None,
    enforce_limits: bool = False,
    clock_speed: float = 1.0,
    port_base: int = 0,
    daily_quotas: dict[str, int] | None = None,
) -> Iterator[Sandbox]:
    """Serve the fakes on 127.0.0.1 (HubSpot's over an empty account when the world has no
    hubspot/ files); port_base=0 picks free ports. `daily_quotas`
    overrides a vendor's daily API quota (enforced with `enforce_limits`)."""
    if clock_speed <= 0:
        raise ValueError("clock_speed must be > 0")
    data_dir = Path(data_dir)
    clock = _clock(data_dir, clock_speed)
    quotas = daily_quotas or {}
    served = _served(data_dir)
    fakes: dict[str, FakeServer] = {
        source: fake(data_dir, clock, faults, enforce_limits, daily_quota=quotas.get(source))
        for source, fake in (
            ("salesforce", SalesforceFake),
            ("marketo", MarketoFake),
            ("gong", GongFake),
            ("hubspot", HubSpotFake),
        )
        if source in served
    }
    started: list[FakeServer] = []
    try:
        for offset, source in enumerate(SOURCES):
            if source not in fakes:
                continue
            fakes[source].start(port_base + offset if port_base else 0)
            started.append(fakes[source])
        yield Sandbox(fakes)
    finally:
        for fake in started:
            fake.stop()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sandbox serve", description=__doc__)
    parser.add_argument("--data", required=True, type=Path, help="sandbox data directory")
    parser.add_argument(
        "--port-base",
        type=int,
        default=DEFAULT_PORT_BASE,
        help="Salesforce on this port, Marketo +1, Gong +2, HubSpot +3 (0: free ports)",
    )
    parser.add_argument("--enforce-limits", action="store_true", help="enforce vendor rate limits")
    parser.add_argument(
        "--clock-speed",
        type=float,
        default=1.0,
        help="fake seconds per real second (limit windows shrink by this)",
    )
    group = parser.add_argument_group("faults")
    group.add_argument("--fault-seed", type=int, default=0)
    group.add_argument("--server-error-rate", type=float, default=0.0)
    group.add_argument("--timeout-rate", type=float, default=0.0)
    group.add_argument("--timeout-seconds", type=float, default=5.0)
    group.add_argument("--timeout-mode", choices=("sleep", "drop"), default="sleep")
    group.add_argument("--truncate-rate", type=float, default=0.0)
    group.add_argument("--token-expiry-every", type=int, default=0)
    group.add_argument("--rate-limit-rate", type=float, default=0.0)
    group.add_argument("--schema-drift-after", type=int, default=None)
    group.add_argument("--mutate-after-pages", type=int, default=None)
    group.add_argument("--fault-sources", default=None, help="comma list; default all sources")
    return parser


def faults_from_args(args: argparse.Namespace) -> FaultConfig:
    return FaultConfig(
        seed=args.fault_seed,
        server_error_rate=args.server_error_rate,
        timeout_rate=args.timeout_rate,
        timeout_seconds=args.timeout_seconds,
        timeout_mode=args.timeout_mode,
        truncate_rate=args.truncate_rate,
        token_expiry_every=args.token_expiry_every,
        rate_limit_rate=args.rate_limit_rate,
        schema_drift_after=args.schema_drift_after,
        mutate_after_pages=args.mutate_after_pages,
        sources=args.fault_sources.split(",") if args.fault_sources else None,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m sandbox serve --data DIR ...`: print `export` lines, serve until interrupted."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["serve"]:
        arguments = arguments[1:]
    args = _parser().parse_args(arguments)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with running(
        args.data,
        faults=faults_from_args(args),
        enforce_limits=args.enforce_limits,
        clock_speed=args.clock_speed,
        port_base=args.port_base,
    ) as sandbox:
        for name, value in sandbox.env.items():
            print(f"export {name}={value}")
        print(f"# sandbox serving {args.data} (pid {os.getpid()}); Ctrl-C to stop", flush=True)
        with suppress(KeyboardInterrupt):
            stop.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
