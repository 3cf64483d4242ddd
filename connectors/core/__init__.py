"""Shared connector machinery: redaction, HTTP with retries and rate limits, time parsing."""

from connectors.core.redact import redact, register_secret

__all__ = ["redact", "register_secret"]
