"""Loading the data directory (contracts section 2) and small helpers for record ids."""

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any


def _interned_keys(record: dict[str, Any]) -> dict[str, Any]:
    # Every line otherwise brings its own copy of each field name: ~40 % of a fake's memory.
    return {sys.intern(key): value for key, value in record.items()}


def iter_jsonl(
    path: Path, object_hook: Callable[[dict[str, Any]], Any] | None = _interned_keys
) -> Iterator[dict[str, Any]]:
    """One record per line (blank lines skipped), without holding the file in memory.
    `object_hook` (json's) sees every object of a line, innermost first; None keeps json's
    plain dicts (records that only pass through need no interned keys)."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield json.loads(line, object_hook=object_hook)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return list(iter_jsonl(path))


def read_manifest(data_dir: Path) -> dict[str, Any]:
    path = data_dir / "manifest.json"
    if not path.exists():
        raise FileNotFoundError(f"{data_dir} is not a sandbox data directory: no manifest.json")
    return json.loads(path.read_text(encoding="utf-8"))


def drop_nulls(value: Any) -> Any:
    """Omit null-valued keys (recursively): the vendors' specs type these fields as non-null,
    so a field without a value is absent rather than null (see sandbox/README.md)."""
    if isinstance(value, dict):
        return {k: drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_nulls(item) for item in value]
    return value


def without_nulls(record: dict[str, Any]) -> dict[str, Any]:
    """drop_nulls as an iter_jsonl object_hook, for records only parsed to be re-serialised:
    inner objects arrive first, so one level per object suffices (and it is ~2x faster)."""
    return {k: v for k, v in record.items() if v is not None}
