"""A SOQL subset: SELECT fields FROM Object [WHERE a op b AND ...] [ORDER BY ...] [LIMIT n].

Enough for incremental extraction. Field names are case-insensitive and resolved against the
object's describe, so an unknown field is an INVALID_FIELD error as in Salesforce.
"""

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

OPERATORS = ("=", "!=", "<", "<=", ">", ">=")
NUMERIC_TYPES = {"int", "double", "currency", "percent"}
DATETIME_TYPES = {"datetime"}
DATE_TYPES = {"date"}
BOOLEAN_TYPES = {"boolean"}


class SoqlError(Exception):
    """`code` is the Salesforce errorCode: MALFORMED_QUERY, INVALID_FIELD or INVALID_TYPE."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Literal:
    kind: str  # string, number, boolean, null, datetime, date
    value: Any


@dataclass(frozen=True)
class Condition:
    field: str
    op: str  # one of OPERATORS or "in" / "not in"
    literal: Literal | tuple[Literal, ...]


@dataclass(frozen=True)
class OrderKey:
    field: str
    descending: bool = False
    nulls_last: bool | None = None  # None: Salesforce default (nulls first ASC, last DESC)


@dataclass
class Query:
    fields: list[str]
    sobject: str
    where: list[Condition] = field(default_factory=list)
    order_by: list[OrderKey] = field(default_factory=list)
    limit: int | None = None
    offset: int = 0
    count: bool = False  # SELECT COUNT(): only totalSize is answered


_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<string>'(?:[^'\\]|\\.)*')
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2}))
  | (?P<date>\d{4}-\d{2}-\d{2})
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<op><=|>=|!=|<>|=|<|>)
  | (?P<punct>[(),])
  | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
    """,
    re.VERBOSE,
)

