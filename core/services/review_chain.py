"""上级审核: the chain a branch's period result passes after 支部初评, as its scheme's
``[workflow]`` declares it: 支委会/党员大会 → 公示 → 上级党委审核 → 备案.

The branch records its committee meeting and, once the 公示 is settled, submits the result
(报送乡镇审核) for the periods in ``township_periods``. The township whose scope holds the
branch approves it or returns it with a reason; a returned result goes back to the branch's
待办, which corrects it (e.g. a new 公示) and submits again. ``finalise`` then needs the
approval of the very 公示 archived, and records 备案. Every step is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from core import audit, bounds, orgs
from core.audit_log import person_label
from core.auth import require, scope_for
from core.cycles import period_label
from core.scheme.model import COMMITTEE_BODIES
from core.scheme_assignments import scheme_for_cycle
from core.services.entry_rules import EntryError
from core.services.finalise import publicity_blockers
from core.services.objections import open_count
from core.services.publicity import Publicity, current_publicity
from core.services.results import check_period
from core.services.reminders import KIND_NAMES, open_reminders
from core.services.review_steps import EXCHANGE, Step, add_step, exchange_in_scope, latest
from core.store import Store

STEP_NAMES = {"initial": "支部初评", "committee": "支委会", "publicity": "公示", "township": "上级党委审核",
              "filing": "备案"}
STATE_NAMES = {"done": "已完成", "waiting": "进行中", "returned": "已退回", "todo": "未开始"}
WHO = {"branch": "支部", "township": "乡镇党委"}


@dataclass(frozen=True)
class StepState:
    step: str
    name: str  # 支委会 shows the scheme's body (党员大会, 积分评定小组 …)
    state: str  # done, waiting, returned, todo
    who: str  # whom it waits for: 支部 or 乡镇党委
    by: str | None = None
    at: dt.datetime | dt.date | None = None
    detail: str = ""

    @property
    def state_name(self) -> str:
        return STATE_NAMES[self.state]


@dataclass(frozen=True)
class Waiting:
    """A submitted result in the township's queue."""

    branch_code: str
    branch_name: str
    cycle: int
    period: str
    track: str
    label: str
    submitted_by: str
    submitted_at: dt.datetime
    days: int
    publicity_id: int | None


def people(store: Store, usernames) -> dict[str, str]:
    """username → 孙丽（zhen01）, as the 操作日志 names people (a step shows who made it)."""
    names = [u for u in dict.fromkeys(usernames) if u]
    rows = dict(store.all(f"SELECT username, display_name FROM users WHERE username IN ({', '.join('?' for _ in names)})",
                          names)) if names else {}
    return {u: person_label(u, rows.get(u)) for u in names}


def _at(today: dt.date | None) -> dt.datetime | None:
    """When a step is made: now, on the day the caller works on (tests and the demo pass theirs)."""
    return None if today is None else dt.datetime.combine(today, dt.datetime.now().time().replace(microsecond=0))


def _scheme(store: Store, branch_code: str, cycle: int, track: str):
    return scheme_for_cycle(store, branch_code, bounds.cycle(cycle), track=track)[0]


def committee_record(store, branch_code: str, cycle: int, period: str, track: str = "party") -> Step | None:
    return latest(store, branch_code, cycle, period, track, ("committee",))


