"""Demo 三会一课, 主题党日, 志愿服务 and 在职党员 社区报到: activities, who attended, and the
absence deductions that follow where the branch's scheme has an absence item.

Report-in is kept as activities of type 社区报到 (one per community per report day, the
reporting members as present attendees), so no extra table is needed.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from core.demo.ledger import SECONDS, EventBatch, labels
from core.metrics.coverage import COMMUNITY_ACTIVITY as VOLUNTEER
from core.metrics.coverage import REPORT_IN
from core.demo.plan import UNIFORM, Plan, date_of, day
from core.scheme import Scheme

MEETINGS = ("主题党日", "党小组会", "支委会", "支部党员大会", "党课")
ACTIVITY_TYPES = MEETINGS + (VOLUNTEER, REPORT_IN)
ABSENCE_ITEMS = {"主题党日": ("miss_activity", "miss_meeting", "miss_org_life"),
                 "党课": ("study_absent", "miss_meeting", "miss_org_life")}
DEFAULT_ABSENCE = ("miss_meeting", "miss_org_life", "study_absent")
VOLUNTEER_ITEMS = ("volunteer",)  # 参加志愿服务活动 where the scheme counts it (party-votes-80-20)
LEAVE_SHARE = 0.04
REPORT_DEADLINE = (5, 10)  # 5月10日前到社区报到
LOW_REPORT_DEPARTMENT = "县住建局"  # reports late and below the 90% line, so its rate shows red


ALL_ABSENCE_ITEMS = {code for codes in ABSENCE_ITEMS.values() for code in codes} | set(DEFAULT_ABSENCE)


def absence_item(scheme: Scheme, activity_type: str) -> str | None:
    for code in ABSENCE_ITEMS.get(activity_type, DEFAULT_ABSENCE):
        item = scheme.items.get(code)
        if item is not None and "member" in item.kinds and item.points is not None and item.points < 0:
            return code
    return None


def _schedule(plan: Plan) -> list[tuple[int, str, int, int, str]]:
    """(branch, type, day, group or -1, title) for every regular activity up to today."""
    rng, rows = plan.rng, []
    for bi, branch in enumerate(plan.branches):
        jitter = rng.integers(0, 5, size=(len(plan.months), 8))
        for mi, (lo, hi) in enumerate(plan.months):
            first = date_of(lo)
            label = f"{first.year}年{first.month}月"
            planned = [("主题党日", lo + 14 + jitter[mi, 0] % 2, -1, f"{label}主题党日"),
                       ("支委会", lo + 2 + jitter[mi, 1], -1, f"{label}支委会")]
            planned += [("党小组会", lo + 5 + jitter[mi, 2] + g, g, f"{label}党小组会（第{g + 1}组）")
                        for g in range(len(branch.groups))]
            if first.month % 3 == 0:
                planned += [("支部党员大会", lo + 19 + jitter[mi, 3], -1, f"{label}支部党员大会"),
                            ("党课", lo + 24 + jitter[mi, 4] % 3, -1, f"{label}专题党课")]
            planned.append((VOLUNTEER, lo + 7 + jitter[mi, 5], -1, f"{label}志愿服务"))
            if branch.kind == "community":
                planned.append((VOLUNTEER, lo + 20 + jitter[mi, 6], -1, f"{label}社区志愿服务"))
            rows += [(bi, kind, int(d), g, title) for kind, d, g, title in planned
                     if d <= min(hi, branch.cutoff)]
    return rows


def _pairs(plan: Plan, a_branch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (activity, member of its branch) pair, vectorised."""
    lo = np.array([b.lo for b in plan.branches], dtype=np.int64)
    size = np.array([b.hi - b.lo for b in plan.branches], dtype=np.int64)[a_branch]
    act = np.repeat(np.arange(len(a_branch)), size)
    offset = np.arange(len(act)) - np.repeat(np.cumsum(size) - size, size)
    return act, lo[a_branch][act] + offset


