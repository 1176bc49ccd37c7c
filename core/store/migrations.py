"""Versioned schema migrations, applied in order at start-up, on either engine.

An old database is upgraded step by step, never recreated. Each step runs in its own
transaction together with its row in ``schema_migrations``. A step's SQL is written for
both engines (``core.store.dialect`` translates the DDL spellings PostgreSQL lacks); a step
may add statements for one engine only, where only that engine needs them.
"""

from __future__ import annotations

from core.store import schema_v1, schema_v2, schema_v3, schema_v4, schema_v5, schema_v6, schema_v7, schema_v8, schema_v9, schema_v10, schema_v11

# (number, name, SQL for both engines, {engine: extra SQL})
MIGRATIONS: list[tuple[int, str, str, dict[str, str]]] = [
    (1, "组织、成员、用户、操作日志", schema_v1.SQL, {}),
    (2, "积分台账、评议、否决、活动、公示、异议、锁定", schema_v2.SQL, {}),
    (3, "登录会话", schema_v3.SQL, {}),
    (4, "各类积分对象、户成员、导入批次、组织停用与合并", schema_v4.SQL, {}),
    (5, "用户名不分大小写唯一", schema_v5.SQL, {}),
    (6, "多进程：请求编号唯一、查询索引", schema_v6.SQL, schema_v6.BY_ENGINE),
    (7, "有效积分记录汇总表", schema_v7.SQL, schema_v7.BY_ENGINE),
    (8, "乡村户积分、积分超市、党员义工、社区报到、自我申报", schema_v8.SQL, schema_v8.BY_ENGINE),
    (9, "上级审核、催办、方案版本、结果运用处置、参与率目标", schema_v9.SQL, schema_v9.BY_ENGINE),
    (10, "有效积分记录汇总表带积分项目与分值、各支部每月积分记录数", schema_v10.SQL, schema_v10.BY_ENGINE),
    (11, "各支部每月参与成员汇总表", schema_v11.SQL, schema_v11.BY_ENGINE),
]


def current_version(con) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchone()[0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]


def migrate(con, backend: str = "duckdb", upto: int | None = None) -> int:
    """Apply every pending migration (up to ``upto``) and return the resulting version.

    ``con`` is a DuckDB connection or a PostgreSQL cursor wrapper (``core.store.pg``); both
    take ``?`` placeholders. On PostgreSQL several app processes may start at once, so the
    caller holds an advisory lock around this.
    """
    from core.store.dialect import ddl

    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
    ).fetchall()
    version = current_version(con)
    for number, name, sql, by_engine in MIGRATIONS:
        if number <= version or (upto is not None and number > upto):
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            for statement in _statements(sql) + _statements(by_engine.get(backend, "")):
                con.execute(ddl(statement, backend)).fetchall()
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
