"""A tiny scripted HTTP server for unit tests (free port, no network)."""

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

# A handler gets (method, path, query, headers, body) and returns (status, headers, body).
# body may be bytes (sent raw; a "Content-Length" header in headers overrides the real one).
Handler = Callable[[str, str, dict[str, list[str]], dict[str, str], bytes], tuple[int, dict, Any]]


class Stub:
    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Handler] = {}
        self.faults: dict[tuple[str, str], list[tuple[int, dict, Any]]] = {}
        self.log: list[tuple[str, str, dict[str, str]]] = []
        self.base_url = ""

    def route(self, method: str, path: str, handler: Handler) -> None:
        self.routes[(method, path)] = handler

    def fail_next(self, method: str, path: str, *answers: tuple[int, dict, Any]) -> None:
        """Answer the next calls of this route with these (status, headers, body) first."""
        self.faults.setdefault((method, path), []).extend(answers)


@contextmanager
def serve(stub: Stub) -> Iterator[Stub]:
    class _Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _do(self) -> None:
            parts = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k: v for k, v in self.headers.items()}
            stub.log.append((self.command, parts.path, headers))
            key = (self.command, parts.path)
            if stub.faults.get(key):
                status, extra, payload = stub.faults[key].pop(0)
            elif key in stub.routes:
                status, extra, payload = stub.routes[key](
                    self.command, parts.path, parse_qs(parts.query), headers, body
                )
            else:
                status, extra, payload = 404, {}, {"error": "no route"}
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            if "Content-Length" not in extra:
                self.send_header("Content-Length", str(len(data)))
            for k, v in extra.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
            if "Content-Length" in extra:
                self.close_connection = True

        do_GET = _do
        do_POST = _do

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stub.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
