"""Loading the data directory (contracts section 2) and small helpers for record ids."""

import json
from pathlib import Path
from typing import Any


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
    return records


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
