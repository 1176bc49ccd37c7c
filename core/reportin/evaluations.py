"""The community's half-yearly 民主测评 of its reported members: one grade (好/较好/一般/差)
and a comment per member, community, year and half; the table's unique key holds it, and a
second grade for the same half is refused with who graded it."""

from __future__ import annotations

import datetime as dt

from core import audit, bounds
from core.auth import require
from core.reportin.rules import GRADES, HALVES, ReportInError, check_community, half_start
from core.store import Store


def record_evaluations(store: Store, user, community_code: str, year: int, half: int,
                       grades: dict[str, tuple[str, str]], today: dt.date | None = None) -> int:
    """Save ``{member_id: (grade, comment)}`` for the half, all or nothing; returns how many."""
    require(user, "evaluate_community")
    code, name = check_community(store, user, community_code)
    today = today or dt.date.today()
    year = bounds.cycle(year, today=today, error=ReportInError)
    if half not in HALVES:
        raise ReportInError("测评期间应为上半年或下半年")
    if half_start(year, half) > today:
        raise ReportInError(f"{year}年{HALVES[half]}尚未开始，不能测评")
    if not grades:
        raise ReportInError("请至少为一名党员选择测评等次")
    registered = dict(store.all(
        "SELECT m.id, m.name FROM report_ins r JOIN members m ON m.id = r.member_id"
        " WHERE r.community_code = ? AND r.year = ? AND r.withdrawn_at IS NULL", [code, year]))
    rows = []
    for member_id, (grade, comment) in grades.items():
        if member_id not in registered:
            raise ReportInError(f"成员 {str(member_id)[:20]} 未在{year}年向{name}报到，不能测评")
        who = registered[member_id]
        if grade not in GRADES:
            raise ReportInError(f"{who}：测评等次应为{'、'.join(GRADES)}之一")
        rows.append((member_id, who, grade, bounds.text(comment, f"{who}的评语", error=ReportInError)))

    def work(cur) -> int:
        done = dict(cur.execute(
            "SELECT member_id, grade FROM community_evaluations WHERE community_code = ? AND year = ? AND half = ?"
            " AND member_id = ANY(?)", [code, year, half, [r[0] for r in rows]]).fetchall())
        for member_id, who, _, _ in rows:
            if member_id in done:
                raise ReportInError(f"{who}{year}年{HALVES[half]}已有测评结果（{done[member_id]}），不能重复测评")
        for member_id, who, grade, comment in rows:
            eid = cur.execute(
                "INSERT INTO community_evaluations(member_id, community_code, year, half, grade, comment, made_by)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [member_id, code, year, half, grade, comment or None, user.username]).fetchone()[0]
            audit.record(cur, user.username, "report_in.evaluate", entity="community_evaluation", entity_id=eid,
                         org_code=code, member_id=member_id,
                         after={"year": year, "half": HALVES[half], "grade": grade, "comment": comment})
        return len(rows)

    return store.write(work)