def record_committee(store: Store, user, branch_code: str, cycle: int, period: str, track: str,
                     meeting_kind: str, meeting_date: dt.date, attendees: str, decision: str,
                     today: dt.date | None = None) -> int:
    """The 支委会/党员大会 step: when it met, who attended (names as text), what it decided."""
    at, today = _at(today), today or dt.date.today()
    require(user, "finalise")
    scope_for(store, user).check_org(store, branch_code)
    check_period(period)
    if meeting_kind not in COMMITTEE_BODIES:
        raise EntryError(f"会议类型应为 {'、'.join(COMMITTEE_BODIES)} 之一")
    meeting_date = bounds.day(meeting_date, "会议日期", today=today)
    attendees = bounds.text(attendees, "参会人员", required=True)
    decision = bounds.text(decision, "会议决定", required=True)
    scheme = _scheme(store, branch_code, cycle, track)
    if not scheme.workflow.has("committee"):
        raise EntryError("该积分方案没有支委会审核步骤")

    def work(cur) -> int:
        step_id, after = add_step(cur, user.username, branch_code, cycle, period, track, "committee", "done", at=at,
                                  meeting_kind=meeting_kind, meeting_date=meeting_date, attendees=attendees,
                                  decision=decision)
        audit.record(cur, user.username, "review.committee", entity="review_step", entity_id=step_id,
                     org_code=branch_code, after=after)
        return step_id

    return store.write(work)


def submit_blockers(store: Store, branch_code: str, cycle: int, period: str, track: str,
                    today: dt.date, settled: list[str] | None = None) -> list[str]:
    """Why the result cannot be sent up today; empty when it can (the page shows these).
    ``settled``: ``publicity_blockers`` of the current 公示, already worked out today."""
    workflow = _scheme(store, branch_code, cycle, track).workflow
    if not workflow.needs_township(period):
        return ["该积分方案的本期结果无需报送乡镇审核"]
    last = latest(store, branch_code, cycle, period, track, EXCHANGE)
    pub = current_publicity(store, branch_code, cycle, period, track)
    if last is not None and last.outcome == "submitted":
        return [f"已于 {last.made_at:%Y-%m-%d} 报送，等待乡镇党委审核"]
    if pub is not None and last is not None and last.outcome == "approved" and last.publicity_id == pub.id:
        return ["乡镇党委已审核通过，无需再次报送"]
    reasons = []
    if workflow.has("committee") and committee_record(store, branch_code, cycle, period, track) is None:
        reasons.append(f"尚未记录{workflow.committee}会议（日期、参会人员、会议决定）")
    if pub is None:
        reasons.append("尚未公示")
    else:
        reasons += publicity_blockers(store, pub, today) if settled is None else settled
    return reasons


def submit(store: Store, user, branch_code: str, cycle: int, period: str, track: str = "party",
           today: dt.date | None = None) -> int:
    """报送乡镇审核: the branch sends its settled, published result up."""
    at, today = _at(today), today or dt.date.today()
    require(user, "finalise")
    scope_for(store, user).check_org(store, branch_code)
    check_period(period)
    reasons = submit_blockers(store, branch_code, cycle, period, track, today)
    if reasons:
        raise EntryError("不能报送：" + "；".join(reasons))
    pub = current_publicity(store, branch_code, cycle, period, track)
    return write_submit(store, user.username, branch_code, cycle, period, track, pub.id, at)


def write_submit(store: Store, username: str, branch_code: str, cycle: int, period: str, track: str,
                 publicity_id: int, at: dt.datetime) -> int:
    """The 报送 step of 公示 ``publicity_id`` and its audit row, in one write. ``submit`` checks
    first; the demo, which has just settled that 公示 itself, writes it alone."""
    def work(cur) -> int:
        last = latest(cur, branch_code, cycle, period, track, EXCHANGE)
        if last is not None and last.outcome == "submitted":  # another session was quicker
            raise EntryError("已报送，等待乡镇党委审核")
        step_id, after = add_step(cur, username, branch_code, cycle, period, track, "submit", "submitted",
                                  publicity_id=publicity_id, at=at)
        audit.record(cur, username, "review.submit", entity="review_step", entity_id=step_id,
                     org_code=branch_code, after=after)
        return step_id

    return store.write(work)


