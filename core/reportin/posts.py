"""A community's service posts (服务岗位): 政策宣传, 环境整治, 纠纷调解 … that reported
members take. A post is renamed or deactivated, never deleted: registrations keep theirs."""

from __future__ import annotations

from core import audit, bounds
from core.auth import require
from core.reportin.rules import ReportInError, check_community
from core.store import Store

SUGGESTED = ("政策宣传", "环境整治", "纠纷调解", "扶贫帮困", "医疗保健", "便民服务", "法律援助", "文化活动")  # seed 003


def posts(store: Store, community_code: str, *, active_only: bool = False) -> list[dict]:
    """The community's posts in the order they were set up, with how many live registrations hold each."""
    rows = store.all(
        "SELECT p.id, p.name, p.description, p.active,"
        " (SELECT count(*) FROM report_ins r WHERE r.post_id = p.id AND r.withdrawn_at IS NULL)"
        " FROM community_posts p WHERE p.community_code = ?" + (" AND p.active" if active_only else "")
        + " ORDER BY p.id", [community_code])
    return [{"id": r[0], "name": r[1], "description": r[2] or "", "active": r[3], "holders": r[4]} for r in rows]


def _fields(name, description) -> tuple[str, str]:
    name = bounds.text(name, "岗位名称", required=True, max_len=bounds.NAME_MAX, multiline=False, error=ReportInError)
    return name, bounds.text(description, "岗位职责", error=ReportInError)


def _check_unique(cur, community_code: str, name: str, post_id: int | None = None) -> None:
    row = cur.execute("SELECT id FROM community_posts WHERE community_code = ? AND name = ? AND active AND id <> ?",
                      [community_code, name, post_id or 0]).fetchone()
    if row:
        raise ReportInError(f"本社区已有在用的岗位「{name}」")


def add_post(store: Store, user, community_code: str, name: str, description: str = "") -> int:
    require(user, "report_in")
    code, _ = check_community(store, user, community_code)
    name, description = _fields(name, description)

    def work(cur) -> int:
        _check_unique(cur, code, name)
        post_id = cur.execute(
            "INSERT INTO community_posts(community_code, name, description, created_by) VALUES (?, ?, ?, ?) RETURNING id",
            [code, name, description or None, user.username]).fetchone()[0]
        audit.record(cur, user.username, "report_in.post_add", entity="community_post", entity_id=post_id,
                     org_code=code, after={"name": name, "description": description})
        return post_id

    return store.write(work)


def _post(store: Store, user, post_id) -> tuple[int, str, str, str, bool]:
    post_id = bounds.record_id(post_id, "岗位编号", error=ReportInError)
    row = store.one("SELECT id, community_code, name, coalesce(description, ''), active FROM community_posts WHERE id = ?",
                    [post_id])
    if row is None:
        raise ReportInError(f"未找到岗位 {post_id}")
    require(user, "report_in")
    check_community(store, user, row[1])
    return row


def rename_post(store: Store, user, post_id, name: str, description: str | None = None) -> None:
    """A new name (and, when given, duties) for a post; registrations holding it follow."""
    post_id, code, old_name, old_description, active = _post(store, user, post_id)
    name, description = _fields(name, old_description if description is None else description)

    def work(cur) -> None:
        if active:
            _check_unique(cur, code, name, post_id)
        cur.execute("UPDATE community_posts SET name = ?, description = ? WHERE id = ?",
                    [name, description or None, post_id]).fetchall()
        audit.record(cur, user.username, "report_in.post_rename", entity="community_post", entity_id=post_id,
                     org_code=code, before={"name": old_name, "description": old_description},
                     after={"name": name, "description": description})

    store.write(work)


def set_post_active(store: Store, user, post_id, active: bool) -> None:
    """Deactivate a post (no new registrations take it) or bring it back."""
    post_id, code, name, _, was = _post(store, user, post_id)
    if bool(active) == bool(was):
        return

    def work(cur) -> None:
        if active:
            _check_unique(cur, code, name, post_id)
        cur.execute("UPDATE community_posts SET active = ? WHERE id = ?", [bool(active), post_id]).fetchall()
        audit.record(cur, user.username, "report_in.post_active", entity="community_post", entity_id=post_id,
                     org_code=code, before={"active": was}, after={"active": bool(active)})

    store.write(work)
