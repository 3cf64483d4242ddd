"""SOQL subset: parsing, type checks and evaluation."""

import pytest

from sandbox.fakes import soql

TYPES = {
    "Id": "id",
    "Name": "string",
    "SystemModstamp": "datetime",
    "CloseDate": "date",
    "IsDeleted": "boolean",
    "Amount": "currency",
}
ROWS = [
    {
        "Id": "a1",
        "Name": "Beta",
        "SystemModstamp": "2026-01-01T00:00:00.000+0000",
        "CloseDate": "2026-02-01",
        "IsDeleted": False,
        "Amount": 100.0,
    },
    {
        "Id": "a2",
        "Name": "alpha",
        "SystemModstamp": "2026-03-01T09:15:00.000+0000",
        "CloseDate": "2026-01-15",
        "IsDeleted": True,
        "Amount": None,
    },
    {
        "Id": "a3",
        "Name": "Gamma",
        "SystemModstamp": "2026-03-01T09:15:00.000+0000",
        "CloseDate": None,
        "IsDeleted": False,
        "Amount": 50.0,
    },
]


def run(text: str) -> list[str]:
    plan = soql.resolve(soql.parse(text), TYPES)
    return [r["Id"] for r in soql.execute(plan, ROWS)]


def test_parse_full_query() -> None:
    query = soql.parse(
        "select id, name FROM Opportunity WHERE SystemModstamp >= 2026-01-01T00:00:00Z "
        "AND IsDeleted = false ORDER BY SystemModstamp DESC, Id LIMIT 10"
    )
    assert query.fields == ["id", "name"] and query.sobject == "Opportunity"
    assert [c.op for c in query.where] == [">=", "="]
    assert query.order_by[0].descending and not query.order_by[1].descending
    assert query.limit == 10


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("SystemModstamp > 2026-01-01T00:00:00Z", ["a2", "a3"]),
        ("SystemModstamp >= 2026-03-01T18:15:00+09:00", ["a2", "a3"]),
        ("SystemModstamp < 2026-03-01T09:15:00.000+0000", ["a1"]),
        ("SystemModstamp <= 2026-03-01T09:15:00Z", ["a1", "a2", "a3"]),
        ("CloseDate >= 2026-01-20", ["a1"]),
        ("CloseDate = null", ["a3"]),
        ("CloseDate != null", ["a1", "a2"]),
        ("Name = 'ALPHA'", ["a2"]),
        ("Name != 'alpha'", ["a1", "a3"]),
        ("Name > 'b'", ["a1", "a3"]),
        ("IsDeleted = true", ["a2"]),
        ("Amount > 60", ["a1"]),
        ("IsDeleted = false AND Amount < 1000", ["a1", "a3"]),
        ("Id IN ('a1', 'a3')", ["a1", "a3"]),
        ("Name = 'O\\'Brien'", []),
    ],
)
def test_where_comparisons(where: str, expected: list[str]) -> None:
    assert run(f"SELECT Id FROM X WHERE {where} ORDER BY Id") == expected


def test_order_by_multiple_keys_and_directions() -> None:
    assert run("SELECT Id FROM X ORDER BY SystemModstamp DESC, Id ASC") == ["a2", "a3", "a1"]
    assert run("SELECT Id FROM X ORDER BY SystemModstamp DESC, Id DESC") == ["a3", "a2", "a1"]
    assert run("SELECT Id FROM X ORDER BY Name") == ["a2", "a1", "a3"]  # case-insensitive
    # ASC puts nulls first unless NULLS LAST, as Salesforce does.
    assert run("SELECT Id FROM X ORDER BY CloseDate") == ["a3", "a2", "a1"]
    assert run("SELECT Id FROM X ORDER BY CloseDate ASC NULLS LAST") == ["a2", "a1", "a3"]


def test_limit_and_offset() -> None:
    assert run("SELECT Id FROM X ORDER BY Id LIMIT 2") == ["a1", "a2"]
    assert run("SELECT Id FROM X ORDER BY Id LIMIT 1 OFFSET 2") == ["a3"]


def test_fields_resolve_to_canonical_case() -> None:
    plan = soql.resolve(soql.parse("SELECT name, ID FROM X"), TYPES)
    assert plan.fields == ["Name", "Id"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "MALFORMED_QUERY"),
        ("SELECT FROM X", "MALFORMED_QUERY"),
        ("SELECT Id X", "MALFORMED_QUERY"),
        ("SELECT Id FROM X WHERE", "MALFORMED_QUERY"),
        ("SELECT Id FROM X WHERE Name = 'a' OR Name = 'b'", "MALFORMED_QUERY"),
        ("SELECT Id FROM X LIMIT x", "MALFORMED_QUERY"),
        ("SELECT Id FROM X WHERE SystemModstamp > '2026-01-01'", "MALFORMED_QUERY"),
        ("SELECT Id FROM X WHERE CloseDate > 2026-01-01T00:00:00Z", "MALFORMED_QUERY"),
        ("SELECT Id FROM X WHERE Name = 5", "MALFORMED_QUERY"),
        ("SELECT Id FROM X WHERE Amount < null", "MALFORMED_QUERY"),
        ("SELECT Id FROM X trailing", "MALFORMED_QUERY"),
        ("SELECT Nope FROM X", "INVALID_FIELD"),
        ("SELECT Id FROM X WHERE Nope = 1", "INVALID_FIELD"),
        ("SELECT Id FROM X ORDER BY Nope", "INVALID_FIELD"),
    ],
)
def test_errors(text: str, code: str) -> None:
    with pytest.raises(soql.SoqlError) as caught:
        soql.resolve(soql.parse(text), TYPES)
    assert caught.value.code == code
