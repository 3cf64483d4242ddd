"""Count the faults the fakes actually inject, by kind, by wrapping each fake's dispatch.

The fakes' stats give status codes only; a truncated body or a dropped connection is a 200
there. The fakes run in the test process, so wrapping the instance method sees every answer.
"""

from collections import Counter
from typing import Any

_SMALL_BODY = 600  # vendor error bodies are short; data pages are not inspected


def _kind(response: Any) -> str | None:
    if response.drop:
        return "timeout_or_drop"
    if response.truncate:
        return "truncated_body"
    if response.status >= 500:
        return "server_error_5xx"
    body = response.body[:_SMALL_BODY] if len(response.body) <= _SMALL_BODY else b""
    if response.status == 429 or b"REQUEST_LIMIT_EXCEEDED" in body or b'"606"' in body:
        return "rate_limited_429"
    if response.status == 401 or b"INVALID_SESSION_ID" in body or b'"602"' in body:
        return "expired_token"
    return None


class FaultCounter:
    def __init__(self, sandbox: Any) -> None:
        self.counts: Counter[str] = Counter()
        self._fakes = dict(sandbox.fakes)
        for fake in self._fakes.values():
            original = fake.dispatch

            def counted(request: Any, _original: Any = original) -> Any:
                response = _original(request)
                kind = _kind(response)
                if kind is not None and not request.path.startswith("/__sandbox"):
                    self.counts[kind] += 1
                return response

            fake.dispatch = counted

    def finish(self) -> Counter[str]:
        """Add the one-shot faults (schema drift, mutation) the fakes report as flags."""
        for source, fake in self._fakes.items():
            if getattr(fake, "drift_active", False):
                self.counts["schema_drift"] += 1
            if getattr(fake, "mutated_by_fault", False):
                self.counts[f"mutated_during_extraction_{source}"] += 1
        return self.counts
