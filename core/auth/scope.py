"""Organisation scope: which part of the tree a user may read and write.

Services call ``Scope.check_org`` / ``check_member`` before touching data; a refusal is
audited, because a crafted request for another branch is worth knowing about.
"""

from __future__ import annotations

from dataclasses import dataclass

from core import audit, bounds
from core.store import Store


class ScopeError(PermissionError):
    pass


@dataclass(frozen=True)
class Scope:
    username: str
    role: str
    org_code: str
    path: str  # the root org's path; everything whose path starts with it is in scope
    # A 网格员's grid (an ``orgs`` row of level 'group'): the scope is the grid's branch (its
    # results, its scheme), and of its subjects only those of the grid (``members.group_code``).
    grid: str | None = None

    def sql(self, alias: str = "o") -> tuple[str, list]:
        """A WHERE fragment restricting an ``orgs`` alias to this scope."""
        return f"starts_with({alias}.path, ?)", [self.path]

    def contains_org(self, store: Store, org_code: str) -> bool:
        # a code that is no text (a number, undecodable bytes) is refused before any query sees it
        org_code = bounds.code(org_code, "组织编码", error=ScopeError)
        path = store.scalar("SELECT path FROM orgs WHERE code = ?", [org_code])
        return path is not None and path.startswith(self.path)

    def check_org(self, store: Store, org_code: str) -> None:
        if not self.contains_org(store, org_code):
            self._refuse(store, f"组织 {org_code} 不在您的管辖范围内", org_code=org_code)

    def narrowed(self, store: Store, org_code: str) -> Scope:
        """This scope narrowed to ``org_code``'s subtree (refused, and audited, outside it)."""
        self.check_org(store, org_code)
        path = store.scalar("SELECT path FROM orgs WHERE code = ?", [org_code])
        return Scope(self.username, self.role, org_code, path, self.grid)

    def check_member(self, store: Store, member_id: str) -> str:
        """Return the member's branch code, or refuse if the member is outside the scope."""
        member_id = bounds.code(member_id, "成员编号", error=ScopeError)
        row = store.one(
            "SELECT m.branch_code, o.path, m.group_code FROM members m JOIN orgs o ON o.code = m.branch_code"
            " WHERE m.id = ?",
            [member_id],
        )
        if row is None:
            raise ScopeError(f"未找到成员 {member_id}")
        if not row[1].startswith(self.path):
            self._refuse(store, f"成员 {member_id} 不在您的管辖范围内", member_id=member_id)
        if self.grid is not None and row[2] != self.grid:
            self._refuse(store, f"成员 {member_id} 不在您负责的网格（{self.grid}）内", member_id=member_id)
        return row[0]

    def member_sql(self, alias: str = "m") -> tuple[str, list]:
        """An ``AND`` fragment restricting a ``members`` alias to a grid user's grid (else nothing)."""
        return (f" AND {alias}.group_code = ?", [self.grid]) if self.grid is not None else ("", [])

    def branch_codes(self, store: Store) -> list[str]:
        return [r[0] for r in store.all(
            "SELECT code FROM orgs WHERE level = 'branch' AND starts_with(path, ?) ORDER BY path", [self.path])]

    def _refuse(self, store: Store, message: str, **target) -> None:
        store.write(lambda cur: audit.record(cur, self.username, "scope.denied", reason=message, **target))
        raise ScopeError(message)


def scope_for(store: Store, user) -> Scope:
    """A staff user's part of the tree. A ``subject`` login has none: it reads only its own
    account through ``core.self_service``, so every staff service (each asks here) refuses
    it, and the attempt is audited like any crafted request."""
    if user.role == "subject":
        store.write(lambda cur: audit.record(cur, user.username, "scope.denied", reason="积分对象账号调用管理服务"))
        raise ScopeError("积分对象账号只能查看本人的积分和申报")
    row = store.one("SELECT o.path, o.level, p.path FROM orgs o LEFT JOIN orgs p ON p.code = o.parent_code"
                    " WHERE o.code = ?", [user.org_code])
    if row is None:
        raise ScopeError(f"用户 {user.username} 的组织 {user.org_code} 不存在")
    path, level, parent_path = row
    if level == "group" and parent_path:
        return Scope(user.username, user.role, user.org_code, parent_path, grid=user.org_code)
    return Scope(user.username, user.role, user.org_code, path)
