"""Registration: a member reports to a community on a date, takes a post and pledges.

One live registration per member and year: the write checks it (DuckDB), and on PostgreSQL
the partial unique index ``report_ins_live`` also refuses a second one written at the same
moment by another process (the write is then retried and this check refuses it). To change
community or post, withdraw and register again. A report after 5月10日 is kept and shown as
逾期报到, not refused.
"""

from __future__ import annotations

import datetime as dt

from core import audit, bounds
from core.auth import require
from core.reportin.rules import ReportInError, check_sides, community, is_late, member
from core.services.entry_rules import MemberRow
from core.store import Store

LIVE = "r.withdrawn_at IS NULL"


def register(store: Store, user, member_id: str, community_code: str, day: dt.date, post_id, pledge: str,
             today: dt.date | None = None) -> int:
    """Record the member's report to the community; returns the registration's id."""
    require(user, "report_in")
    mid, name, branch = member(store, member_id)
    code, community_name = community(store, community_code)
    check_sides(store, user, branch, code, mid)
    day = bounds.day(day, "报到日期", today=today, error=ReportInError)
    pledge = bounds.text(pledge, "服务承诺", required=True, error=ReportInError)
    post_id = bounds.record_id(post_id, "服务岗位", error=ReportInError) if post_id is not None else None
    if post_id is None:
        raise ReportInError("请选择认领的服务岗位")
    post = store.one("SELECT name, active FROM community_posts WHERE id = ? AND community_code = ?", [post_id, code])
    if post is None or not post[1]:
        raise ReportInError(f"服务岗位 {post_id} 不是{community_name}在用的岗位")

    def work(cur) -> int:
        live = cur.execute(
            "SELECT r.date, o.name FROM report_ins r JOIN orgs o ON o.code = r.community_code"
            f" WHERE r.member_id = ? AND r.year = ? AND {LIVE}", [mid, day.year]).fetchone()
        if live:
            raise ReportInError(f"{name}已于{live[0]:%Y-%m-%d}到{live[1]}报到（{day.year}年），"
                                "每人每年只有一条报到记录；如需更换社区或岗位，请先撤销原报到")
        rid = cur.execute(
            "INSERT INTO report_ins(member_id, community_code, year, date, post_id, pledge, made_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [mid, code, day.year, day, post_id, pledge, user.username]).fetchone()[0]
        audit.record(cur, user.username, "report_in.register", entity="report_in", entity_id=rid, org_code=code,
                     member_id=mid, after={"community": code, "date": day, "post": post[0], "pledge": pledge,
                                           "late": is_late(day)})
        return rid

    return store.write(work)


def withdraw(store: Store, user, registration_id, reason: str) -> None:
    """Withdraw a live registration (a mistake, a move): the row stays, marked withdrawn."""
    require(user, "report_in")
    rid = bounds.record_id(registration_id, "报到记录编号", error=ReportInError)
    reason = bounds.text(reason, "撤销原因", required=True, error=ReportInError)
    row = store.one("SELECT r.member_id, r.community_code, m.branch_code, r.withdrawn_at, r.date FROM report_ins r"
                    " JOIN members m ON m.id = r.member_id WHERE r.id = ?", [rid])
    if row is None:
        raise ReportInError(f"未找到报到记录 {rid}")
    mid, code, branch, withdrawn, day = row
    check_sides(store, user, branch, code, mid)
    if withdrawn is not None:
        raise ReportInError(f"报到记录 {rid} 已撤销")

    def work(cur) -> None:
        done = cur.execute("UPDATE report_ins SET withdrawn_at = current_timestamp, withdrawn_by = ?"
                           " WHERE id = ? AND withdrawn_at IS NULL RETURNING id", [user.username, rid]).fetchall()
        if not done:
            raise ReportInError(f"报到记录 {rid} 已撤销")
        audit.record(cur, user.username, "report_in.withdraw", entity="report_in", entity_id=rid, org_code=code,
                     member_id=mid, before={"community": code, "date": day}, reason=reason)

    store.write(work)


def community_roster(store: Store, community_code: str, day: dt.date) -> list[MemberRow]:
    """Members with a live registration of ``day``'s year with the community, registered by
    ``day``: whom a 社区报到活动 of that day lists (they belong to other branches)."""
    return [MemberRow(*r) for r in store.all(
        "SELECT m.id, m.name, m.branch_code, m.kind, m.category, m.status FROM report_ins r"
        f" JOIN members m ON m.id = r.member_id WHERE r.community_code = ? AND r.year = ? AND {LIVE}"
        " AND r.date <= ? ORDER BY m.name COLLATE zh, m.id", [community_code, day.year, day])]


def candidates(store: Store, user, community_code: str | None, query: str, limit: int = 30) -> list[tuple[str, str, str]]:
    """(id, name, branch name) of active party members the user may register: for the staff
    of the community, any in the county (they come from other branches); otherwise those in
    the user's own scope. Matched by name, pinyin initials or id, like the member pickers."""
    from core.auth import scope_for
    from core.members import search_clause

    scope = scope_for(store, user)
    if community_code and scope.contains_org(store, community_code):
        path = store.scalar("SELECT path FROM orgs WHERE code = ?", [community_code])
        where, params = "starts_with(b.path, ?)", ["/" + path.split("/")[1] + "/"]  # the county's subtree
    else:
        where, params = scope.sql("b")
    clause, qparams = search_clause(query or "")
    return store.all(
        "SELECT m.id, m.name, b.name FROM members m JOIN orgs b ON b.code = m.branch_code"
        f" WHERE {where} AND m.kind = 'member' AND m.status = 'active'{clause}"
        " ORDER BY m.name COLLATE zh, m.id LIMIT ?", params + qparams + [limit])