def _decide(store: Store, user, branch_code: str, cycle: int, period: str, track: str, outcome: str,
            reason: str | None, today: dt.date | None) -> int:
    require(user, "township_review")
    scope_for(store, user).check_org(store, branch_code)  # another township's branch: refused, audited
    cycle = bounds.cycle(cycle, today=today)

    def work(cur) -> int:
        last = latest(cur, branch_code, cycle, period, track, EXCHANGE)
        if last is None or last.outcome != "submitted":
            raise EntryError("该结果未报送或已审核，只能审核已报送待审的结果")
        step_id, after = add_step(cur, user.username, branch_code, cycle, period, track, "township", outcome,
                                  publicity_id=last.publicity_id, reason=reason, at=_at(today))
        audit.record(cur, user.username, "review.approve" if outcome == "approved" else "review.return",
                     entity="review_step", entity_id=step_id, org_code=branch_code,
                     before={"outcome": "submitted"}, after=after, reason=reason)
        return step_id

    return store.write(work)


def approve(store: Store, user, branch_code: str, cycle: int, period: str, track: str = "party",
            today: dt.date | None = None) -> int:
    """上级党委审核通过 a submitted result; the branch may then 确认归档."""
    return _decide(store, user, branch_code, cycle, period, track, "approved", None, today)


def return_(store: Store, user, branch_code: str, cycle: int, period: str, reason: str,
            track: str = "party", today: dt.date | None = None) -> int:
    """退回 a submitted result to the branch, with the reason it sees in its 待办."""
    reason = bounds.text(reason, "退回原因", required=True)
    return _decide(store, user, branch_code, cycle, period, track, "returned", reason, today)


def chain_state(store: Store, branch_code: str, cycle: int, period: str, track: str = "party",
                today: dt.date | None = None) -> list[StepState]:
    """Each declared step of the period's result with its state; the first step not done
    waits (for the branch, or for the township), the later ones have not started."""
    today = today or dt.date.today()
    workflow = _scheme(store, branch_code, cycle, track).workflow
    pub = current_publicity(store, branch_code, cycle, period, track)
    out: list[StepState] = [StepState("initial", STEP_NAMES["initial"], "done", WHO["branch"])]
    for step in workflow.steps:
        if step == "township" and not workflow.needs_township(period):
            continue
        out.append(_step_state(store, step, workflow, pub, branch_code, cycle, period, track, today))
    named = people(store, [s.by for s in out])
    out = [replace(s, by=named.get(s.by, s.by)) for s in out]
    shown, seen_open = [], False
    for s in out:  # the first step not done waits; a later one has not started (a recorded meeting stays done)
        if s.state != "done" and not seen_open:
            seen_open = True
            shown.append(s if s.state != "todo" else StepState(s.step, s.name, "waiting", s.who, detail=s.detail))
        elif s.state != "done" and seen_open:
            shown.append(StepState(s.step, s.name, "todo", s.who, detail=s.detail))
        else:
            shown.append(s)
    return shown


def _step_state(store, step, workflow, pub: Publicity | None, branch_code, cycle, period, track,
                today) -> StepState:
    name = workflow.committee if step == "committee" else STEP_NAMES[step]
    if step == "committee":
        rec = committee_record(store, branch_code, cycle, period, track)
        if rec is None:
            return StepState(step, name, "todo", WHO["branch"])
        detail = f"{rec.meeting_date:%Y-%m-%d} {rec.meeting_kind}；参会：{rec.attendees}；决定：{rec.decision}"
        return StepState(step, name, "done", WHO["branch"], rec.made_by, rec.meeting_date, detail)
    if step == "publicity":
        if pub is None:
            return StepState(step, name, "todo", WHO["branch"], detail="尚未公示")
        window = f"{pub.start_date:%Y-%m-%d} 至 {pub.end_date:%Y-%m-%d}"
        # closed with every objection settled (whether results changed since is 归档's question:
        # computing them here would cost a results run on every page showing the chain)
        with store.cursor() as cur:
            settled = pub.window(today) == "closed" and not open_count(cur, branch_code, cycle, period, track)
        if pub.state == "finalised" or settled:
            return StepState(step, name, "done", WHO["branch"], pub.created_by, pub.end_date, f"公示期 {window}")
        return StepState(step, name, "todo", WHO["branch"], detail=f"公示期 {window}")
    if step == "township":
        last = latest(store, branch_code, cycle, period, track, EXCHANGE)
        current = pub.id if pub is not None else None
        if last is None:
            return StepState(step, name, "todo", WHO["branch"], detail="尚未报送")
        if last.outcome == "submitted":
            days = (today - last.made_at.date()).days
            return StepState(step, name, "waiting", WHO["township"], last.made_by, last.made_at,
                             f"已报送 {days} 天，等待乡镇党委审核")
        if last.outcome == "returned":
            return StepState(step, name, "returned", WHO["branch"], last.made_by, last.made_at,
                             f"退回原因：{last.reason}")
        if last.publicity_id == current:
            return StepState(step, name, "done", WHO["township"], last.made_by, last.made_at, "审核通过")
        return StepState(step, name, "todo", WHO["branch"], detail="重新公示后需再次报送")
    rec = latest(store, branch_code, cycle, period, track, ("filing",))  # filing
    if rec is not None and pub is not None and pub.state == "finalised" and rec.publicity_id == pub.id:
        return StepState(step, name, "done", WHO["branch"], rec.made_by, rec.made_at, "已确认归档并备案")
    return StepState(step, name, "todo", WHO["branch"])


