"""A vendor host that refuses connections is reported within seconds, naming the setting."""

import socket
import time
from pathlib import Path

import pytest

from connectors.core.errors import UnreachableError
from connectors.landing.duckdb import DuckDBDestination
from connectors.run import close_readers, extract_stream


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nothing listens there once closed


@pytest.mark.parametrize(
    ("source", "stream", "setting"),
    [("gong", "users", "GONG_BASE_URL"), ("marketo", "activity_types", "MARKETO_BASE_URL")],
)
def test_operations_unreachable_host_fails_fast_naming_its_setting(
    tmp_path: Path, source: str, stream: str, setting: str
) -> None:
    close_readers()
    env = {setting: f"http://127.0.0.1:{_closed_port()}", "CONNECTORS_BACKOFF_MAX": "30"}
    started = time.monotonic()
    with pytest.raises(UnreachableError) as failure:
        extract_stream(
            source, stream, destination=DuckDBDestination(tmp_path / "w.duckdb"), run_id="r",
            env=env,
        )  # fmt: skip
    close_readers()
    assert time.monotonic() - started < 10  # 3 tries, short backoff: not minutes
    assert f"check {setting}" in str(failure.value)