KEYWORDS = {
    "SELECT",
    "FROM",
    "WHERE",
    "AND",
    "OR",
    "NOT",
    "ORDER",
    "BY",
    "ASC",
    "DESC",
    "LIMIT",
    "OFFSET",
    "NULLS",
    "FIRST",
    "LAST",
    "IN",
    "TRUE",
    "FALSE",
    "NULL",
}


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise SoqlError(
                "MALFORMED_QUERY",
                f"unexpected character at position {position}: {text[position : position + 20]!r}",
            )
        kind = match.lastgroup
        assert kind is not None
        if kind != "ws":
            tokens.append((kind, match.group()))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.position = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def peek_keyword(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "word" and token[1].upper() in words

    def next(self, expected: str = "token") -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise SoqlError("MALFORMED_QUERY", f"unexpected end of query, expected {expected}")
        self.position += 1
        return token

    def keyword(self, word: str) -> None:
        kind, value = self.next(word)
        if kind != "word" or value.upper() != word:
            raise SoqlError("MALFORMED_QUERY", f"expected {word}, found {value!r}")

    def identifier(self) -> str:
        kind, value = self.next("a field name")
        if kind != "word" or value.upper() in KEYWORDS:
            raise SoqlError("MALFORMED_QUERY", f"expected a field name, found {value!r}")
        return value

    def punct(self, char: str) -> bool:
        token = self.peek()
        if token == ("punct", char):
            self.position += 1
            return True
        return False

    def parse(self) -> Query:
        self.keyword("SELECT")
        count = False
        token = self.peek()
        if token is not None and token[0] == "word" and token[1].upper() == "COUNT":
            self.position += 1
            if not (self.punct("(") and self.punct(")")):
                raise SoqlError("MALFORMED_QUERY", "only COUNT() is supported by the sandbox")
            fields, count = ["Id"], True
        else:
            fields = [self.identifier()]
            while self.punct(","):
                fields.append(self.identifier())
        self.keyword("FROM")
        query = Query(fields=fields, sobject=self.identifier(), count=count)
        if self.peek_keyword("WHERE"):
            self.position += 1
            query.where.append(self.condition())
            while self.peek_keyword("AND", "OR"):
                _kind, word = self.next()
                if word.upper() == "OR":
                    raise SoqlError("MALFORMED_QUERY", "OR is not supported by the sandbox")
                query.where.append(self.condition())
        if self.peek_keyword("ORDER"):
            self.position += 1
            self.keyword("BY")
            query.order_by.append(self.order_key())
            while self.punct(","):
                query.order_by.append(self.order_key())
        if self.peek_keyword("LIMIT"):
            self.position += 1
            query.limit = self.integer("LIMIT")
        if self.peek_keyword("OFFSET"):
            self.position += 1
            query.offset = self.integer("OFFSET")
        token = self.peek()
        if token is not None:
            raise SoqlError("MALFORMED_QUERY", f"unexpected token {token[1]!r}")
        return query

    def integer(self, clause: str) -> int:
        kind, value = self.next(f"a number after {clause}")
        if kind != "number" or not value.isdigit():
            raise SoqlError("MALFORMED_QUERY", f"{clause} needs a non-negative integer")
        return int(value)

    def condition(self) -> Condition:
        name = self.identifier()
        if self.peek_keyword("NOT", "IN"):
            negate = self.peek_keyword("NOT")
            if negate:
                self.position += 1
            self.keyword("IN")
            if not self.punct("("):
                raise SoqlError("MALFORMED_QUERY", "IN needs a parenthesised list")
            values = [self.literal()]
            while self.punct(","):
                values.append(self.literal())
            if not self.punct(")"):
                raise SoqlError("MALFORMED_QUERY", "unclosed IN list")
            return Condition(name, "not in" if negate else "in", tuple(values))
        kind, op = self.next("an operator")
        if kind != "op":
            raise SoqlError("MALFORMED_QUERY", f"expected a comparison operator, found {op!r}")
        return Condition(name, "!=" if op == "<>" else op, self.literal())

    def literal(self) -> Literal:
        kind, text = self.next("a value")
        if kind == "string":
            return Literal("string", re.sub(r"\\(.)", r"\1", text[1:-1]))
        if kind == "number":
            return Literal("number", float(text))
        if kind == "datetime":
            return Literal("datetime", _parse_datetime_literal(text))
        if kind == "date":
            return Literal("date", text)
        if kind == "word" and text.upper() in {"TRUE", "FALSE"}:
            return Literal("boolean", text.upper() == "TRUE")
        if kind == "word" and text.upper() == "NULL":
            return Literal("null", None)
        raise SoqlError("MALFORMED_QUERY", f"unsupported value {text!r}")

    def order_key(self) -> OrderKey:
        name = self.identifier()
        descending = False
        nulls_last: bool | None = None
        if self.peek_keyword("ASC", "DESC"):
            descending = self.next()[1].upper() == "DESC"
        if self.peek_keyword("NULLS"):
            self.position += 1
            if not self.peek_keyword("FIRST", "LAST"):
                raise SoqlError("MALFORMED_QUERY", "NULLS needs FIRST or LAST")
            nulls_last = self.next()[1].upper() == "LAST"
        return OrderKey(name, descending, nulls_last)


def _parse_datetime_literal(text: str) -> str:
    """To the canonical response form, so datetimes compare as strings."""
    normalised = text.replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", normalised):
        normalised = normalised[:-2] + ":" + normalised[-2:]
    moment = datetime.fromisoformat(normalised).astimezone(UTC)
    return format_datetime(moment)


def format_datetime(moment: datetime) -> str:
    """Salesforce's JSON form: 2026-03-01T09:15:00.000+0000."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def parse(text: str) -> Query:
    if not text or not text.strip():
        raise SoqlError("MALFORMED_QUERY", "empty query")
    return _Parser(text).parse()


# --------------------------------------------------------------------------- evaluation
@dataclass
class Plan:
    """A query resolved against an object's field types: canonical names and a filter."""

    fields: list[str]
    matches: Callable[[dict[str, Any]], bool]
    sort_key: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]
    limit: int | None
    offset: int
    # The WHERE conditions as (canonical field, its type, condition) and the ORDER BY keys as
    # (canonical field, key): what `seek` needs to answer without evaluating every record.
    where: list[tuple[str, str, Condition]] = field(default_factory=list)
    order: list[tuple[str, OrderKey]] = field(default_factory=list)

    @property
    def reads(self) -> list[str]:
        """The fields WHERE and ORDER BY look at, each once."""
        names = [name for name, _type, _condition in self.where] + [n for n, _ in self.order]
        return list(dict.fromkeys(names))