def regular(plan: Plan, first_id: int) -> tuple[pl.DataFrame, pl.DataFrame, EventBatch]:
    rng = plan.rng
    rows = _schedule(plan)
    a_branch = np.array([r[0] for r in rows], dtype=np.int64)
    a_type = np.array([r[1] for r in rows], dtype=object)
    a_day = np.array([r[2] for r in rows], dtype=np.int32)
    a_group = np.array([r[3] for r in rows], dtype=np.int32)
    act, mem = _pairs(plan, a_branch)
    when = a_day[act]
    keep = (plan.m_active[mem] & (plan.m_first[mem] <= when) & (when <= plan.m_last[mem])
            & ((a_group[act] == -1) | (plan.m_group[mem] == a_group[act]))
            & ((a_type[act] != "支委会") | plan.m_committee[mem]))
    act, mem = act[keep], mem[keep]
    uniform = np.array([b.special == UNIFORM for b in plan.branches])[a_branch[act]]
    rate = np.array([b.attendance for b in plan.branches])[a_branch[act]]
    present_p = np.where(uniform, 1.0, np.clip(rate + 0.04 * plan.m_z[mem], 0.5, 0.995))
    u = rng.random(len(act))
    status = np.where(u < present_p, "present", np.where(u < present_p + LEAVE_SHARE, "leave", "absent"))
    volunteer = a_type[act] == VOLUNTEER
    departments = np.array([d is not None for d in plan.m_department])
    joins_p = np.where(uniform, 1.0, np.clip(0.1 + 0.25 * departments[mem] + 0.05 * plan.m_z[mem], 0.02, 0.9))
    keep = ~volunteer | (rng.random(len(act)) < joins_p)
    act, mem, status = act[keep], mem[keep], np.where(volunteer[keep], "present", status[keep])
    ids = np.arange(first_id, first_id + len(rows), dtype=np.int64)
    events = _attendance_events(plan, a_branch, a_type, a_day, ids, act, mem, status)
    return _activity_frame(plan, ids, a_branch, a_type, a_day, [r[4] for r in rows]), \
        _attendance_frame(plan, ids[act], mem, status), events


def _attendance_events(plan, a_branch, a_type, a_day, ids, act, mem, status) -> EventBatch:
    """Absences without leave become the scheme's absence item; volunteering its award item."""
    item_of = {}
    for bi, branch in enumerate(plan.branches):
        scheme = plan.schemes[branch.scheme_id]
        item_of[bi] = {kind: absence_item(scheme, kind) for kind in MEETINGS}
        item_of[bi][VOLUNTEER] = next((code for code in VOLUNTEER_ITEMS if code in scheme.items
                                       and "member" in scheme.items[code].kinds), None)
    a_item = np.array([item_of[b][t] for b, t in zip(a_branch, a_type)], dtype=object)
    wanted = np.where(a_type[act] == VOLUNTEER, status == "present", status == "absent") & (a_item[act] != None)  # noqa: E711
    act, mem = act[wanted], mem[wanted]
    return EventBatch(mem, a_day[act], a_item[act], np.full(len(act), np.nan), ids[act])


def report_ins(plan: Plan, first_id: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """在职党员 report to their community each spring; most by 5月10日, a few late."""
    rng = plan.rng
    by_day: dict[tuple[int, int], list[int]] = {}
    for year in range(plan.start.year, plan.today.year + 1):
        opens, deadline = dt.date(year, 3, 1), dt.date(year, *REPORT_DEADLINE)
        if deadline < plan.start or opens > plan.today:
            continue
        for m in np.flatnonzero([d is not None for d in plan.m_department]):
            rate = 0.7 if plan.m_department[m] == LOW_REPORT_DEPARTMENT else 0.96
            if not plan.m_active[m] or rng.random() >= rate:
                continue
            late = rng.random() < (0.3 if plan.m_department[m] == LOW_REPORT_DEPARTMENT else 0.04)
            span = (dt.date(year, 6, 30) - deadline).days if late else (deadline - opens).days
            when = day(deadline if late else opens) + int(rng.integers(1 if late else 0, span + 1))
            if plan.m_first[m] <= when <= min(plan.m_last[m], plan.today_n, plan.branches[plan.m_branch[m]].cutoff):
                by_day.setdefault((int(plan.m_branch[m]), when), []).append(int(m))
    keys = sorted(by_day)
    ids = np.arange(first_id, first_id + len(keys), dtype=np.int64)
    activities = _activity_frame(
        plan, ids, np.array([k[0] for k in keys], dtype=np.int64), np.array([REPORT_IN] * len(keys), dtype=object),
        np.array([k[1] for k in keys], dtype=np.int32), [f"在职党员到社区报到（{date_of(k[1])}）" for k in keys])
    act = np.array([i for i, k in zip(ids, keys) for _ in by_day[k]], dtype=np.int64)
    mem = np.array([m for k in keys for m in by_day[k]], dtype=np.int64)
    return activities, _attendance_frame(plan, act, mem, np.full(len(mem), "present", dtype=object))


def _activity_frame(plan, ids, a_branch, a_type, a_day, titles) -> pl.DataFrame:
    created = np.minimum(a_day.astype(np.int64) + 1, plan.today_n) * SECONDS + 20 * 3600
    return pl.DataFrame({
        "id": ids,
        "branch_code": labels([b.code for b in plan.branches], a_branch),
        "type": a_type.astype(str),
        "date": pl.Series(a_day, dtype=pl.Int32).cast(pl.Date),
        "title": pl.Series(titles, dtype=pl.String),
        "created_by": labels([plan.recorder(b) for b in plan.branches], a_branch),
        "created_at": pl.Series(created * 1_000_000).cast(pl.Datetime("us")),
    })


def _attendance_frame(plan, activity_ids, mem, status) -> pl.DataFrame:
    return pl.DataFrame({"activity_id": activity_ids, "member_id": plan.member_ids.gather(mem),
                         "status": np.asarray(status).astype(str)})
