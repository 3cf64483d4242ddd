"""Throwaway environments holding the DuckDB builds BI tools embed, cached between runs.

Each environment is installed from the package registry by its ordinary client (pip into a
separate venv, npm into a separate prefix) and reused while its requirements are unchanged:
the cache key is the requirement list, and a marker file is written only after a complete
install, so an interrupted install is redone. CI starts from a clean clone and installs each
one once per run (a few seconds per wheel).

A failed install fails the test, unless the registry itself cannot be reached: then the test
is skipped with that reason (a developer's machine offline); the pip and npm checks below ask
the registry directly, so a typo in a version never hides behind a skip.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

import pytest
from filelock import FileLock

REPO_ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = Path(os.environ.get("BI_COMPAT_CACHE_DIR", REPO_ROOT / ".cache" / "bi-compat"))
INSTALL_TIMEOUT_S = 300
PROBE_TIMEOUT_S = 15
_MARKER = ".installed.json"


def _key(kind: str, requirements: Sequence[str]) -> Path:
    digest = hashlib.sha256("\n".join([kind, *requirements]).encode()).hexdigest()[:12]
    label = re.sub(r"[^A-Za-z0-9.]+", "-", "-".join(requirements)).strip("-")
    return CACHE_DIR / f"{kind}-{label[:60]}-{digest}"


def _cached(directory: Path, requirements: Sequence[str]) -> bool:
    marker = directory / _MARKER
    return marker.exists() and json.loads(marker.read_text()) == list(requirements)


def _mark(directory: Path, requirements: Sequence[str]) -> None:
    (directory / _MARKER).write_text(json.dumps(list(requirements)))


def _run(command: Sequence[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
        timeout=INSTALL_TIMEOUT_S,
        **kwargs,  # type: ignore[arg-type]
    )


def _one_builder(directory: Path) -> FileLock:
    """Held while an environment is checked and built: `make test` runs test files in several
    processes, and two of them may want the same one."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    return FileLock(f"{directory}.lock", timeout=2 * INSTALL_TIMEOUT_S)


def python_env(*requirements: str) -> Path:
    """A venv of its own with exactly `requirements` (pip from the test's environment installs
    into it: `pip --python`); returns its python executable."""
    directory = _key("py", requirements)
    with _one_builder(directory):
        return _python_env(directory, requirements)


def _python_env(directory: Path, requirements: Sequence[str]) -> Path:
    python = directory / "bin" / "python"
    if _cached(directory, requirements):
        return python
    shutil.rmtree(directory, ignore_errors=True)
    base = getattr(sys, "_base_executable", sys.executable)
    created = _run([base, "-m", "venv", "--without-pip", str(directory)])
    assert created.returncode == 0, created.stderr
    installed = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--retries",
            "2",
            "--timeout",
            str(PROBE_TIMEOUT_S),
            *requirements,
        ]
    )
    if installed.returncode != 0:
        shutil.rmtree(directory, ignore_errors=True)
        _skip_if_pypi_unreachable()
        pytest.fail(f"pip install {' '.join(requirements)} failed:\n{installed.stderr[-3000:]}")
    _mark(directory, requirements)
    return python


def node_env(*packages: str, overrides: dict[str, str] | None = None) -> Path:
    """An npm prefix of its own with `packages` installed (npm `overrides` pin a dependency's
    version, as an app's package.json would); returns its node_modules folder."""
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        pytest.skip("Node.js/npm is not installed on this machine (apt-get install nodejs npm)")
    pinned = [f"override:{name}@{version}" for name, version in (overrides or {}).items()]
    key = (*packages, *pinned)
    directory = _key("npm", key)
    with _one_builder(directory):
        return _node_env(directory, key, packages, overrides or {}, npm)


def _node_env(
    directory: Path,
    key: Sequence[str],
    packages: Sequence[str],
    overrides: dict[str, str],
    npm: str,
) -> Path:
    if _cached(directory, key):
        return directory / "node_modules"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    manifest = {"name": "bi-compat", "private": True, "overrides": overrides}
    (directory / "package.json").write_text(json.dumps(manifest))
    installed = _run(
        [npm, "install", "--no-audit", "--no-fund", "--no-save", "--loglevel=error", *packages],
        cwd=directory,
    )
    if installed.returncode != 0:
        shutil.rmtree(directory, ignore_errors=True)
        pinged = _run([npm, "ping"], cwd=REPO_ROOT)
        if pinged.returncode != 0:
            pytest.skip(f"the npm registry is unreachable: {pinged.stderr.strip()[-300:]}")
        pytest.fail(f"npm install {' '.join(packages)} failed:\n{installed.stderr[-3000:]}")
    _mark(directory, key)
    return directory / "node_modules"


def _pip_index_url() -> str:
    configured = _run([sys.executable, "-m", "pip", "config", "get", "global.index-url"])
    value = os.environ.get("PIP_INDEX_URL") or configured.stdout.strip()
    return value or "https://pypi.org/simple"


def _skip_if_pypi_unreachable() -> None:
    url = _pip_index_url().rstrip("/") + "/duckdb/"
    try:
        with urllib.request.urlopen(url, timeout=PROBE_TIMEOUT_S) as answer:  # noqa: S310
            answer.read(1)
    except (urllib.error.URLError, OSError) as exc:
        if isinstance(exc, urllib.error.HTTPError) and exc.code < 500:
            return  # the registry answered: the install failure is real
        pytest.skip(f"the package index {url} is unreachable: {exc}")
