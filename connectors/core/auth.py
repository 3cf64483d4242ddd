"""Authenticators the HTTP client asks for headers: a cached access token, or HTTP Basic."""

import base64
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from connectors.core.redact import register_secret

if TYPE_CHECKING:
    from connectors.core.http import HttpClient


@dataclass(frozen=True)
class Token:
    value: str
    expires_in: float | None = None  # seconds; None = until the vendor refuses it


# Refresh a little early so a token never expires between send and arrival.
REFRESH_MARGIN_SECONDS = 30.0


class TokenCache:
    """An access token fetched on first use and again when refused or close to expiry.

    `fetch` performs the vendor's token request (through the client, unauthenticated) and
    raises a ConfigurationError naming the settings when the vendor refuses the credentials.
    """

    def __init__(self, fetch: Callable[["HttpClient"], Token]) -> None:
        self._fetch = fetch
        self._token: str | None = None
        self._expires_at = float("inf")
        self._lock = threading.Lock()

    def headers(self, client: "HttpClient") -> dict[str, str]:
        with self._lock:
            if self._token is None or time.monotonic() > self._expires_at - REFRESH_MARGIN_SECONDS:
                token = self._fetch(client)
                register_secret(token.value)
                self._token = token.value
                self._expires_at = (
                    time.monotonic() + token.expires_in
                    if token.expires_in is not None
                    else float("inf")
                )
            return {"Authorization": f"Bearer {self._token}"}

    def invalidate(self) -> None:
        with self._lock:
            self._token = None


def form_token_request(
    client: "HttpClient",
    url: str,
    form: dict[str, str],
    refused: Callable[[int, object], Exception],
) -> dict[str, Any]:
    """POST an OAuth form (secrets in the body, never in a URL) and return the answer, which
    holds an `access_token`; any other answer raises `refused(status, body)`."""
    response = client.request("POST", url, authenticated=False, data=form)
    body = response.body
    if response.status != 200 or not isinstance(body, dict) or "access_token" not in body:
        raise refused(response.status, body)
    return body


class BasicAuth:
    """HTTP Basic: credentials that do not expire, so there is nothing to refresh."""

    def __init__(self, user: str, password: str) -> None:
        self._value = base64.b64encode(f"{user}:{password}".encode()).decode()
        register_secret(self._value)

    def headers(self, client: "HttpClient") -> dict[str, str]:
        return {"Authorization": f"Basic {self._value}"}

    def invalidate(self) -> None:
        """Nothing to refresh."""
