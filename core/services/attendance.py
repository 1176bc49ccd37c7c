"""活动签到: an activity, who attended, and the point events that follow from the scheme.

Saving writes the activity, every attendance row and the generated events (status 待审核,
linked by ``activity_id``) in one transaction. Participation rates are read back from the
attendance rows: 参与率 = 实到 / 应到, where 应到 counts everyone on the list, including
those on leave (请假).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from core import audit, bounds
from core.auth import require, scope_for
from core.reportin.registrations import community_roster
from core.reportin.rules import ACTIVITY_TYPE as COMMUNITY_TYPE
from core.scheme import Scheme
from core.scheme_assignments import scheme_for
from core.services.entry_rules import EntryError, MemberRow, check_date, check_unlocked
from core.services.ledger import insert_event
from core.services.rollups import count_attendance
from core.store import Store

ORG_LIFE = ("支部党员大会", "党小组会", "党课", "主题党日")  # 三会一课 + 主题党日 that every member attends
ACTIVITY_TYPES = ORG_LIFE + ("支委会", "志愿服务", "其他")
STATUSES = {"present": "出席", "absent": "缺席", "leave": "请假"}

# Which item follows from an activity, per attendance status. The first code the scheme
# defines is used; the schemes name the same act differently (缺席三会一课 / 缺席组织生活).
# 支委会 only concerns committee members, so it records attendance without points; the
# secretary enters a committee member's absence by hand.
ABSENCE_ITEMS = ("miss_meeting", "miss_org_life", "miss_activity")
FOLLOWING_ITEMS: dict[str, dict[str, tuple[str, ...]]] = {
    # a scheme that counts 参加党的组织生活 toward a yearly minimum (party-votes-80-20) gets it from
    # the attendance itself, so nobody types it again
    **{kind: {"absent": ABSENCE_ITEMS, "present": ("org_life",)} for kind in ORG_LIFE},
    "志愿服务": {"present": ("volunteer",)},  # party-votes-80-20 counts it; q100 1.1 has no such item
}


@dataclass(frozen=True)
class SavedActivity:
    id: int
    event_ids: tuple[int, ...]


def roster(store: Store, branch_code: str) -> list[MemberRow]:
    """Active members of a branch, in name order: the sign-in list."""
    return [MemberRow(*r) for r in store.all(
        "SELECT id, name, branch_code, kind, category, status FROM members"
        " WHERE branch_code = ? AND status = 'active' ORDER BY name COLLATE zh, id", [branch_code])]


def following_items(scheme: Scheme, activity_type: str, members: list[MemberRow],
                    statuses: dict[str, str]) -> list[tuple[MemberRow, str]]:
    """(member, item code) for every event the activity generates under ``scheme``."""
    out = []
    for member in members:
        for code in FOLLOWING_ITEMS.get(activity_type, {}).get(statuses.get(member.id), ()):
            item = scheme.items.get(code)
            if item is not None and member.kind in item.kinds and not item.is_range:
                out.append((member, code))
                break
    return out


def create_activity(store: Store, user, branch_code: str, activity_type: str, date: dt.date, title: str,
                    statuses: dict[str, str], note: str = "", request_key: str | None = None,
                    today: dt.date | None = None) -> SavedActivity:
    """Record an activity with each listed member's status (present/absent/leave).

    Members left off ``statuses`` were not expected (a 党小组会 of one group). The same
    ``request_key`` saved twice returns the first activity and writes nothing.

    A 社区报到活动 (``branch_code`` a community) lists the members reported to that community,
    who belong to other branches; it generates no points and so is not held by the
    community's own period locks.
    """
    require(user, "enter")
    scope_for(store, user).check_org(store, branch_code)
    community = activity_type == COMMUNITY_TYPE
    if activity_type not in ACTIVITY_TYPES and not community:
        raise EntryError(f"活动类型应为 {'/'.join(ACTIVITY_TYPES)} 之一")
    title = bounds.text(title, "活动名称", max_len=bounds.TITLE_MAX, multiline=False)
    if not title:
        raise EntryError("请填写活动名称")
    note = bounds.text(note, "备注")
    day = check_date(date, today)
    if not isinstance(statuses, dict):
        raise EntryError("签到名单格式有误")
    if not statuses:
        raise EntryError("签到名单为空")
    members = {m.id: m for m in (community_roster(store, branch_code, day) if community else roster(store, branch_code))}
    for member_id, status in statuses.items():
        if member_id not in members:
            raise EntryError(f"成员 {str(member_id)[:20]} 不在本{'社区的报到' if community else '支部的在册'}名单中")
        if not isinstance(status, str) or status not in STATUSES:
            raise EntryError(f"{members[member_id].name}：签到状态应为出席、缺席或请假")
    listed = [members[mid] for mid in statuses]
    scheme, assignment = (None, None) if community else scheme_for(store, branch_code, day)
    follows = [] if community else following_items(scheme, activity_type, listed, statuses)
    counts = {code: sum(1 for s in statuses.values() if s == code) for code in STATUSES}

    def work(cur) -> SavedActivity:
        if request_key:
            row = cur.execute("SELECT id FROM activities WHERE request_key = ?", [request_key]).fetchone()
            if row:
                ids = cur.execute("SELECT id FROM events WHERE activity_id = ? ORDER BY id", [row[0]]).fetchall()
                return SavedActivity(row[0], tuple(r[0] for r in ids))
        if not community:
            check_unlocked(cur, branch_code, day)
        activity_id = cur.execute(
            "INSERT INTO activities(branch_code, type, date, title, note, created_by, request_key)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [branch_code, activity_type, day, title, note or None, user.username, request_key],
        ).fetchone()[0]
        cur.executemany("INSERT INTO attendance(activity_id, member_id, status) VALUES (?, ?, ?)",
                        [[activity_id, mid, status] for mid, status in statuses.items()])
        count_attendance(cur, branch_code, day)  # its present members took part this month
        event_ids = tuple(
            insert_event(cur, member, code, day, None, 1, entered_by=user.username, note=title,
                         activity_id=activity_id, source="activity")
            for member, code in follows)
        audit.record(cur, user.username, "activity.create", entity="activity", entity_id=activity_id,
                     org_code=branch_code,
                     after={"type": activity_type, "date": day, "title": title, **counts,
                            "events": list(event_ids),
                            "scheme": None if community else f"{scheme.id}@{assignment.scheme_version}"})
        return SavedActivity(activity_id, event_ids)

    return store.write(work)


def recent_activities(store: Store, branch_code: str, limit: int = 10) -> list[dict]:
    """The branch's latest activities with 应到/实到/请假/缺席 and the participation rate."""
    rows = store.all(
        """SELECT a.id, a.date, a.type, a.title,
                  count(t.member_id), count(*) FILTER (WHERE t.status = 'present'),
                  count(*) FILTER (WHERE t.status = 'leave'), count(*) FILTER (WHERE t.status = 'absent'),
                  (SELECT count(*) FROM events e WHERE e.activity_id = a.id)
           FROM activities a LEFT JOIN attendance t ON t.activity_id = a.id
           WHERE a.branch_code = ? GROUP BY a.id, a.date, a.type, a.title ORDER BY a.date DESC, a.id DESC LIMIT ?""",
        [branch_code, limit])
    return [{"id": r[0], "date": r[1], "type": r[2], "title": r[3], "expected": r[4], "present": r[5],
             "leave": r[6], "absent": r[7], "events": r[8], "rate": _rate(r[5], r[4])} for r in rows]


def participation_rate(store: Store, branch_code: str, start: dt.date, end: dt.date,
                       member_id: str | None = None) -> Decimal | None:
    """实到/应到 over the branch's activities dated start..end (one member's, if given);
    None when nobody was expected."""
    sql = ("SELECT count(*), count(*) FILTER (WHERE t.status = 'present') FROM attendance t"
           " JOIN activities a ON a.id = t.activity_id WHERE a.branch_code = ? AND a.date BETWEEN ? AND ?")
    params = [branch_code, start, end]
    if member_id is not None:
        sql += " AND t.member_id = ?"
        params.append(member_id)
    expected, present = store.one(sql, params)
    return _rate(present, expected)


def _rate(present: int, expected: int) -> Decimal | None:
    return None if not expected else (Decimal(present) / Decimal(expected) * 100).quantize(Decimal("0.1"))
