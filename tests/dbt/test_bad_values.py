"""Bad field values never stop `dbt build`: a record that lands (id and cursor fine) but carries
"not a date", "abc" or "x" in another typed field is read as NULL, listed in
dq.dq_unparseable_values, and every KPI of the world still equals truth.json."""

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.dbt.dbt_runner import DBT_PROJECT_DIR
from tests.dbt.truth_compare import KPI_QUERY, compare, report, truth_kpis
from tests.dbt.warehouses import (
    BuiltWarehouse,
    build_duckdb,
    build_postgres,
    scratch_postgres_database,
)

generate = pytest.importorskip("sandbox.world.generate").generate

LEADS, SEED = 300, 7
BadRow = tuple[str, str, str, str, str]  # source, stream, record_id, vendor_field, bad_value


def _spoil_first(
    path: Path,
    matches: Callable[[dict[str, Any]], bool],
    spoil: Callable[[dict[str, Any]], None],
    skip: int = 0,
) -> dict[str, Any]:
    """Apply `spoil` to the first record (after `skip` matches) of a JSONL file that matches."""
    lines = path.read_text("utf-8").splitlines()
    for number, line in enumerate(lines):
        record = json.loads(line)
        if matches(record):
            if skip:
                skip -= 1
                continue
            spoil(record)
            lines[number] = json.dumps(record, ensure_ascii=False)
            path.write_text("\n".join(lines) + "\n", "utf-8")
            return record
    raise AssertionError(f"no record in {path} to spoil")


def spoil_world(data_dir: Path) -> set[BadRow]:
    """Put unparseable values where they cannot change a KPI; return the rows dq must list."""
    sf, mkto, gong = data_dir / "salesforce", data_dir / "marketo", data_dir / "gong"
    expected: set[BadRow] = set()

    def lead(record: dict[str, Any]) -> None:
        record.update(
            Tossup_Date__c="not a date", Next_Meeting__c="next week", ConvertedDate="2026-13-45"
        )

    # not a handoff before, and a toss-up date that does not parse keeps it that way
    record = _spoil_first(
        sf / "Lead.jsonl", lambda r: not r["Tossup_Date__c"] and not r["IsDeleted"], lead
    )
    expected |= {
        ("salesforce", "lead", record["Id"], "Tossup_Date__c", "not a date"),
        ("salesforce", "lead", record["Id"], "Next_Meeting__c", "next week"),
        ("salesforce", "lead", record["Id"], "ConvertedDate", "2026-13-45"),
    }
    # an Amount only counts when won
    record = _spoil_first(
        sf / "Opportunity.jsonl", lambda r: not r["IsWon"], lambda r: r.update(Amount="abc")
    )
    expected.add(("salesforce", "opportunity", record["Id"], "Amount", "abc"))
    # e-mails have no duration; no KPI reads a Task's ActivityDate or an Event's end
    record = _spoil_first(
        sf / "Task.jsonl",
        lambda r: r.get("TaskSubtype") == "Email",
        lambda r: r.update(CallDurationInSeconds="x", ActivityDate="2026-02-30"),
    )
    expected |= {
        ("salesforce", "task", record["Id"], "CallDurationInSeconds", "x"),
        ("salesforce", "task", record["Id"], "ActivityDate", "2026-02-30"),
    }
    record = _spoil_first(
        sf / "Event.jsonl", lambda r: True, lambda r: r.update(EndDateTime="soon")
    )
    expected.add(("salesforce", "event", record["Id"], "EndDateTime", "soon"))

    record = _spoil_first(
        mkto / "leads.jsonl", lambda r: True, lambda r: r.update(leadScore="high")
    )
    expected.add(("marketo", "leads", str(record["id"]), "leadScore", "high"))

    def not_mql(record: dict[str, Any]) -> bool:
        return record["activityTypeId"] != 13

    record = _spoil_first(
        mkto / "activities.jsonl", not_mql, lambda r: r.update(activityTypeId="twelve")
    )
    expected.add(("marketo", "activities", record["marketoGUID"], "activityTypeId", "twelve"))
    record = _spoil_first(
        mkto / "activities.jsonl", not_mql, lambda r: r.update(attributes="oops"), skip=1
    )
    expected.add(("marketo", "activities", record["marketoGUID"], "attributes", "oops"))

    # a call under a minute is not connected with or without its duration
    def short_call(record: dict[str, Any]) -> bool:
        return record["metaData"]["duration"] < 60

    record = _spoil_first(
        gong / "calls.jsonl", short_call, lambda r: r["metaData"].update(duration="x")
    )
    expected.add(("gong", "calls", record["metaData"]["id"], "metaData.duration", "x"))
    return expected


