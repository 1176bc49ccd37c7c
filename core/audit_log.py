"""Reading the audit log (操作日志): who did what, when, before and after, and why,
filtered by user, member and date, within the reader's scope."""

from __future__ import annotations

import datetime as dt

import polars as pl

from core.store import Store

ACTION_NAMES = {
    "login": "登录", "login.failed": "登录失败", "user.add": "新增用户", "scope.denied": "越权访问被拒绝",
    "event.enter": "录入积分", "event.reverse": "撤销积分", "event.approve": "审核通过", "event.reject": "审核驳回",
    "scheme.assign": "设置积分方案", "publicity.open": "发起公示", "publicity.republish": "重新公示",
    "objection.file": "登记异议", "objection.assign": "指定经办人", "objection.resolve": "办结异议",
    "period.finalise": "确认归档", "period.reopen": "重新开放", "demo.generate": "生成演示数据",
}


def action_name(action: str) -> str:
    return ACTION_NAMES.get(action, action)


def _where(scope, username: str | None, member: str | None, start: dt.date | None,
           end: dt.date | None) -> tuple[str, list]:
    # A row is in scope through its organisation, its member, or the user who acted.
    clauses = ["(starts_with(o.path, ?) OR starts_with(mo.path, ?) OR starts_with(uo.path, ?))"]
    params: list = [scope.path] * 3
    if username:
        clauses.append("a.username = ?")
        params.append(username)
    if member and member.strip():
        clauses.append("(a.member_id = ? OR contains(m.name, ?))")
        params += [member.strip(), member.strip()]
    if start:
        clauses.append("a.happened_at >= ?")
        params.append(dt.datetime.combine(start, dt.time.min))
    if end:
        clauses.append("a.happened_at < ?")
        params.append(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    return " AND ".join(clauses), params


_FROM = """FROM audit_log a
  LEFT JOIN orgs o ON o.code = a.org_code
  LEFT JOIN members m ON m.id = a.member_id LEFT JOIN orgs mo ON mo.code = m.branch_code
  LEFT JOIN users u ON u.username = a.username LEFT JOIN orgs uo ON uo.code = u.org_code"""


def search(store: Store, scope, *, username: str | None = None, member: str | None = None,
           start: dt.date | None = None, end: dt.date | None = None, limit: int = 50,
           offset: int = 0) -> tuple[pl.DataFrame, int]:
    """One page of audit rows, newest first, with Chinese column names; and the total."""
    where, params = _where(scope, username, member, start, end)
    total = store.scalar(f"SELECT count(*) {_FROM} WHERE {where}", params)
    frame = store.frame(
        f"""SELECT strftime(a.happened_at, '%Y-%m-%d %H:%M:%S') AS 时间, a.username AS 用户, a.action AS 操作,
                   concat_ws(' ', a.entity, a.entity_id) AS 对象, o.name AS 组织,
                   concat_ws(' ', m.name, a.member_id) AS 成员, CAST(a.before_json AS VARCHAR) AS 修改前,
                   CAST(a.after_json AS VARCHAR) AS 修改后, a.reason AS 原因
            {_FROM} WHERE {where} ORDER BY a.id DESC LIMIT ? OFFSET ?""",
        params + [limit, offset],
    )
    return frame.with_columns(pl.col("操作").replace_strict(ACTION_NAMES, default=pl.col("操作"))), total


def users_in_scope(store: Store, scope) -> list[tuple[str, str]]:
    """(username, display name) of the users whose organisation is in scope."""
    return store.all("SELECT u.username, u.display_name FROM users u JOIN orgs o ON o.code = u.org_code"
                     " WHERE starts_with(o.path, ?) ORDER BY u.username", [scope.path])
