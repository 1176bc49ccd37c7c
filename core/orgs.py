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


def tree(store: Store, scope: Scope, max_level: str = "branch", include_inactive: bool = False) -> list[dict]:
    """Orgs in scope down to ``max_level``, each with its depth below the scope root and
    active member counts, in tree order. Deactivated (and merged) orgs only when asked."""
    allowed = list(LEVELS[: LEVELS.index(max_level) + 1])
    where, params = scope.sql("o")
    rows = store.all(
        f"""
        SELECT o.code, o.name, o.level, o.parent_code, o.path, coalesce(o.active, true), o.kind, o.merged_into,
               (SELECT count(*) FROM members m JOIN orgs b ON b.code = coalesce(m.group_code, m.branch_code)
                 WHERE starts_with(b.path, o.path) AND m.status NOT IN ('transferred', 'deceased')) AS members
        FROM orgs o
        WHERE {where} AND o.level IN ({", ".join("?" for _ in allowed)}) AND (coalesce(o.active, true) OR ?)
        ORDER BY o.path
        """,
        params + allowed + [include_inactive],
    )
    root_depth = scope.path.count("/")
    return [
        {"code": c, "name": n, "level": lv, "parent_code": p, "depth": path.count("/") - root_depth,
         "members": cnt, "active": active, "kind": kind, "merged_into": merged}
        for c, n, lv, p, path, active, kind, merged, cnt in rows
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
            WHERE {where} AND m.status NOT IN ('transferred', 'deceased') AND m.probationary)
        """,
        params * 5,
    )
    return dict(zip(("townships", "branches", "active", "exempt", "probationary"), row))


# The org a label adds to tell same-named orgs apart: a branch or group its township, a
# township its county (demo branches share 131 names among 300 at M).
_CONTEXT_SQL = "CASE o.level WHEN 'township' THEN o.county_code WHEN 'county' THEN NULL ELSE o.township_code END"


def labels(store: Store, codes) -> dict[str, str]:
    """code → the org's display label, unique in the whole tree: its name; its name and
    township (小河村党支部（柳林镇）) when another org of its level has the same name; and its
    code too when even that is shared. Every picker shows these, so two same-named
    branches can never be confused, and a label means the same org on every page."""
    codes = list(dict.fromkeys(codes))
    if not codes:
        return {}
    rows = store.all(
        f"""WITH o AS (
              SELECT o.code, o.name, o.level, coalesce(c.name, '') AS context
              FROM orgs o LEFT JOIN orgs c ON c.code = coalesce({_CONTEXT_SQL}, o.parent_code)
              WHERE o.level IN (SELECT level FROM orgs WHERE code = ANY(?)))
            SELECT code, name, context, same_name, same_context FROM (
              SELECT code, name, context, count(*) OVER (PARTITION BY level, name) AS same_name,
                     count(*) OVER (PARTITION BY level, name, context) AS same_context
              FROM o) x
            WHERE code = ANY(?)""", [codes, codes])
    out = {}
    for code, name, context, same_name, same_context in rows:
        if same_name == 1:
            out[code] = name
        elif same_context == 1 and context:
            out[code] = f"{name}（{context}）"
        else:
            out[code] = f"{name}（{context}，{code}）" if context else f"{name}（{code}）"
    return {code: out[code] for code in codes if code in out}


def branch_codes(store: Store, scope: Scope) -> list[str]:
    """The branches in use in scope, in tree order."""
    where, params = scope.sql("o")
    return [r[0] for r in store.all(f"SELECT o.code FROM orgs o WHERE {where} AND o.level = 'branch'"
                                    " AND coalesce(o.active, true) ORDER BY o.path", params)]


def branches(store: Store, scope: Scope) -> list[tuple[str, str]]:
    """(code, label) of the branches in use in scope, in tree order (labels from ``labels``)."""
    codes = branch_codes(store, scope)
    shown = labels(store, codes)
    return [(code, shown[code]) for code in codes]


def options(store: Store, scope: Scope, level: str, township: str | None = None) -> dict[str, str]:
    """code → label of the orgs of one level in scope (optionally within one township), in tree order."""
    where, params = scope.sql("o")
    sql = f"SELECT o.code FROM orgs o WHERE {where} AND o.level = ?"
    params = params + [level]
    if township:
        sql += " AND o.township_code = ?"
        params.append(township)
    return labels(store, [r[0] for r in store.all(sql + " ORDER BY o.path", params)])


def names(store: Store, codes: list[str]) -> dict[str, str]:
    """code → label (see ``labels``): what charts and tables name an org by."""
    return labels(store, codes)


def in_use(store: Store, scope: Scope, levels=("county", "township", "branch", "group"),
           under: str | None = None) -> dict[str, str]:
    """code → label of the orgs in use (not deactivated) in scope at ``levels``, optionally only
    those whose parent is ``under``, in tree order: what the 组织与人员 pickers offer."""
    where, params = scope.sql("o")
    levels = list(levels)
    sql = (f"SELECT o.code FROM orgs o WHERE {where} AND coalesce(o.active, true)"
           " AND o.level = ANY(?)")
    params = params + [levels]
    if under is not None:
        sql += " AND o.parent_code = ?"
        params.append(under)
    return labels(store, [r[0] for r in store.all(sql + " ORDER BY o.path", params)])
