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
    # user:password@ in a URL or DSN
    re.compile(r"(://[^:/@\s]+:)[^@\s/]+(?=@)"),
]

# Secret variables read straight from the environment as a safety net: the connectors
# register their configured values, but a caller may format an error before that happens.
# Vendors declare theirs (register_secret_variable); names of this shape are secret anyway.
_SECRET_NAME = re.compile(r"(SECRET|PASSWORD|TOKEN|ACCESS_KEY|API_KEY|WEBHOOK_URL)$")
_secret_variables: set[str] = set()


def register_secret(value: str | None) -> None:
    """Remember a secret (configured credential or an access token received at run time)."""
    # Very short values would mask ordinary words; real secrets are longer.
    if value and len(value) >= 6:
        with _lock:
            _secrets.add(value)


def register_secret_variable(name: str) -> None:
    """An environment variable whose value is a secret wherever it appears."""
    with _lock:
        _secret_variables.add(name)


def _environment_secrets() -> list[str]:
    with _lock:
        names = set(_secret_variables)
    names.update(n for n in os.environ if _SECRET_NAME.search(n))
    values = [os.environ.get(n) for n in names]
    return [v for v in values if v and len(v) >= 6]


def redact(text: str) -> str:
    """`text` with known secrets, bearer/basic credentials and secret query values masked."""
    if not text:
        return text
    text = str(text)
    with _lock:
        known = set(_secrets)
    for value in sorted(known.union(_environment_secrets()), key=len, reverse=True):
        if value in text:
            text = text.replace(value, MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    return text
