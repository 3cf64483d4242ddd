"""A listener on another loopback port that stands for an attacker's host.

Hostile fakes point next-page URLs, instance URLs and redirects here. It records every
request that reaches it (method, path, whether it carried credentials) and answers with a
plausible page of records, so a connector that followed it would also land its answer: both
show up in the hostile scoreboard (requests must be 0, nothing of it may land).
"""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# A page every vendor's reader would take for data (Salesforce, Marketo and Gong shapes).
BAIT = {
    "totalSize": 1,
    "done": True,
    "records": [{"Id": "00QFOREIGN00000001", "SystemModstamp": "2026-01-01T00:00:00.000+0000"}],
    "success": True,
    "result": [
        {"id": 999999999, "marketoGUID": "foreign-1", "activityDate": "2026-01-01T00:00:00Z"}
    ],
    "moreResult": False,
    "calls": [{"metaData": {"id": "999999999", "started": "2026-01-01T00:00:00Z"}}],
    "users": [{"id": "999999999"}],
}
BAIT_IDS = ("00QFOREIGN00000001", "999999999", "foreign-1")


@dataclass(frozen=True)
class Reached:
    method: str
    path: str
    with_credentials: bool


class ForeignListener:
    def __init__(self) -> None:
        self.requests: list[Reached] = []
        self._lock = threading.Lock()
        listener = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                with listener._lock:
                    listener.requests.append(
                        Reached(self.command, self.path, "Authorization" in self.headers)
                    )
                body = json.dumps(BAIT).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def count(self) -> int:
        with self._lock:
            return len(self.requests)


@contextmanager
def foreign_listener() -> Iterator[ForeignListener]:
    listener = ForeignListener()
    listener.start()
    try:
        yield listener
    finally:
        listener.stop()
