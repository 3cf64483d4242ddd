"""What to fix when a rule fails, in the words the person who fixes it needs.

A rule may carry a `fix:` block in its suite file naming the canonical field, the seed file
that configures it and, for picklists, the raw column whose labels mapped to nothing. When
such a rule fails, the runner adds a message to its result that names the field, lists the
unmapped labels with their counts and says which seed file to edit (docs/configure.md), so a
blocked publish says what to do instead of only that a share was too low.
"""

import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

LABELS_SHOWN = 10
# The canonical values a picklist label can be mapped to (contracts 5.2).
CANONICAL_VALUES = {
    "budget_status": ("confirmed", "estimated", "none", "unknown"),
    "authority": ("decision_maker", "influencer", "user", "unknown"),
    "handoff_status": ("accepted", "rejected"),
}
_KEYS = {"field", "seed", "unmapped_labels", "missing_fields"}


@dataclass(frozen=True)
class Fix:
    field: str  # the canonical field the rule checks
    seed: str  # the seed file, relative to the repository, that configures it
    unmapped_labels: str | None = None  # raw column: list its labels that mapped to nothing
    missing_fields: str | None = None  # column naming org fields: list those of failing rows


def parse_fix(raw: Any, where: str) -> Fix:
    """The `fix:` block of a rule; a ValueError names what is wrong."""
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}: fix must be a mapping with keys {sorted(_KEYS)}")
    unknown = set(raw) - _KEYS
    if unknown:
        allowed = sorted(_KEYS)
        raise ValueError(f"{where}: fix has unknown keys {sorted(unknown)}, allowed {allowed}")
    for key in ("field", "seed"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise ValueError(f"{where}: fix needs {key} (a non-empty string)")
    for key in ("unmapped_labels", "missing_fields"):
        if raw.get(key) is not None and not isinstance(raw[key], str):
            raise ValueError(f"{where}: fix.{key} must name a column")
    return Fix(
        field=raw["field"],
        seed=raw["seed"],
        unmapped_labels=raw.get("unmapped_labels"),
        missing_fields=raw.get("missing_fields"),
    )


def _label(value: object) -> str:
    """A label as the mapping compares it: NFKC and trimmed (case kept)."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def describe(
    fix: Fix,
    column: str,
    frame: pd.DataFrame,
    failing: int | None = None,
    key_column: str | None = None,
) -> str:
    """The message for a failed rule on `column` of the validated table; `failing` is the
    rule's count of failing rows (default: the rows where the column is NULL), `key_column`
    the suite's id column (named beside each missing field)."""
    if fix.missing_fields is not None and fix.missing_fields in frame.columns:
        return _missing_fields(fix, column, frame, key_column)
    total = len(frame)
    missing = frame[column].isna() if column in frame.columns else pd.Series(False, frame.index)
    count = int(missing.sum()) if failing is None else failing
    share = f" ({count / total:.0%})" if total else ""
    head = f"{fix.field}: {count} of {total} rows{share} have no valid {fix.field}."
    if fix.unmapped_labels is None or fix.unmapped_labels not in frame.columns:
        return (
            f"{head} Check the row for {fix.field} in {fix.seed}: the org field it names must "
            f"exist and hold {fix.field} (docs/configure.md), then re-run the pipeline."
        )
    labels = Counter(_label(v) for v in frame.loc[missing, fix.unmapped_labels])
    blank = labels.pop("", 0)
    listed = ", ".join(f"'{label}' ({n})" for label, n in labels.most_common(LABELS_SHOWN))
    more = len(labels) - LABELS_SHOWN
    parts = [head]
    if labels:
        parts.append(
            f"Unmapped labels (count): {listed}" + (f" and {more} more" if more > 0 else "") + "."
        )
    if blank:
        parts.append(f"{blank} blank.")
    values = "|".join(CANONICAL_VALUES.get(fix.field, ("<canonical value>",)))
    parts.append(
        f"Fix: add a row `{fix.field},<label>,<{values}>` per label to {fix.seed} "
        f"(docs/configure.md), then re-run the pipeline (or `dbt build -s "
        f"{fix.seed.rsplit('/', 1)[-1].removesuffix('.csv')}+`)."
    )
    return " ".join(parts)


def _missing_fields(fix: Fix, column: str, frame: pd.DataFrame, key_column: str | None) -> str:
    """A rule on a flag column (true = fine): the org fields named by the failing rows."""
    failing = frame[~frame[column].fillna(False).astype(bool)]
    names = ", ".join(
        f"'{row[fix.missing_fields]}'" + (f" ({row[key_column]})" if key_column else "")
        for _, row in failing.iterrows()
    )
    return (
        f"{fix.field}: {len(failing)} of {len(frame)} rows name an org field no record has: "
        f"{names}. Fix: put the API names your org uses for these fields in {fix.seed} "
        f"(docs/configure.md), then re-run the pipeline."
    )