@pytest.fixture(scope="module")
def spoiled_world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[BadRow]]:
    data_dir = tmp_path_factory.mktemp("spoiled") / "data"
    generate(data_dir, leads=LEADS, seed=SEED)
    return data_dir, spoil_world(data_dir)


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def warehouse(
    request: pytest.FixtureRequest,
    spoiled_world: tuple[Path, set[BadRow]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[BuiltWarehouse]:
    data_dir, _ = spoiled_world
    work_dir = tmp_path_factory.mktemp(f"spoiled_{request.param}")
    if request.param == "duckdb":
        yield build_duckdb(data_dir, work_dir)  # raises when dbt build fails
        return
    with scratch_postgres_database() as database:
        yield build_postgres(data_dir, work_dir, database)


def test_bad_values_are_listed(
    warehouse: BuiltWarehouse, spoiled_world: tuple[Path, set[BadRow]]
) -> None:
    _, expected = spoiled_world
    rows = warehouse.query(
        "select source, stream, record_id, vendor_field, bad_value from dq.dq_unparseable_values"
    )
    assert set(rows) == expected
    assert len(rows) == len(expected)
    # the warn-severity test reports them without failing the build
    assert re.search(r"Warning in test has_no_rows_dq_unparseable_values", warehouse.dbt_output)


def test_marts_still_equal_truth(
    warehouse: BuiltWarehouse, spoiled_world: tuple[Path, set[BadRow]]
) -> None:
    data_dir, expected = spoiled_world
    rows = warehouse.query(KPI_QUERY)
    differences = compare(truth_kpis(data_dir), rows)
    assert not differences, report(differences)
    (bad_lead,) = {row[2] for row in expected if row[1] == "lead"}
    assert (
        warehouse.query(f"select 1 from marts.fct_handoffs where handoff_id = '{bad_lead}'") == []
    )


TYPED_READ = re.compile(
    r"json_(?:number|ts|date)\(\s*(['\"])(?P<expr>.+?)\1\s*,\s*'(?P<key>\w+)'\s*\)"
    r"|cast_or_null\(\s*(?:json_text\('_raw',\s*'(?P<text_key>\w+)'\)|'(?P<column>\w+)')"
)


def _typed_fields_in_staging() -> set[tuple[str, str]]:
    """(raw table, JSON path) of every typed read in the staging SQL."""
    found = set()
    for sql_file in (DBT_PROJECT_DIR / "models" / "staging").rglob("*.sql"):
        sql = sql_file.read_text("utf-8")
        tables = set(re.findall(r"source\('\w+', '(\w+)'\)", sql)) - {"stream_state"}
        for match in TYPED_READ.finditer(sql):
            if match["key"]:
                nested = re.findall(r"->'(\w+)'", match["expr"])
                path = ".".join([*nested, match["key"]])
            else:
                path = match["text_key"] or match["column"]
            found |= {(table, path) for table in tables}
    return found


def _registry() -> set[tuple[str, str]]:
    macro = (DBT_PROJECT_DIR / "macros" / "typed_vendor_fields.sql").read_text("utf-8")
    stamps = set(re.findall(r"\('(\w+)', 'timestamptz', '\w+'\)", macro.split("{{ return")[0]))
    registry = set()
    for table, body, plus_stamps in re.findall(
        r"'(\w+__\w+)': (\[.*?\]|stamps)( \+ stamps)?,", macro, flags=re.S
    ):
        paths = set(re.findall(r"\('([\w.]+)', '[\w ]+', '\w+'\)", body))
        if body == "stamps" or plus_stamps:
            paths |= stamps
        registry |= {(table, path) for path in paths}
    return registry


def test_every_typed_staging_read_is_checked() -> None:
    in_staging, registry = _typed_fields_in_staging(), _registry()
    assert ("salesforce__lead", "Tossup_Date__c") in in_staging
    assert ("gong__calls", "metaData.duration") in in_staging
    missing = in_staging - registry
    assert not missing, f"typed in staging but not in macro typed_vendor_fields: {missing}"
