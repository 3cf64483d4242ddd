"""Checks for setting values: each returns the parsed value or raises a ConfigurationError
naming the variable and what it expects. A wrong setting is never retried."""

import math
import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from connectors.core.errors import ConfigurationError

if TYPE_CHECKING:
    from connectors.core.vendor import ParseSetting


def _bad(variable: str, expected: str, value: str, *, secret: bool = False) -> ConfigurationError:
    shown = "(hidden)" if secret else repr(value)[:120]
    return ConfigurationError(f"{variable} must be {expected}, not {shown}", (variable,))


def text(variable: str, value: str) -> str:
    if not value.strip() or any(c in value for c in "\r\n\x00"):
        raise _bad(variable, "a non-empty single line", value)
    return value.strip()


def secret_text(variable: str, value: str) -> str:
    if not value or any(c in value for c in "\r\n\x00"):
        raise _bad(variable, "a non-empty single line", value, secret=True)
    return value


def url(variable: str, value: str) -> str:
    """An http(s) origin or base URL without credentials, query or fragment."""
    parts = urlsplit(value.strip())
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise _bad(variable, "a URL with a numeric port", value) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _bad(variable, "an http(s) URL such as https://host.example.com", value)
    if parts.username or parts.password or parts.query or parts.fragment:
        raise _bad(variable, "a URL without credentials, query or fragment", value, secret=True)
    return value.strip().rstrip("/")


def _number(variable: str, value: str, expected: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise _bad(variable, expected, value) from None
    if not math.isfinite(number):
        raise _bad(variable, expected, value)
    return number


def positive_number(variable: str, value: str) -> float:
    number = _number(variable, value, "a number > 0")
    if number <= 0:
        raise _bad(variable, "a number > 0", value)
    return number


def non_negative_number(variable: str, value: str) -> float:
    number = _number(variable, value, "a number >= 0")
    if number < 0:
        raise _bad(variable, "a number >= 0", value)
    return number


def positive_int(variable: str, value: str) -> int:
    number = _number(variable, value, "a whole number > 0")
    if number <= 0 or number != int(number):
        raise _bad(variable, "a whole number > 0", value)
    return int(number)


def non_negative_int(variable: str, value: str) -> int:
    number = _number(variable, value, "a whole number >= 0")
    if number < 0 or number != int(number):
        raise _bad(variable, "a whole number >= 0", value)
    return int(number)


def id_list(variable: str, value: str) -> tuple[int, ...]:
    """Whole numbers > 0 separated by commas (Marketo activity type ids), or `none` (an empty
    variable means the default, as for every setting)."""
    if value.strip().lower() == "none":
        return ()
    parts = [p.strip() for p in value.split(",")]
    if not all(p.isdigit() and int(p) > 0 for p in parts):
        raise _bad(variable, "whole numbers > 0 separated by commas, or none", value)
    return tuple(dict.fromkeys(int(p) for p in parts))


def share(variable: str, value: str) -> float:
    number = _number(variable, value, "a share between 0 and 1")
    if not 0 <= number <= 1:
        raise _bad(variable, "a share between 0 and 1", value)
    return number


_API_VERSION = re.compile(r"^\d{2,3}\.\d$")


def api_version(variable: str, value: str) -> str:
    if not _API_VERSION.match(value.strip()):
        raise _bad(variable, "an API version such as 62.0", value)
    return value.strip()


_MEMORY = re.compile(r"^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)


def memory_size(variable: str, value: str) -> str:
    if not _MEMORY.match(value):
        raise _bad(variable, "a memory size such as 256MB or 1GiB", value)
    return value.strip()


def choice(*allowed: str) -> "ParseSetting":
    """A check accepting one of `allowed` (case-insensitive)."""

    def parse(variable: str, value: str) -> str:
        picked = value.strip().lower()
        if picked not in allowed:
            raise _bad(variable, f"one of {', '.join(allowed)}", value)
        return picked

    return parse
