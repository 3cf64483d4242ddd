"""The Salesforce fake's compact rows: bisected answers, rendering and mutate give what plain
evaluation over record dicts gives."""

import json
import random
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from sandbox.fakes import soql
from sandbox.fakes.base import FakeClock, Request, dumps
from sandbox.fakes.salesforce import RecordShape, SalesforceFake, SObjectTable, decode

TOKEN = "test-token"
API = "/services/data/v62.0"


def _stamp(second: int) -> str:
    return f"2025-03-01T{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}.000+0000"


def _leads(count: int, seed: int, case_clash: bool = False) -> list[dict[str, Any]]:
    """Sorted by (SystemModstamp, Id), with many ties. With `case_clash` the Ids differ in case
    first, and SOQL orders them case-insensitively: not the file's order."""
    rng = random.Random(seed)
    rows = []
    for n in range(count):
        ident = f"00Q{'aB'[n % 2]}{n:011d}AC" if case_clash else f"00Q{n:011d}{'aB'[n % 2]}AC"
        rows.append(
            {
                "Id": ident,
                "SystemModstamp": _stamp(rng.randrange(count // 4)),
                "LastModifiedDate": _stamp(n),
                "Email": f"p{n}@example.com" if n % 5 else None,
                "Status": rng.choice(["Open", "Working", None]),
                "Description": rng.choice(['say "hi" \\ now', "説明", "a\tb", None]),
                "Amount__c": rng.choice([1.5, 2, None, 10**20]),
                "IsDeleted": rng.random() < 0.15,
                "IsConverted": False,
            }
        )
        if n % 9 == 0:
            del rows[-1]["Description"]  # records need not all have every field
    rows.sort(key=lambda r: (r["SystemModstamp"], r["Id"]))
    return rows


def _world(tmp_path: Path, tables: dict[str, list[dict[str, Any]]]) -> Path:
    (tmp_path / "salesforce").mkdir(parents=True)
    for name, rows in tables.items():
        lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        (tmp_path / "salesforce" / f"{name}.jsonl").write_text(lines, encoding="utf-8")
    return tmp_path


def _fake(world: Path) -> SalesforceFake:
    fake = SalesforceFake(world, FakeClock(datetime(2026, 6, 30, 15, tzinfo=UTC), 0.0))
    fake.tokens.add(TOKEN)
    return fake


def _get(fake: SalesforceFake, url: str, batch: int) -> dict[str, Any]:
    headers = Message()
    headers["Authorization"] = f"Bearer {TOKEN}"
    headers["Sforce-Query-Options"] = f"batchSize={batch}"
    parts = urlsplit(url)
    response = fake.dispatch(Request("GET", parts.path, parse_qs(parts.query), headers, b""))
    assert response.status == 200, response.body[:300]
    return json.loads(response.body)


def _answer(
    fake: SalesforceFake, text: str, endpoint: str = "queryAll", batch: int = 200
) -> list[dict[str, Any]]:
    """Every record of a query, following nextRecordsUrl."""
    body = _get(fake, f"{API}/{endpoint}?{urlencode({'q': text})}", batch)
    records = body["records"]
    while body.get("nextRecordsUrl"):
        body = _get(fake, body["nextRecordsUrl"], batch)
        records += body["records"]
    return records


QUERIES = [  # {at}: a stamp some rows have (ties), {low} and {high} around it
    "SELECT Id, SystemModstamp FROM Lead ORDER BY SystemModstamp ASC, Id ASC",
    "SELECT Id FROM Lead WHERE SystemModstamp >= {at} ORDER BY SystemModstamp",
    "SELECT Id FROM Lead WHERE SystemModstamp > {at} ORDER BY SystemModstamp, Id",
    "SELECT Id FROM Lead WHERE SystemModstamp < {at}",
    "SELECT Id FROM Lead WHERE SystemModstamp <= {at}",
    "SELECT Id FROM Lead WHERE SystemModstamp = {at}",
    "SELECT Id FROM Lead WHERE SystemModstamp <= 2025-03-01T09:00:30+09:00",
    "SELECT Id, Email FROM Lead WHERE SystemModstamp >= {low} AND SystemModstamp < {high} "
    "ORDER BY SystemModstamp ASC, Id ASC LIMIT 9 OFFSET 4",
    "SELECT Description, Id, Amount__c FROM Lead",
]


@pytest.mark.parametrize("endpoint", ["query", "queryAll"])
def test_bisected_answers_equal_full_evaluation(tmp_path: Path, endpoint: str) -> None:
    leads = _leads(400, seed=1)
    fast = _fake(_world(tmp_path, {"Lead": leads}))
    slow = _fake(tmp_path)
    table = fast.tables["Lead"]
    assert table.sorted_by == {"SystemModstamp"}
    slow.tables["Lead"].sorted_by = frozenset()  # every query evaluated row by row
    stamps = [r["SystemModstamp"][:19] + "Z" for r in leads]
    at = stamps[200]
    assert stamps.count(at) > 1
    for text in (q.format(at=at, low=stamps[100], high=stamps[300]) for q in QUERIES):
        plan = soql.resolve(soql.parse(text), table.field_types)
        assert soql.seek(plan, table.sorted_by) is not None, text
        assert _answer(fast, text, endpoint) == _answer(slow, text, endpoint), text


@pytest.mark.parametrize(
    ("text", "seekable"),
    [
        ("SELECT Id FROM X", True),
        ("SELECT Id FROM X ORDER BY SystemModstamp ASC, Id ASC, Name DESC", True),
        ("SELECT Id FROM X WHERE SystemModstamp >= 2026-01-01T00:00:00Z", True),
        ("SELECT Id FROM X ORDER BY SystemModstamp DESC", False),
        ("SELECT Id FROM X ORDER BY Id", False),
        ("SELECT Id FROM X ORDER BY SystemModstamp, Name", False),
        ("SELECT Id FROM X ORDER BY CreatedDate", False),
        ("SELECT Id FROM X WHERE SystemModstamp != 2026-01-01T00:00:00Z", False),
        ("SELECT Id FROM X WHERE Name = 'a' ORDER BY SystemModstamp", False),
        ("SELECT Id FROM X WHERE SystemModstamp = null", False),
    ],
)
def test_seek_recognises_stored_order_queries(text: str, seekable: bool) -> None:
    types = {"Id": "id", "Name": "string", "SystemModstamp": "datetime", "CreatedDate": "datetime"}
    plan = soql.resolve(soql.parse(text), types)
    assert (soql.seek(plan, {"SystemModstamp"}) is not None) == seekable


def test_rows_out_of_soql_order_are_not_bisected(tmp_path: Path) -> None:
    leads = _leads(50, seed=2)
    leads[10]["SystemModstamp"] = None
    tasks = list(reversed(_leads(50, seed=3)))
    events = _leads(200, seed=4, case_clash=True)
    fake = _fake(_world(tmp_path, {"Lead": leads, "Task": tasks, "Event": events}))
    assert [fake.tables[n].sorted_by for n in ("Lead", "Task", "Event")] == [frozenset()] * 3
    assert not fake.tables["Task"].modstamp_order
    answer = _answer(fake, "SELECT Id FROM Task ORDER BY SystemModstamp, Id")
    assert [r["Id"] for r in answer] == [r["Id"] for r in reversed(tasks)]
    answer = _answer(fake, "SELECT Id FROM Event ORDER BY SystemModstamp, Id")
    in_soql_order = sorted(events, key=lambda r: (r["SystemModstamp"], r["Id"].lower()))
    assert [r["Id"] for r in answer] == [r["Id"] for r in in_soql_order]
    assert in_soql_order != events


def _shaped(record: dict[str, Any], sobject: str, fields: list[str]) -> bytes:
    url = f"/services/data/v62.0/sobjects/{sobject}/{record['Id']}"
    shaped: dict[str, Any] = {"attributes": {"type": sobject, "url": url}}
    for name in fields:
        shaped[name] = record.get(name)
    return dumps(shaped).encode()


def test_rows_render_as_the_shaped_records() -> None:
    table = SObjectTable("Lead")
    records = [
        {"Id": "00Q1", "Name": 'q"u\\ote', "Nested": {"a": [1, 2], "Id": "inner"}, "N": 1.0},
        {"Name": "説明\u2028", "Id": "00Q2", "N": None},  # other key order, a field missing
        {"Id": 7, "Name": "\x01", "Nested": [], "N": 10**30},
        {"Id": 'odd"id', "Name": None, "Nested": [5], "N": -0.0, "Late": True},
    ]
    rows = [table.encode(r) for r in records]
    assert [decode(row, table.layout) for row in rows] == records
    for fields in (list(table.layout), ["N", "Id"], ["Name"], ["Late", "Sandbox_Drift__c"]):
        shape = RecordShape("Lead", "62.0", fields, table.layout)
        for row, record in zip(rows, records, strict=True):
            assert shape.render(row) == _shaped(record, "Lead", fields)


def _everything(fake: SalesforceFake) -> dict[str, list[dict[str, Any]]]:
    return {
        name: _answer(fake, f"SELECT {', '.join(table.field_types)} FROM {name}")
        for name, table in fake.tables.items()
    }


def test_mutate_is_deterministic_and_restores_the_order(tmp_path: Path) -> None:
    world = _world(tmp_path, {"Lead": _leads(300, seed=4), "Task": _leads(200, seed=5)})
    fakes = [_fake(world) for _ in range(3)]
    for table in fakes[2].tables.values():
        table.modstamp_order = False  # re-sort every row instead of moving the changed ones
    touched = [fake.mutate(modify=40, delete=20, create=10, seed=9) for fake in fakes]
    assert touched[0] == touched[1] == touched[2]
    assert len(touched[0]["Lead"]["created"]) == 10
    assert _everything(fakes[0]) == _everything(fakes[1]) == _everything(fakes[2])
    for table in fakes[0].tables.values():
        records = [table.record(i) for i in range(len(table.rows))]
        keys = [(r["SystemModstamp"], r["Id"]) for r in records]
        assert keys == sorted(keys) and len(set(keys)) == len(keys)
        assert table.sorted_by == {"SystemModstamp"}  # still bisected
    for name, ids in touched[0].items():
        live = {r["Id"] for r in _answer(fakes[0], f"SELECT Id FROM {name}", "query")}
        assert ids["deleted"] and not live & set(ids["deleted"])
        assert set(ids["modified"] + ids["created"]) <= live


def test_an_open_cursor_keeps_its_rows_through_mutate(tmp_path: Path) -> None:
    fake = _fake(_world(tmp_path, {"Lead": _leads(500, seed=6)}))
    text = "SELECT Id, SystemModstamp, IsDeleted, Description FROM Lead"
    before = _answer(fake, text)
    body = _get(fake, f"{API}/queryAll?{urlencode({'q': text})}", batch=200)
    fake.mutate(modify=100, delete=50, create=20, seed=1)
    records = body["records"]
    while body.get("nextRecordsUrl"):
        body = _get(fake, body["nextRecordsUrl"], batch=200)
        records += body["records"]
    assert records == before
    assert _answer(fake, text) != before


def test_mutate_keeps_rows_with_equal_keys_in_stable_order(tmp_path: Path) -> None:
    """A created lead can meet a row with its very (SystemModstamp, Id): a stable sort keeps
    the older row first, so the move-only re-sort must step aside."""
    leads = _leads(50, seed=7)
    twin = {
        **leads[0],
        "Id": "00QSBX000000001AAA",
        "SystemModstamp": "2026-06-30T15:00:00.001+0000",
    }
    world = _world(tmp_path, {"Lead": [*leads, twin]})
    fakes = [_fake(world) for _ in range(2)]
    fakes[1].tables["Lead"].modstamp_order = False
    for fake in fakes:
        assert fake.mutate(modify=0, delete=0, create=1, seed=3)["Lead"]["created"] == [twin["Id"]]
    answers = [_answer(fake, "SELECT Id, Email FROM Lead") for fake in fakes]
    assert answers[0] == answers[1]
    assert [r["Email"] for r in answers[0][-2:]] == [twin["Email"], "sandbox.new1@example.com"]


def test_mutate_does_not_make_a_table_with_null_stamps_bisectable(tmp_path: Path) -> None:
    leads = _leads(60, seed=8)
    leads[0]["SystemModstamp"] = None  # first in (SystemModstamp or "", Id) order all the same
    fake = _fake(_world(tmp_path, {"Lead": leads}))
    table = fake.tables["Lead"]
    assert table.modstamp_order and table.sorted_by == frozenset()
    fake.mutate(modify=5, delete=5, create=5, seed=2)
    assert table.sorted_by == frozenset()
    answer = _answer(fake, "SELECT Id FROM Lead WHERE SystemModstamp > 2025-01-01T00:00:00Z")
    assert len(answer) == len(leads) + 5 - 1
