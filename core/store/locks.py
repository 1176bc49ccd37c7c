"""Row locks for decisions about one record that two writers may take at once.

On PostgreSQL two app processes can decide about the same event at the same moment (a
recorder reverses it while the secretary approves it). ``SELECT … FOR UPDATE`` in each write
makes the second wait for the first to commit; under read committed its next statement then
sees the first one's decision. DuckDB cannot parse ``FOR UPDATE`` and needs none: one process
holds the file and its write lock lets one write run at a time.
"""

from __future__ import annotations


def lock_rows(cur, table: str, ids: list) -> None:
    """Lock ``table``'s rows with these ids until the write commits (in id order, so two
    batches that share rows cannot deadlock)."""
    if getattr(cur, "backend", "duckdb") != "postgres" or not ids:
        return
    cur.execute(f"SELECT id FROM {table} WHERE id = ANY(?) ORDER BY id FOR UPDATE", [list(ids)]).fetchall()
