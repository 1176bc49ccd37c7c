"""Versioned schema migrations, applied in order at start-up.

An old database file is upgraded step by step, never recreated. Each step runs in its
own transaction together with its row in ``schema_migrations``.
"""

from __future__ import annotations

import duckdb

from core.store import schema_v1, schema_v2, schema_v3, schema_v4, schema_v5

MIGRATIONS: list[tuple[int, str, str]] = [
    (1, "组织、成员、用户、操作日志", schema_v1.SQL),
    (2, "积分台账、评议、否决、活动、公示、异议、锁定", schema_v2.SQL),
    (3, "登录会话", schema_v3.SQL),
    (4, "各类积分对象、户成员、导入批次、组织停用与合并", schema_v4.SQL),
    (5, "用户名不分大小写唯一", schema_v5.SQL),
]


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchone()[0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]


def migrate(con: duckdb.DuckDBPyConnection, upto: int | None = None) -> int:
    """Apply every pending migration (up to ``upto``) and return the resulting version."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
    ).fetchall()
    version = current_version(con)
    for number, name, sql in MIGRATIONS:
        if number <= version or (upto is not None and number > upto):
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            for statement in _statements(sql):
                con.execute(statement).fetchall()
            con.execute("INSERT INTO schema_migrations(version, name) VALUES (?, ?)", [number, name])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        version = number
    return version


def _statements(sql: str) -> list[str]:
    # Migration SQL keeps ";" out of comments and literals, so a plain split is exact.
    return [s.strip() for s in sql.split(";") if s.strip()]