def resolve(query: Query, field_types: dict[str, str]) -> Plan:
    """`field_types` maps canonical field names to describe types (case-insensitive lookup)."""
    by_lower = {name.lower(): name for name in field_types}

    def canonical(name: str) -> str:
        found = by_lower.get(name.lower())
        if found is None:
            raise SoqlError(
                "INVALID_FIELD",
                f"No such column '{name}' on entity '{query.sobject}'. If you are attempting to "
                "use a custom field, be sure to append the '__c' after the custom field name.",
            )
        return found

    fields: list[str] = []
    for name in query.fields:
        resolved = canonical(name)
        if resolved not in fields:
            fields.append(resolved)
    where: list[tuple[str, str, Condition]] = []
    predicates: list[Callable[[dict[str, Any]], bool]] = []
    for condition in query.where:  # one at a time: the first bad condition names the error
        name = canonical(condition.field)
        predicates.append(_predicate(name, field_types[name], condition))
        where.append((name, field_types[name], condition))

    def matches(record: dict[str, Any]) -> bool:
        return all(predicate(record) for predicate in predicates)

    order = [(canonical(k.field), k) for k in query.order_by]

    def sort(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # Stable sorts from the last key to the first give a multi-key order with mixed directions.
        result = list(records)
        for name, key in reversed(order):
            nulls_last = key.descending if key.nulls_last is None else key.nulls_last
            present = [r for r in result if r.get(name) is not None]
            missing = [r for r in result if r.get(name) is None]
            present.sort(key=lambda r, n=name: _sortable(r[n]), reverse=key.descending)
            result = present + missing if nulls_last else missing + present
        return result

    return Plan(fields, matches, sort, query.limit, query.offset, where, order)


def _sortable(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _predicate(
    name: str, field_type: str, condition: Condition
) -> Callable[[dict[str, Any]], bool]:
    if condition.op in ("in", "not in"):
        assert isinstance(condition.literal, tuple)
        values = {_coerce(name, field_type, literal) for literal in condition.literal}
        values = {v.lower() if isinstance(v, str) else v for v in values}
        negate = condition.op == "not in"

        def in_list(record: dict[str, Any]) -> bool:
            value = record.get(name)
            value = value.lower() if isinstance(value, str) else value
            return (value in values) != negate

        return in_list
    assert isinstance(condition.literal, Literal)
    literal = condition.literal
    op = condition.op
    if literal.kind == "null":
        if op not in ("=", "!="):
            raise SoqlError("MALFORMED_QUERY", f"null can only be compared with = or != ({name})")
        wants_null = op == "="
        return lambda record: (record.get(name) is None) == wants_null
    target = _coerce(name, field_type, literal)
    case_fold = isinstance(target, str) and field_type not in DATETIME_TYPES | DATE_TYPES
    if case_fold:
        target = target.lower()
    compare = _COMPARE[op]

    def check(record: dict[str, Any]) -> bool:
        value = record.get(name)
        if value is None:
            return op == "!="
        if case_fold and isinstance(value, str):
            value = value.lower()
        elif field_type in DATETIME_TYPES and isinstance(value, str):
            value = value[:23] + "+0000" if value.endswith("+0000") else _normalise(value)
        return compare(value, target)

    return check


def _normalise(value: str) -> str:
    return _parse_datetime_literal(value)


def _coerce(name: str, field_type: str, literal: Literal) -> Any:
    kind = literal.kind
    expected = {
        **dict.fromkeys(DATETIME_TYPES, "datetime"),
        **dict.fromkeys(DATE_TYPES, "date"),
        **dict.fromkeys(BOOLEAN_TYPES, "boolean"),
        **dict.fromkeys(NUMERIC_TYPES, "number"),
    }.get(field_type, "string")
    if kind != expected:
        raise SoqlError(
            "MALFORMED_QUERY",
            f"value of filter criterion for field '{name}' must be of type {field_type}"
            + (" and should not be enclosed in quotes" if expected != "string" else ""),
        )
    return literal.value


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def execute(plan: Plan, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return arrange(plan, [r for r in records if plan.matches(r)])


def arrange(plan: Plan, selected: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ORDER BY, OFFSET and LIMIT over records that already passed the WHERE."""
    selected = plan.sort_key(selected)
    if plan.offset:
        selected = selected[plan.offset :]
    if plan.limit is not None:
        selected = selected[: plan.limit]
    return selected


# --------------------------------------------------------------------------- seeking
SEEK_OPS = ("=", "<", "<=", ">", ">=")


@dataclass(frozen=True)
class Bound:
    """`field op value` on a datetime field; `value` is in the canonical form records use."""

    field: str
    op: str  # one of SEEK_OPS
    value: str


def seek(plan: Plan, sorted_fields: Collection[str]) -> list[Bound] | None:
    """The plan as bounds on fields the records are stored sorted by, or None if it is not one.

    `sorted_fields` are datetime fields whose values are all non-null canonical datetimes and
    strictly increase, together with the Id compared case-insensitively, along the stored
    records. Then an ORDER BY that is absent, `f ASC` or `f ASC, Id ASC, ...` (f sorted) keeps
    the stored order, and comparisons on sorted fields keep a contiguous run of it: the answer
    is that run (before OFFSET and LIMIT), found by bisection. An empty list: every record.
    """
    if plan.order:
        first, key = plan.order[0]
        if first not in sorted_fields or key.descending:
            return None
        if len(plan.order) > 1 and (plan.order[1][0] != "Id" or plan.order[1][1].descending):
            return None
    bounds: list[Bound] = []
    for name, field_type, condition in plan.where:
        literal = condition.literal
        if (
            name not in sorted_fields
            or field_type not in DATETIME_TYPES
            or condition.op not in SEEK_OPS
            or not isinstance(literal, Literal)
            or literal.kind != "datetime"
        ):
            return None
        bounds.append(Bound(name, condition.op, literal.value))
    return bounds