def waiting_step(states: list[StepState]) -> StepState | None:
    """The step the result waits at (None once every step is done)."""
    return next((s for s in states if s.state in ("waiting", "returned")), None)


def township_queue(store: Store, scope, today: dt.date | None = None) -> list[Waiting]:
    """Submitted results waiting for the township in ``scope``, oldest first."""
    today = today or dt.date.today()
    rows = exchange_in_scope(store, scope, ("submitted",))
    names = orgs.labels(store, [r.branch_code for r in rows])
    named = people(store, [r.made_by for r in rows])
    return [Waiting(r.branch_code, names.get(r.branch_code, r.branch_code), r.cycle, r.period, r.track,
                    period_label(_scheme(store, r.branch_code, r.cycle, r.track), r.cycle, r.period), named[r.made_by],
                    r.made_at, max(0, (today - r.made_at.date()).days), r.publicity_id) for r in rows]


def returned_results(store: Store, scope) -> list[Step]:
    """Results the township returned and the branch has not submitted again, in ``scope``."""
    return exchange_in_scope(store, scope, ("returned",))


def waiting_list(store: Store, scope, today: dt.date | None = None) -> list[dict]:
    """What waits for whom, per branch (总览「待审核与催办」): each result in the exchange
    not yet archived (报送 → 乡镇党委; 退回 or 审核通过 → 支部), and each open 催办; with the
    days since the last move, longest first."""
    today = today or dt.date.today()
    rows = exchange_in_scope(store, scope, ("submitted", "returned", "approved"), unarchived=True)
    steps = {"submitted": ("上级党委审核", WHO["township"]), "returned": ("退回后重新报送", WHO["branch"]),
             "approved": ("确认归档（备案）", WHO["branch"])}
    reminders = open_reminders(store, scope)
    names = orgs.labels(store, [r.branch_code for r in rows + reminders])
    out = []
    for r in rows:
        step, who = steps[r.outcome]
        out.append({"支部": names[r.branch_code],
                    "期间": period_label(_scheme(store, r.branch_code, r.cycle, r.track), r.cycle, r.period),
                    "等待步骤": step, "等待谁": who, "等待天数": max(0, (today - r.made_at.date()).days),
                    "branch": r.branch_code, "cycle": r.cycle, "period": r.period})
    for r in reminders:
        out.append({"支部": names[r.branch_code], "期间": "", "等待步骤": f"催办：{KIND_NAMES[r.kind]}",
                    "等待谁": WHO["branch"], "等待天数": max(0, (today - r.sent_at.date()).days),
                    "branch": r.branch_code, "cycle": None, "period": None})
    return sorted(out, key=lambda d: -d["等待天数"])
