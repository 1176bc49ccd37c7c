"""Members: listing and search within a scope (by name or pinyin initials)."""

from __future__ import annotations

import polars as pl

from core import bounds
from core.auth.scope import Scope
from core.store import Store

# Transferred and deceased members keep their records but leave the lists and counts.
STATUS_NAMES = {"active": "正常", "transferred": "已转出", "exempt": "免于评星", "deceased": "已故"}
GONE = "('transferred', 'deceased')"

_COLUMNS = """
  m.id AS 编号, m.name AS 姓名, m.gender AS 性别, m.birth_date AS 出生日期, m.join_date AS 入党日期,
  CASE WHEN m.probationary THEN '预备党员' ELSE '正式党员' END AS 党员类别,
  m.category AS 分类, b.name AS 所在支部, g.name AS 党小组, m.phone AS 联系电话,
  CASE m.status WHEN 'active' THEN '正常' WHEN 'exempt' THEN '免于评星' WHEN 'deceased' THEN '已故' ELSE '已转出' END AS 状态,
  m.exempt_reason AS 免评原因
"""


def search_clause(query: str) -> tuple[str, list]:
    # A search is not kept, so what a store cannot take is dropped rather than refused: a query
    # that is no text, control characters (NUL), lone surrogates, and anything past the longest
    # name (a pasted page).
    query = "".join(ch for ch in query if ord(ch) >= 32 and not bounds.unencodable(ch))[:100] \
        if isinstance(query, str) else ""
    q = query.strip().lower()
    if not q:
        return "", []
    if q.isascii():
        # Initials match from the start (zs → 张三); full pinyin matches as a prefix too.
        # A household is found by its house number too, from its start or inside (门牌号 "12"
        # finds 3-12 and 一组12号), as the Chinese branch below does.
        return (" AND (starts_with(m.initials, ?) OR starts_with(m.pinyin, ?) OR m.id ILIKE ?"
                " OR strpos(lower(m.house_no), ?) > 0)", [q, q, q + "%", q])
    return " AND (strpos(m.name, ?) > 0 OR strpos(m.house_no, ?) > 0)", [query.strip(), query.strip()]


def search(store: Store, scope: Scope, query: str = "", *, branch_code: str | None = None,
           include_transferred: bool = False, limit: int = 50, offset: int = 0) -> tuple[pl.DataFrame, int]:
    """Members in scope matching ``query``; returns (one page as a frame, total matches)."""
    sql_where, params = _where(scope, query, branch_code, include_transferred)
    base = f"FROM members m JOIN orgs b ON b.code = m.branch_code LEFT JOIN orgs g ON g.code = m.group_code {sql_where}"
    total = store.scalar(f"SELECT count(*) {base}", params)
    frame = store.frame(
        f"SELECT {_COLUMNS} {base} ORDER BY b.path, m.name COLLATE zh, m.id LIMIT ? OFFSET ?",
        params + [limit, offset],
    )
    return frame, total


def pick(store: Store, scope: Scope, query: str, *, branch_code: str | None = None, limit: int = 20,
         kinds: list[str] | None = None) -> list[tuple[str, str, str]]:
    """(id, name, branch name) candidates for a member picker; ``kinds``: only subjects of
    those kinds (a village's households, not its party members)."""
    sql_where, params = _where(scope, query, branch_code, include_transferred=False)
    if kinds:
        sql_where += " AND coalesce(m.kind, 'member') = ANY(?)"
        params.append(list(kinds))
    return store.all(f"SELECT m.id, m.name, b.name FROM members m JOIN orgs b ON b.code = m.branch_code {sql_where}"
                     " ORDER BY m.name COLLATE zh, m.id LIMIT ?", params + [limit])


def _where(scope: Scope, query: str, branch_code: str | None, include_transferred: bool) -> tuple[str, list]:
    """The WHERE clause (members ``m``, branches ``b``) shared by the list and the picker."""
    where, params = scope.sql("b")
    grid, gparams = scope.member_sql("m")  # a 网格员 finds only their grid's subjects
    clause, qparams = search_clause(query)
    sql = f"WHERE {where}{grid}{clause}"
    params = params + gparams + qparams
    if branch_code:
        sql += " AND m.branch_code = ?"
        params.append(branch_code)
    if not include_transferred:
        sql += f" AND m.status NOT IN {GONE}"
    return sql, params


def categories(store: Store) -> list[str]:
    """The member categories in use (骨干类, 无职, 机关 …), for filters."""
    return [r[0] for r in store.all("SELECT DISTINCT category FROM members WHERE category IS NOT NULL ORDER BY 1")]
