"""The fakes in their own process, driven over their admin API.

Benchmarks use it so that the fakes neither share the measured process's GIL nor count in
its memory: `running()` (sandbox.serve) keeps the whole world in the caller's process, which
made the client's peak RSS a measure of the world's size.
"""

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from sandbox.serve import SOURCES

_URL_SETTINGS = {
    "salesforce": "SALESFORCE_LOGIN_URL",
    "marketo": "MARKETO_BASE_URL",
    "gong": "GONG_BASE_URL",
    "hubspot": "HUBSPOT_BASE_URL",
}


class RemoteSandbox:
    """Same surface as `sandbox.serve.Sandbox` (env, stats, reset_stats, mutate), over HTTP."""

    def __init__(self, env: dict[str, str], pid: int) -> None:
        self.env = env
        self.pid = pid
        self._http = requests.Session()

    def admin_url(self, source: str) -> str:
        if source not in _URL_SETTINGS:
            raise ValueError(f"unknown source {source!r}; expected one of {SOURCES}")
        return f"{self.env[_URL_SETTINGS[source]]}/__sandbox"

    def _call(self, method: str, source: str, path: str, body: Any = None) -> Any:
        answer = self._http.request(
            method, f"{self.admin_url(source)}{path}", json=body, timeout=600
        )
        answer.raise_for_status()
        return answer.json()

    def stats(self, source: str) -> dict[str, Any]:
        return self._call("GET", source, "/stats")

    def reset_stats(self) -> None:
        for source in SOURCES:
            self._call("POST", source, "/stats/reset")

    def mutate(
        self, source: str, modify: int = 0, delete: int = 0, create: int = 0, seed: int = 0
    ) -> dict[str, Any]:
        spec = {"modify": modify, "delete": delete, "create": create, "seed": seed}
        return self._call("POST", source, "/mutate", spec)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "RemoteSandbox":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()  # the server itself runs on: it is not ours to stop


@contextmanager
def serving(
    data_dir: str | Path, *, enforce_limits: bool = False, clock_speed: float = 1.0
) -> Iterator[RemoteSandbox]:
    """`python -m sandbox serve` on free ports in a child process, stopped on exit."""
    command = [
        sys.executable,
        "-m",
        "sandbox",
        "serve",
        "--data",
        str(data_dir),
        "--port-base",
        "0",
    ]
    command += ["--clock-speed", str(clock_speed)]
    if enforce_limits:
        command.append("--enforce-limits")
    child = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        command,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        with RemoteSandbox(_read_exports(child), child.pid) as sandbox:
            yield sandbox
    finally:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def attached(serve_output: str | Path) -> RemoteSandbox:
    """The fakes of a `python -m sandbox serve` already running, from what it printed: a 1M
    world takes minutes to load, so measurements can share one long-lived server."""
    env, serving = _exports(Path(serve_output).read_text().splitlines())
    match = re.search(r"\(pid (\d+)\)", serving or "")
    if not match:
        raise RuntimeError(f"{serve_output} does not hold the output of a serving sandbox")
    return RemoteSandbox(env, int(match.group(1)))


def _exports(lines: Iterable[str]) -> tuple[dict[str, str], str | None]:
    """The `export NAME=value` lines the server prints, up to its `# sandbox serving` line
    (returned too; None if the lines end before it)."""
    env: dict[str, str] = {}
    for line in lines:
        line = line.strip()
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            env[name] = value
        elif line.startswith("# sandbox serving"):
            return env, line
    return env, None


def _read_exports(child: subprocess.Popen[str]) -> dict[str, str]:
    assert child.stdout is not None
    env, serving = _exports(child.stdout)
    if serving is None:
        raise RuntimeError(f"sandbox server exited before serving (exit code {child.wait()})")
    return env
