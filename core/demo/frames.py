"""Insert a Polars frame into a table, the same way on both engines.

A registered frame becomes a table whose column types come from the frame: on PostgreSQL
an all-null column (Polars dtype Null) arrives as VARCHAR, a JSON column as VARCHAR, and
PostgreSQL (unlike DuckDB) refuses to store those in a DATE or JSON column without a cast.
So every column is cast to the target column's own type, read from information_schema:
the SQL is the same on both engines and the stored rows are identical.
"""

from __future__ import annotations

import polars as pl

_COLUMNS_SQL = ("SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = ?")


def column_types(cur, table: str) -> dict[str, str]:
    """``{column: SQL type}`` of ``table`` as this engine spells it (castable back to it)."""
    return {name: kind for name, kind in cur.execute(_COLUMNS_SQL, [table]).fetchall()}


def insert_frame(cur, table: str, frame: pl.DataFrame, name: str = "demo_frame") -> int:
    """``INSERT INTO table SELECT ... FROM frame`` (one COPY on PostgreSQL); the rows inserted."""
    if frame.is_empty():
        return 0
    types = column_types(cur, table)
    missing = [c for c in frame.columns if c not in types]
    if missing:
        raise ValueError(f"{table} 没有列 {missing}")
    cur.register(name, frame)
    try:
        cols = ", ".join(frame.columns)
        values = ", ".join(f'CAST("{c}" AS {types[c]}) AS {c}' for c in frame.columns)
        cur.execute(f"INSERT INTO {table}({cols}) SELECT {values} FROM {name}").fetchall()
    finally:
        cur.unregister(name)
    return frame.height
