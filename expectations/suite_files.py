"""Suites as files: parse and check the YAML an analyst edits, without importing GX.

One file per suite in expectations/suites/. Each rule names a GX expectation (snake_case,
as in the GX gallery), its keyword arguments, a `mostly` threshold and a severity. Loading is
strict: an unknown key, a bad severity or a duplicate rule name is an error naming the file
and rule, never a silently ignored rule.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from expectations.remedies import Fix, parse_fix

SUITES_DIR = Path(__file__).resolve().parent / "suites"
SEVERITIES = ("error", "warn")
DERIVATIONS = ("handoff_fields", "extraction_age")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_SUITE_KEYS = {
    "suite",
    "description",
    "table",
    "asset_key",
    "id_column",
    "columns",
    "derive",
    "rules",
    "incremental_by",
}
_RULE_KEYS = {"name", "expectation", "kwargs", "mostly", "severity", "description", "fix"}


class SuiteConfigError(ValueError):
    """A suite file that cannot be used as written."""


@dataclass(frozen=True)
class RuleConfig:
    name: str
    expectation: str
    kwargs: Mapping[str, Any]
    severity: str
    mostly: float | None = None
    description: str = ""
    fix: Fix | None = None  # what to tell the person who fixes a failure (remedies.py)

    @property
    def column(self) -> str:
        """The column (or column pair) the rule is about, for reports."""
        if "column" in self.kwargs:
            return str(self.kwargs["column"])
        if "column_A" in self.kwargs:
            return f"{self.kwargs['column_A']},{self.kwargs['column_B']}"
        if "column_list" in self.kwargs:
            return ",".join(self.kwargs["column_list"])
        return ""

    @property
    def expectation_class(self) -> str:
        """`expect_column_values_to_not_be_null` -> `ExpectColumnValuesToNotBeNull`."""
        return "".join(part.capitalize() for part in self.expectation.split("_"))


@dataclass(frozen=True)
class SuiteConfig:
    name: str
    table: str
    asset_key: tuple[str, ...]
    id_column: str | None
    rules: tuple[RuleConfig, ...]
    columns: tuple[str, ...] | None = None
    derive: tuple[str, ...] = ()
    description: str = ""
    # A column that grows with every landed row (raw `_load_seq`): each run validates the
    # rows above the last run's mark (dq.validation_marks), not the whole append-only table.
    incremental_by: str | None = None
    source: Path | None = field(default=None, compare=False)

    def rule(self, name: str) -> RuleConfig:
        for rule in self.rules:
            if rule.name == name:
                return rule
        raise KeyError(f"suite {self.name!r} has no rule {name!r}")

    def select_sql(self, validated_through: int | None = None) -> str:
        """The query that reads what the rules need (raw tables are wide: never `_raw`).

        With `incremental_by` and a mark: the rows above the mark, plus the newest row so a
        freshness rule still measures something when nothing landed. A mark above every row
        (the table was rebuilt) reads the whole table again.
        """
        table = _qualified(self.table)
        if self.incremental_by is None or validated_through is None:
            cols = "*" if not self.columns else ", ".join(_quote(c) for c in self.columns)
            return f"select {cols} from {table}"
        cols = "t.*" if not self.columns else ", ".join(f"t.{_quote(c)}" for c in self.columns)
        key, mark = _quote(self.incremental_by), int(validated_through)
        return (
            f"with top as (select max({key}) as seq from {table})"
            f" select {cols} from {table} as t cross join top"
            f" where t.{key} > {mark} or t.{key} = top.seq or top.seq < {mark}"
        )


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _qualified(table: str) -> str:
    parts = table.split(".")
    if not 1 <= len(parts) <= 2 or not all(parts):
        raise SuiteConfigError(f"table must be 'schema.name', not {table!r}")
    return ".".join(_quote(p) for p in parts)


def _fail(where: str, message: str) -> SuiteConfigError:
    return SuiteConfigError(f"{where}: {message}")


def _parse_rule(raw: Any, where: str) -> RuleConfig:
    if not isinstance(raw, Mapping):
        raise _fail(where, "a rule must be a mapping")
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise _fail(where, f"unknown keys {sorted(unknown)} (allowed: {sorted(_RULE_KEYS)})")
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise _fail(where, f"rule name must match {_NAME.pattern}, got {name!r}")
    where = f"{where} ({name})"
    expectation = raw.get("expectation")
    if not isinstance(expectation, str) or not expectation.startswith("expect_"):
        raise _fail(where, f"expectation must be a GX name like expect_..., got {expectation!r}")
    severity = raw.get("severity")
    if severity not in SEVERITIES:
        raise _fail(where, f"severity must be one of {SEVERITIES}, got {severity!r}")
    mostly = raw.get("mostly")
    if mostly is not None and (
        isinstance(mostly, bool) or not isinstance(mostly, int | float) or not 0 <= mostly <= 1
    ):
        raise _fail(where, f"mostly must be a number between 0 and 1, got {mostly!r}")
    kwargs = raw.get("kwargs") or {}
    if not isinstance(kwargs, Mapping):
        raise _fail(where, "kwargs must be a mapping")
    if "mostly" in kwargs or "meta" in kwargs:
        raise _fail(where, "set mostly at the rule level; meta is reserved for the runner")
    try:
        fix = None if raw.get("fix") is None else parse_fix(raw["fix"], where)
    except ValueError as exc:
        raise SuiteConfigError(str(exc)) from exc
    return RuleConfig(
        name=name,
        expectation=expectation,
        kwargs=dict(kwargs),
        severity=severity,
        mostly=None if mostly is None else float(mostly),
        description=str(raw.get("description") or ""),
        fix=fix,
    )


def parse_suite(raw: Any, source: str = "<suite>") -> SuiteConfig:
    if not isinstance(raw, Mapping):
        raise _fail(source, "a suite file must be a mapping")
    # `x-...` keys hold YAML anchors shared by rules (e.g. the placeholder list).
    unknown = {k for k in raw if not str(k).startswith("x-")} - _SUITE_KEYS
    if unknown:
        raise _fail(source, f"unknown keys {sorted(unknown)} (allowed: {sorted(_SUITE_KEYS)})")
    name = raw.get("suite")
    if not isinstance(name, str) or not _NAME.match(name):
        raise _fail(source, f"suite must match {_NAME.pattern}, got {name!r}")
    table = raw.get("table")
    if not isinstance(table, str):
        raise _fail(source, "table is required")
    _qualified(table)
    asset_key = raw.get("asset_key")
    if not isinstance(asset_key, Sequence) or isinstance(asset_key, str) or not asset_key:
        raise _fail(source, "asset_key must be a list of strings, e.g. [marts, fct_handoffs]")
    derive = tuple(raw.get("derive") or ())
    bad = [d for d in derive if d not in DERIVATIONS]
    if bad:
        raise _fail(source, f"unknown derivations {bad} (known: {DERIVATIONS})")
    raw_rules = raw.get("rules")
    if not isinstance(raw_rules, Sequence) or not raw_rules:
        raise _fail(source, "rules must be a non-empty list")
    rules = tuple(_parse_rule(r, f"{source} rule {i + 1}") for i, r in enumerate(raw_rules))
    names = [r.name for r in rules]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise _fail(source, f"duplicate rule names {duplicates}")
    columns = raw.get("columns")
    incremental_by = raw.get("incremental_by")
    if incremental_by is not None and (
        not isinstance(incremental_by, str) or (columns and incremental_by not in columns)
    ):
        raise _fail(source, f"incremental_by must name one of the read columns: {incremental_by!r}")
    return SuiteConfig(
        name=name,
        table=table,
        asset_key=tuple(str(p) for p in asset_key),
        id_column=raw.get("id_column"),
        rules=rules,
        columns=tuple(columns) if columns else None,
        derive=derive,
        description=str(raw.get("description") or ""),
        incremental_by=incremental_by,
    )


def load_suite(path: Path) -> SuiteConfig:
    with path.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    suite = parse_suite(raw, source=str(path))
    return SuiteConfig(**{**suite.__dict__, "source": path})


def load_suites(directory: Path = SUITES_DIR) -> list[SuiteConfig]:
    suites = [load_suite(p) for p in sorted(directory.glob("*.yml"))]
    names = [s.name for s in suites]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SuiteConfigError(f"{directory}: duplicate suite names {duplicates}")
    return suites
