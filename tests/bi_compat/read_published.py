"""Read every table of a published copy read-only and print what was read, as JSON.

Runs under whichever DuckDB the interpreter has (the project's, or an older release in a
throwaway venv), so it imports nothing but duckdb and the standard library:

    python read_published.py PUBLISHED_PATH

Per table: column names and types, row count and an md5 over every row rendered as text in
UTC, column by column, sorted; two DuckDB versions that read the same rows print the same JSON.
"""

import json
import sys


def read(path: str) -> dict[str, object]:
    import duckdb

    con = duckdb.connect(path, read_only=True)
    try:
        con.execute("set TimeZone = 'UTC'")
        tables = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        out: dict[str, object] = {}
        for name in tables:
            columns = con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'marts' and table_name = ? order by ordinal_position",
                [name],
            ).fetchall()
            # Column by column: a row cast to text whole is quoted differently across versions.
            line = ", ".join(
                f"""coalesce(cast("{column}" as varchar), '<null>')""" for column, _ in columns
            )
            rows, digest = con.execute(
                "select count(*), md5(coalesce(string_agg(line, chr(10) order by line), '')) "
                f'from (select concat_ws(chr(31), {line}) as line from marts."{name}")'
            ).fetchone()
            out[name] = {"columns": [list(c) for c in columns], "rows": rows, "md5": digest}
        return {"duckdb": duckdb.__version__, "tables": out}
    finally:
        con.close()


if __name__ == "__main__":
    print(json.dumps(read(sys.argv[1])))
