"""The report-in rules of seed 003 and who may act on a registration.

A registration joins two sides: the member's own branch (the department's 机关党支部) and
the community. Staff of either side may register, withdraw or print for the member; anyone
else is refused, and the attempt is audited like any crafted request outside one's scope.
"""

from __future__ import annotations

import datetime as dt

from core import bounds
from core.auth.scope import Scope, scope_for
from core.services.entry_rules import EntryError
from core.store import Store

DEADLINE = (5, 10)  # 在5月10日前到社区报到: a report on 05-10 is on time, 05-11 late
RATE_TARGET = 90.0  # 部门在职党员到社区报到率达到90%以上
ACTIVITIES_MIN = 4  # 年内参加志愿服务活动不少于4次
ACTIVITY_TYPE = "社区报到活动"  # a community's activity for its reported members (core.services.attendance)
GRADES = ("好", "较好", "一般", "差")  # 民主测评 grades
HALVES = {1: "上半年", 2: "下半年"}  # 每半年民主测评一次
ON_TIME, LATE = "按时报到", "逾期报到"


class ReportInError(EntryError):
    """Bad input or a refused report-in step; the message is shown as is."""


def deadline(year: int) -> dt.date:
    return dt.date(year, *DEADLINE)


def is_late(day: dt.date) -> bool:
    return day > deadline(day.year)


def timeliness(day: dt.date) -> str:
    return LATE if is_late(day) else ON_TIME


def half_start(year: int, half: int) -> dt.date:
    return dt.date(year, 1 if half == 1 else 7, 1)


def community(store: Store, code: str) -> tuple[str, str]:
    """(code, name) of an active community (a 社区 branch), or a refusal."""
    code = bounds.code(code, "社区编码", error=ReportInError)
    row = store.one("SELECT code, name, kind, level, coalesce(active, true) FROM orgs WHERE code = ?", [code])
    if row is None:
        raise ReportInError(f"未找到社区 {str(code)[:20]}")
    if row[2] != "community" or row[3] != "branch" or not row[4]:
        raise ReportInError(f"「{row[1]}」不是在用的社区党组织，不能接收报到")
    return row[0], row[1]


def member(store: Store, member_id: str) -> tuple[str, str, str]:
    """(id, name, branch code) of an active party member, or a refusal."""
    member_id = bounds.code(member_id, "党员编号", error=ReportInError)
    row = store.one("SELECT id, name, branch_code, kind, status FROM members WHERE id = ?", [member_id])
    if row is None:
        raise ReportInError(f"未找到党员 {str(member_id)[:20]}")
    if row[3] != "member" or row[4] != "active":
        raise ReportInError(f"{row[1]}不是在册的正常党员，不能到社区报到")
    return row[0], row[1], row[2]


def check_sides(store: Store, user, member_branch: str, community_code: str, member_id: str | None) -> Scope:
    """The user's scope, if it holds the member's branch (or, without a member, the
    department's branch) or the community; else an audited refusal."""
    scope = scope_for(store, user)
    if not (scope.contains_org(store, member_branch) or scope.contains_org(store, community_code)):
        who = f"党员 {member_id}" if member_id else f"支部 {member_branch}"
        scope._refuse(store, f"{who} 及社区 {community_code} 都不在您的管辖范围内",
                      member_id=member_id, org_code=community_code)
    return scope


def check_community(store: Store, user, community_code: str) -> tuple[str, str]:
    """The community (code, name), refusing (audited) a user whose scope does not hold it."""
    code, name = community(store, community_code)
    scope_for(store, user).check_org(store, code)
    return code, name
