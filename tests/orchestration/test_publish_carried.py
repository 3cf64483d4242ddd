"""A publish carries the previous copy forward (dwh.publish_delta): only changed rows are
rewritten, and what readers see equals a fresh copy of the marts; a table whose columns
changed, that changed too much or holds duplicate rows is copied whole, and another storage
format or the n-th carried publish writes a fresh file."""

from pathlib import Path

import duckdb
import pytest

from dwh import publish_delta
from dwh.publish import PublishResult, publish_marts

ROWS = 1000


def _warehouse(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_things as select range as id, 'n' || range as name,"
            " case when range % 7 = 0 then null else range * 1.5 end as amount,"
            " date '2026-01-01' + cast(range % 300 as integer) as day from range(?)",
            [ROWS],
        )
        con.execute("create table marts.dim_small as select range as id from range(3)")
        con.execute("create view marts.v_things as select id, amount from marts.fct_things")


def _contents(path: Path, schema: str = "marts") -> dict[str, list[tuple]]:
    with duckdb.connect(str(path), read_only=True) as con:
        names = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = ?"
                " and table_name <> '_publish_info' order by 1",
                [schema],
            ).fetchall()
        ]
        return {
            n: sorted(con.execute(f'select * from {schema}."{n}"').fetchall(), key=repr)
            for n in names
        }


def _carried_publishes(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        (value,) = con.execute("select carried_publishes from marts._publish_info").fetchone()
    return int(value)


def _publish(warehouse: Path, published: Path, **options: str) -> PublishResult:
    return publish_marts(published_path=published, run_id="r", warehouse_path=warehouse, **options)


def test_publish_carried_rewrites_only_changed_rows(tmp_path: Path) -> None:
    warehouse, published = tmp_path / "w.duckdb", tmp_path / "p.duckdb"
    _warehouse(warehouse)
    assert _publish(warehouse, published).changed_rows is None  # the first copy is fresh
    with duckdb.connect(str(warehouse)) as con:
        con.execute("delete from marts.fct_things where id < 10")
        con.execute("update marts.fct_things set name = 'renamed' where id between 500 and 504")
        con.execute("update marts.fct_things set amount = null where id = 600")
        con.execute("insert into marts.fct_things values (5000, 'new', 1.0, date '2026-12-01')")

    result = _publish(warehouse, published)

    # 10 gone, 6 changed (one row out and one in each), 1 new; the view (id, amount) sees
    # the rows gone, the amount changed and the new row, not the names
    assert result.changed_rows == {"fct_things": 23, "v_things": 13, "dim_small": 0}
    assert _contents(published) == _contents(warehouse)
    assert _carried_publishes(published) == 1
    assert not list(tmp_path.glob(".*.tmp*")), "temporary files must not be left behind"


def test_publish_carried_copies_whole_what_it_cannot_compare(tmp_path: Path) -> None:
    warehouse, published = tmp_path / "w.duckdb", tmp_path / "p.duckdb"
    _warehouse(warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create table marts.fct_dupes as select 1 as x from range(3)")
        con.execute("create table marts.dropped as select 1 as x")
    _publish(warehouse, published)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("alter table marts.dim_small add column label varchar default 'x'")
        con.execute("update marts.fct_things set name = upper(name) where id % 3 > 0")  # 2/3
        con.execute("insert into marts.fct_dupes select 1 from range(2)")  # 5 equal rows
        con.execute("drop table marts.dropped")

    result = _publish(warehouse, published)

    assert result.changed_rows == {"v_things": 0}  # the rest were copied whole
    assert _contents(published) == _contents(warehouse)
    assert "dropped" not in _contents(published)


@pytest.mark.parametrize("reason", ["storage_version", "carried_enough"])
def test_publish_carried_writes_a_fresh_file_when_it_must(
    reason: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse, published = tmp_path / "w.duckdb", tmp_path / "p.duckdb"
    _warehouse(warehouse)
    monkeypatch.setattr(publish_delta, "MAX_CARRIED_PUBLISHES", 2)
    _publish(warehouse, published, storage_version="v1.1.0")
    assert _publish(warehouse, published, storage_version="v1.1.0").changed_rows is not None
    if reason == "storage_version":
        result = _publish(warehouse, published, storage_version="v1.2.0")
    else:
        assert _publish(warehouse, published, storage_version="v1.1.0").changed_rows is not None
        assert _carried_publishes(published) == 2
        result = _publish(warehouse, published, storage_version="v1.1.0")
    assert result.changed_rows is None
    assert _carried_publishes(published) == 0
    assert _contents(published) == _contents(warehouse)
