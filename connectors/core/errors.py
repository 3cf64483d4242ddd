"""Exception types the HTTP core and the sources raise. Messages are always redacted."""

from connectors.core.redact import redact


class ConnectorError(Exception):
    """Base class; the message passes through redact() so it is safe to log."""

    def __init__(self, message: str) -> None:
        super().__init__(redact(message))


class RetryableError(ConnectorError):
    """Transient trouble (5xx, timeout, truncated body, throttling): try again after a pause."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimitedError(RetryableError):
    """The vendor said slow down (429, Marketo 606/615, Salesforce REQUEST_LIMIT_EXCEEDED)."""


class TokenExpiredError(RetryableError):
    """The access token is invalid or expired: fetch a new one, then retry."""


class VendorError(ConnectorError):
    """A permanent error (bad request, bad credentials, quota spent): do not retry.

    `errors`: the vendor's own error codes and their messages (redacted), where the answer
    gave them (Marketo's `errors` list), so callers decide on codes rather than on our text."""

    def __init__(self, message: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.errors = {code: redact(text) for code, text in (errors or {}).items()}

    def says(self, code: str, *words: str) -> bool:
        """Whether the vendor answered `code` with a message holding every one of `words`
        (Marketo gives one code, 1029, for a full export queue and a spent export quota)."""
        text = self.errors.get(code)
        return text is not None and all(word in text.lower() for word in words)


class ConfigurationError(VendorError):
    """A setting is wrong (credentials, base URL): the message names the variables to fix."""

    def __init__(self, message: str, settings: tuple[str, ...]) -> None:
        super().__init__(f"{message}; check {', '.join(settings)}")
        self.settings = settings


class UnreachableError(RetryableError):
    """No connection to the vendor's host: maybe a blip, maybe a wrong base URL."""


class QuotaExhaustedError(VendorError):
    """The vendor's daily API quota is spent; retrying today would only make it worse."""


class UntrustedOriginError(VendorError):
    """A vendor answer pointed somewhere other than the vendor's origin: nothing was sent."""


class ResponseDeadlineError(RetryableError):
    """An answer did not complete within its total deadline (a stalled or trickling body)."""
