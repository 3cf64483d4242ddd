"""Turn a page of vendor records into raw rows and quarantine rows (never a silent drop)."""

import json
from typing import Any

from connectors.core.redact import redact
from connectors.core.timeutil import BadTimestamp, parse_datetime
from connectors.destinations.base import QuarantineRow, RawRow
from connectors.streams import Stream, dig


def to_json(record: Any) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def _safe(record: Any) -> str:
    """A quarantine payload that always stores: ASCII escapes where UTF-8 would fail."""
    text = to_json(record)
    return json.dumps(record, separators=(",", ":")) if _unencodable(text) else text


def _unencodable(text: str) -> str | None:
    """Why the text cannot be stored as UTF-8 (a lone surrogate from a JSON escape), or None."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"invalid UTF-8: {exc.reason} at character {exc.start}"
    return None


def split_page(stream: Stream, records: list[Any]) -> tuple[list[RawRow], list[QuarantineRow]]:
    """Each record becomes one raw row or one quarantine row: loaded + quarantined = sent."""
    rows: list[RawRow] = []
    quarantine: list[QuarantineRow] = []
    for record in records:
        if not isinstance(record, dict):
            quarantine.append(QuarantineRow("record is not a JSON object", redact(_safe(record))))
            continue
        text = to_json(record)
        if problem := _unencodable(text):
            # JSON allows "\ud800" escapes that no UTF-8 store accepts: keep it, escaped, aside.
            quarantine.append(QuarantineRow(problem, redact(_safe(record))))
            continue
        key = dig(record, stream.primary_key)
        if (
            key is None
            or (isinstance(key, str) and not key.strip())
            or isinstance(key, dict | list)
        ):
            reason = f"missing primary key {stream.primary_key}"
            quarantine.append(QuarantineRow(reason, redact(text)))
            continue
        cursor = None
        if stream.cursor_field is not None:
            value = dig(record, stream.cursor_field)
            try:
                cursor = parse_datetime(value)
            except BadTimestamp:
                reason = f"unparseable cursor {stream.cursor_field}: {value!r}"[:300]
                quarantine.append(QuarantineRow(reason, redact(text)))
                continue
        rows.append(RawRow(str(key), cursor, text))
    return rows, quarantine
