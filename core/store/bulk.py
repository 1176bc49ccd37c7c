"""Queries marked as giving large frames (a county's events: hundreds of thousands of rows).

An engine with a faster way for large results takes it for these: PostgreSQL reads them
through ADBC (``core.store.pg_arrow``), which costs a few round trips more than psycopg and
so made the dashboards' small frames slower (M: 6 → 20 ms, 43 → 75 ms). DuckDB ignores
the mark. A module marks its SQL text once, where it is defined: ``SQL = large("...")``.
"""

from __future__ import annotations

LARGE: set[str] = set()


def large(sql: str) -> str:
    """``sql``, marked as giving a large frame; returned unchanged."""
    LARGE.add(sql)
    return sql
