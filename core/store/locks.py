"""Row locks for decisions about one record that two writers may take at once.

On PostgreSQL two app processes can decide about the same event at the same moment (a
recorder reverses it while the secretary approves it). ``SELECT … FOR UPDATE`` in each write
makes the second wait for the first to commit; under read committed its next statement then
sees the first one's decision. DuckDB cannot parse ``FOR UPDATE`` and needs none: one process
holds the file and its write lock lets one write run at a time.
"""

from __future__ import annotations


def lock_rows(cur, table: str, ids: list, key: str = "id", strength: str = "UPDATE") -> None:
    """Lock ``table``'s rows whose ``key`` is one of ``ids`` until the write commits (in key
    order, so two batches that share rows cannot deadlock). ``strength`` "NO KEY UPDATE" lets
    rows that refer to them still be written meanwhile."""
    if getattr(cur, "backend", "duckdb") != "postgres" or not ids:
        return
    cur.execute(f"SELECT {key} FROM {table} WHERE {key} = ANY(?) ORDER BY {key} FOR {strength}",
                [list(ids)]).fetchall()
