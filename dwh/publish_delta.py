"""Carry the previous published copy forward: rewrite only the rows that changed.

A re-run after a small change rebuilds the marts with few rows different, but copying every
mart again into the published file cost 11 s at 1M leads (most of it the two largest marts).
So when the previous copy is in the same storage format, it is copied as a file and each
table gets only its changed rows: rows are compared by a hash of the whole row (DuckDB's
64-bit `hash` of the row struct), rows gone are deleted by `rowid` and new ones inserted. A
table whose columns changed, whose changed rows exceed half of it, or whose row count does not
match the source afterwards (duplicate rows) is copied whole instead.

Deleted rows leave space that DuckDB reuses but never compacts, so every
`MAX_CARRIED_PUBLISHES`-th publish writes a fresh file.
"""

from dataclasses import dataclass
from pathlib import Path

import duckdb

MAX_CARRIED_PUBLISHES = 20
# Above this share of a table's rows changed, copying it whole is cheaper than the delta.
MAX_DELTA_SHARE = 0.5


@dataclass(frozen=True)
class PreviousPublish:
    storage_version: str
    source_target: str
    carried_publishes: int  # publishes since the last fresh copy


def previous_publish(path: Path) -> PreviousPublish | None:
    """What the published copy at `path` says of itself; None when there is none, when it is
    unreadable, or when it predates `carried_publishes` (then the next copy is fresh)."""
    if not path.exists():
        return None
    try:
        with duckdb.connect() as con:
            con.execute("ATTACH ? AS previous (READ_ONLY)", [str(path)])
            columns = {
                row[0]
                for row in con.execute(
                    "select column_name from duckdb_columns() where database_name = 'previous'"
                    " and schema_name = 'marts' and table_name = '_publish_info'"
                ).fetchall()
            }
            if "carried_publishes" not in columns:
                return None
            row = con.execute(
                "select storage_version, source_target, carried_publishes"
                " from previous.marts._publish_info"
            ).fetchone()
    except duckdb.Error:
        return None
    if row is None:
        return None
    return PreviousPublish(str(row[0]), str(row[1]), int(row[2]))


def can_carry(previous: PreviousPublish | None, storage_version: str, source_target: str) -> bool:
    return (
        previous is not None
        and previous.storage_version == storage_version
        and previous.source_target == source_target
        and previous.carried_publishes < MAX_CARRIED_PUBLISHES
    )


def columns_of(con: duckdb.DuckDBPyConnection, database: str, schema: str, name: str) -> list:
    return con.execute(
        "select column_name, data_type from duckdb_columns()"
        " where database_name = ? and schema_name = ? and table_name = ? order by column_index",
        [database, schema, name],
    ).fetchall()


def apply_delta(
    con: duckdb.DuckDBPyConnection, source: str, target: str, *, source_is_view: bool = False
) -> int | None:
    """Make `target` hold the rows of `source` (same columns, checked by the caller) by
    deleting the rows gone and inserting the new ones; the number of rows changed, or None
    when the caller must copy the table whole (too many changes, or duplicate rows)."""
    ((source_rows,),) = con.execute(f"select count(*) from {source}").fetchall()
    limit = MAX_DELTA_SHARE * max(source_rows, 1)
    try:
        # Each side's row hashes once (with its rowids), for the rows gone and the rows new.
        con.execute(
            f"create or replace temp table _target as select t.rowid as rid, hash(t) as h"
            f" from {target} t"
        )
        # a view has no rowid: its new rows are found again by their hash
        rid = "null" if source_is_view else "s.rowid"
        con.execute(
            f"create or replace temp table _source as select {rid} as rid, hash(s) as h"
            f" from {source} s"
        )
        con.execute(
            "create or replace temp table _gone as select rid from _target"
            " where h not in (select h from _source)"
        )
        ((gone,),) = con.execute("select count(*) from _gone").fetchall()
        if gone > limit:
            return None
        con.execute(
            "create or replace temp table _new as select rid, h from _source"
            " where h not in (select h from _target)"
        )
        ((new,),) = con.execute("select count(*) from _new").fetchall()
        if gone + new > limit:
            return None
        con.execute(f"delete from {target} where rowid in (select rid from _gone)")
        new_rows = (
            "hash(s) in (select h from _new)"
            if source_is_view
            else "s.rowid in (select rid from _new)"
        )
        con.execute(f"insert into {target} select s.* from {source} s where {new_rows}")
        ((target_rows,),) = con.execute(f"select count(*) from {target}").fetchall()
        if target_rows != source_rows:
            return None  # duplicate rows: a hash delta cannot count them
        return int(gone + new)
    finally:
        for temp in ("_target", "_source", "_gone", "_new"):
            con.execute(f"drop table if exists {temp}")
