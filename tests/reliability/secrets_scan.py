"""Look for a sentinel secret everywhere a run leaves traces: text, files and DuckDB tables."""

from pathlib import Path

import duckdb


def files_containing(sentinel: str, roots: list[Path], newer_than: float = 0.0) -> list[str]:
    """Files under roots (modified after newer_than) whose bytes contain the sentinel."""
    needle = sentinel.encode()
    hits: list[str] = []
    for root in roots:
        if not root.exists():
            continue
        paths = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
        for path in paths:
            try:
                if path.stat().st_mtime < newer_than:
                    continue
                if needle in path.read_bytes():
                    hits.append(str(path))
            except OSError:
                continue  # vanished meanwhile (a temporary file)
    return hits


def duckdb_tables_containing(sentinel: str, database: Path) -> list[str]:
    """Tables with a value containing the sentinel (DuckDB compresses strings in the file)."""
    if not database.exists():
        return []
    con = duckdb.connect(str(database), read_only=True)
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
        hits = []
        for schema, table in tables:
            found = con.execute(
                f'select count(*) from "{schema}"."{table}" t '
                "where position(? in cast(t as varchar)) > 0",
                [sentinel],
            ).fetchone()[0]
            if found:
                hits.append(f"{schema}.{table}")
        return hits
    finally:
        con.close()
