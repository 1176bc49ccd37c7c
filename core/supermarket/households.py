"""Finding the household (or volunteer) at the counter: by name, pinyin initials or house
number, among the village's subjects that may spend."""

from __future__ import annotations

from core.auth.scope import Scope
from core.members import search_clause
from core.store import Store
from core.supermarket.reports import SPENDING_KINDS


def find(store: Store, scope: Scope, branch_code: str, query: str = "", limit: int = 30) -> dict[str, str]:
    """id → a unique label, 张大户（一组12号，H01）, of the matching active subjects."""
    where, params = scope.sql("o")
    clause, qparams = search_clause(query)  # name, initials, pinyin or house number
    rows = store.all(
        f"SELECT m.id, m.name, m.house_no FROM members m JOIN orgs o ON o.code = m.branch_code"
        f" WHERE {where} AND m.branch_code = ? AND m.status = 'active' AND m.kind = ANY(?){clause}"
        " ORDER BY m.name COLLATE zh, m.id LIMIT ?",
        params + [branch_code, SPENDING_KINDS] + qparams + [limit])
    return {sid: f"{name}（{house + '，' if house else ''}{sid}）" for sid, name, house in rows}
