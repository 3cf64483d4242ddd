"""One short SQL session on the warehouse, whatever its target.

Readers and small writers (the data-quality results, the publish step, operators' commands)
write their SQL once with `?` placeholders; the Postgres session turns them into psycopg's
`%s`. Sessions are short: the pipeline is DuckDB's single writer, so nothing may hold the
file between steps.
"""

import contextlib
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any, Protocol

import duckdb

from dwh.duckdb_lock import connect as connect_duckdb
from dwh.postgres import connect as connect_postgres
from dwh.settings import WarehouseSettings


class SqlSession(Protocol):
    target: str

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    def frame(self, sql: str, params: Sequence[Any] = ()) -> Any: ...

    def transaction(self) -> contextlib.AbstractContextManager[None]: ...


class DuckDBSqlSession:
    target = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.con.execute(sql, list(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.con.executemany(sql, [list(r) for r in rows])

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, list(params)).fetchall()

    def frame(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.con.execute(sql, list(params)).df()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        self.con.begin()
        try:
            yield
        except BaseException:
            self.con.rollback()
            raise
        self.con.commit()


def to_psycopg(sql: str) -> str:
    """`?` placeholders to psycopg's `%s` (and a literal `%` doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")


class PostgresSqlSession:
    target = "postgres"

    def __init__(self, con: Any) -> None:
        self.con = con

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.con.execute(to_psycopg(sql), list(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            with self.con.cursor() as cur:
                cur.executemany(to_psycopg(sql), [list(r) for r in rows])

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.con.execute(to_psycopg(sql), list(params)).fetchall()

    def frame(self, sql: str, params: Sequence[Any] = ()) -> Any:
        import pandas as pd

        cur = self.con.execute(to_psycopg(sql), list(params))
        names = [d.name for d in cur.description or ()]
        frame = pd.DataFrame(cur.fetchall(), columns=names)
        for column in frame.columns:  # NUMERIC arrives as Decimal; pandas wants floats
            values = frame[column].dropna()
            if len(values) and isinstance(values.iloc[0], Decimal):
                frame[column] = frame[column].astype("float64")
        return frame

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with self.con.transaction():
            yield


@contextlib.contextmanager
def sql_session(
    settings: WarehouseSettings, *, read_only: bool = False, lock_timeout: float | None = None
) -> Iterator[SqlSession]:
    """A short session on the configured target (DuckDB: waits up to `lock_timeout`, by
    default WAREHOUSE_LOCK_TIMEOUT_SECONDS, while another process holds the file)."""
    if settings.is_postgres:
        with connect_postgres(settings.postgres_dsn, autocommit=True) as con:
            yield PostgresSqlSession(con)
        return
    timeout = settings.lock_timeout if lock_timeout is None else lock_timeout
    con = connect_duckdb(settings.path, read_only=read_only, timeout=timeout)
    try:
        yield DuckDBSqlSession(con)
    finally:
        con.close()
