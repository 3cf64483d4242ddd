"""Remove credentials from any text before it reaches a log, an exception or the warehouse."""

import os
import re
import threading

MASK = "***"

_lock = threading.Lock()
_secrets: set[str] = set()

# Patterns for credentials whose value we may not have registered (tokens of other processes).
_PATTERNS = [
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=:!-]+"),
    re.compile(r"(?i)(basic\s+)[A-Za-z0-9+/=]+"),
    re.compile(
        r"(?i)(\b(?:access_token|refresh_token|client_secret|password|secret|token)"
        r"[\"']?\s*[=:]\s*[\"']?)[^&\s\"',}]+"
    ),
]

# Secret variables read straight from the environment as a safety net: the connectors
# register their configured values, but a caller may format an error before that happens.
_ENV_SECRET_NAMES = (
    "SALESFORCE_CLIENT_SECRET",
    "SALESFORCE_PASSWORD",
    "MARKETO_CLIENT_SECRET",
    "GONG_ACCESS_KEY",
    "GONG_ACCESS_KEY_SECRET",
)


def register_secret(value: str | None) -> None:
    """Remember a secret (configured credential or an access token received at run time)."""
    # Very short values would mask ordinary words; real secrets are longer.
    if value and len(value) >= 6:
        with _lock:
            _secrets.add(value)


def redact(text: str) -> str:
    """`text` with known secrets, bearer/basic credentials and secret query values masked."""
    if not text:
        return text
    text = str(text)
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)
    env_values = [os.environ.get(name) for name in _ENV_SECRET_NAMES]
    for value in known + [v for v in env_values if v and len(v) >= 6]:
        if value in text:
            text = text.replace(value, MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    return text
