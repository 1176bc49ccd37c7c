"""The organisation tree: county → township/street → branch/village → party group/grid."""

from __future__ import annotations

from dataclasses import dataclass

from core.auth.scope import Scope
from core.levels import LEVELS
from core.store import Store



@dataclass(frozen=True)
class Org:
    code: str
    name: str
    level: str
    kind: str | None
    parent_code: str | None
    path: str


def get_org(store: Store, code: str) -> Org | None:
    row = store.one("SELECT code, name, level, kind, parent_code, path FROM orgs WHERE code = ?", [code])
    return Org(*row) if row else None


def tree(store: Store, scope: Scope, max_level: str = "branch") -> list[dict]:
    """Orgs in scope down to ``max_level``, each with its depth below the scope root and
    active member counts, in tree order."""
    allowed = list(LEVELS[: LEVELS.index(max_level) + 1])
    where, params = scope.sql("o")
    rows = store.all(
        f"""
        SELECT o.code, o.name, o.level, o.parent_code, o.path,
               (SELECT count(*) FROM members m JOIN orgs b ON b.code = coalesce(m.group_code, m.branch_code)
                 WHERE starts_with(b.path, o.path) AND m.status <> 'transferred') AS members
        FROM orgs o
        WHERE {where} AND o.level IN ({", ".join("?" for _ in allowed)})
        ORDER BY o.path
        """,
        params + allowed,
    )
    root_depth = scope.path.count("/")
    return [
        {"code": c, "name": n, "level": lv, "parent_code": p, "depth": path.count("/") - root_depth,
         "members": cnt}
        for c, n, lv, p, path, cnt in rows
    ]


def counts(store: Store, scope: Scope) -> dict[str, int]:
    where, params = scope.sql("o")
    row = store.one(
        f"""
        SELECT
          (SELECT count(*) FROM orgs o WHERE {where} AND o.level = 'township'),
          (SELECT count(*) FROM orgs o WHERE {where} AND o.level = 'branch'),
          (SELECT count(*) FROM members m JOIN orgs o ON o.code = m.branch_code
            WHERE {where} AND m.status = 'active'),
          (SELECT count(*) FROM members m JOIN orgs o ON o.code = m.branch_code
            WHERE {where} AND m.status = 'exempt'),
          (SELECT count(*) FROM members m JOIN orgs o ON o.code = m.branch_code
            WHERE {where} AND m.status <> 'transferred' AND m.probationary)
        """,
        params * 5,
    )
    return dict(zip(("townships", "branches", "active", "exempt", "probationary"), row))


def branches(store: Store, scope: Scope) -> list[tuple[str, str]]:
    """(code, name) of the branches in scope, in tree order."""
    where, params = scope.sql("o")
    return store.all(f"SELECT o.code, o.name FROM orgs o WHERE {where} AND o.level = 'branch' ORDER BY o.path", params)


def options(store: Store, scope: Scope, level: str, township: str | None = None) -> dict[str, str]:
    """code → name of the orgs of one level in scope (optionally within one township), in tree order."""
    where, params = scope.sql("o")
    sql = f"SELECT o.code, o.name FROM orgs o WHERE {where} AND o.level = ?"
    params = params + [level]
    if township:
        sql += " AND o.township_code = ?"
        params.append(township)
    return dict(store.all(sql + " ORDER BY o.path", params))


def names(store: Store, codes: list[str]) -> dict[str, str]:
    return dict(store.all("SELECT code, name FROM orgs WHERE list_contains(?, code)", [list(codes)]))
