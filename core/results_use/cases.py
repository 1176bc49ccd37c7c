"""处置 cases: a member graded 不合格/基本合格 (or the template's 诫勉), handled by a veto
(不论得分均予处置) or warned by a 处置 streak, followed step by step until the Party committee
decides; and a probationary member's 延长预备期 / 取消预备党员资格 recommendation, followed the
same way without the 转化期.

A 处置 case: 谈心谈话 (date, note) → 整改计划 (text, date) → 转化期 of six months from the
plan's date (its deadline: plan 2026-01-15 → 2026-07-15; from a month end, the target
month's last day: 2025-08-31 → 2026-02-28) → the branch's recommendation (转化, 限期改正, 劝退
or 除名) → the Party committee's decision. The branch (secretary) does the first three, the
township or the county admin decides. Every step is one audited write; a step out of order,
by the wrong role or for a branch outside the user's scope is refused in Chinese and audited.

Overdue: the 转化期 has ended and nothing is decided yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core import audit, bounds
from core.auth import can, scope_for
from core.auth.permissions import PermissionDenied, require
from core.cycles import month_end, month_start, next_month
from core.engine.labels import STREAK_PREFIX, flag_label
from core.results_use.source import LOW_GRADES, branches_under, is_exempt, results_under
from core.services.entry_rules import EntryError
from core.store import Store

DISPOSAL = "disposal"
KIND_NAMES = {DISPOSAL: "不合格/基本合格处置", "probation_extend": "延长预备期", "probation_cancel": "取消预备党员资格",
              "probation_review": "延长或取消预备期"}
# the flag that opens each probation case (the engine's names, SCHEMES.md)
PROBATION_FLAGS = {"probation_extend": "probation_extend", "probation_cancel": "probation_cancel",
                   "probation_extend_or_cancel": "probation_review"}
DISPOSAL_OUTCOMES = ("转化", "限期改正", "劝退", "除名")
PROBATION_OUTCOMES = ("延长预备期", "取消预备党员资格")
TRANSFORM_MONTHS = 6  # 转化期
STATE_NAMES = {"open": "待谈心谈话", "talked": "待制定整改计划", "planned": "转化期中", "recommended": "待党委决定",
               "decided": "已决定"}
HANDLE, DISPOSAL_STREAK_WORD = "handle", "处置"


def outcomes(kind: str) -> tuple[str, ...]:
    return DISPOSAL_OUTCOMES if kind == DISPOSAL else PROBATION_OUTCOMES


def months_later(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` months on; the target month's last day when it is shorter
    (2025-08-31 + 6 → 2026-02-28), by core.cycles' month steps."""
    first = month_start(day)
    for _ in range(months):
        first = next_month(first)
    return first + dt.timedelta(days=min(day.day, month_end(first).day) - 1)


@dataclass(frozen=True)
class Case:
    id: int
    member_id: str
    name: str
    branch_code: str
    branch_name: str
    cycle: int
    kind: str
    grade: str | None
    reason: str | None
    state: str
    talk_date: dt.date | None
    talk_note: str | None
    plan: str | None
    plan_date: dt.date | None
    deadline: dt.date | None
    recommendation: str | None
    outcome: str | None
    decision_note: str | None

    @property
    def kind_name(self) -> str:
        return KIND_NAMES.get(self.kind, self.kind)

    def overdue_days(self, today: dt.date) -> int | None:
        """Days past the 转化期's deadline with no decision yet; None when not overdue."""
        if self.state == "decided" or self.deadline is None or today <= self.deadline:
            return None
        return (today - self.deadline).days

    def state_text(self, today: dt.date) -> str:
        if self.state == "decided":
            return f"已决定：{self.outcome}"
        late = self.overdue_days(today)
        if late is not None:
            return f"已逾期 {late} 天（{STATE_NAMES[self.state]}）"
        if self.state == "open" and self.kind != DISPOSAL:
            return "待支部提出建议"
        if self.state == "planned":
            return f"转化期中，至 {self.deadline:%Y-%m-%d}"
        if self.state == "recommended":
            return f"支部建议{self.recommendation}，待党委决定"
        return STATE_NAMES[self.state]


_COLUMNS = ("c.id, c.member_id, m.name, c.branch_code, o.name, c.cycle, c.kind, c.grade, c.reason, c.state,"
            " c.talk_date, c.talk_note, c.plan, c.plan_date, c.deadline, c.recommendation, c.outcome, c.decision_note")
_FROM = " FROM disposal_cases c JOIN members m ON m.id = c.member_id JOIN orgs o ON o.code = c.branch_code"


def _opening(result: dict) -> list[tuple[str, str]]:
    """(kind, why) of the cases one cycle result opens."""
    flags = result["flags"]
    why = []
    if result["grade"] in LOW_GRADES:
        why.append(f"年度等次为{result['grade']}")
    if HANDLE in flags:
        why.append("一票否决，不论得分均予处置")
    why += [flag_label(f) for f in flags if f.startswith(STREAK_PREFIX) and DISPOSAL_STREAK_WORD in f]
    opened = [(DISPOSAL, "；".join(why))] if why else []
    opened += [(kind, f"积分结果标记：{flag_label(flag)}") for flag, kind in PROBATION_FLAGS.items() if flag in flags]
    return opened


def open_cases(store: Store, user, org_code: str, cycle: int, today: dt.date | None = None) -> int:
    """Open the cases a cycle's results call for, in a branch or every branch under a township;
    returns how many are new. Idempotent: a member has one case per cycle and kind."""
    require(user, "results_use")
    scope = scope_for(store, user)
    wanted = []
    for code, _, res in results_under(store, scope, org_code, cycle, "cycle", today):
        for r in res.output["results"]:
            if not is_exempt(r):
                wanted += [(r["subject"], code, kind, r["grade"], why) for kind, why in _opening(r)]
    if not wanted:
        return 0

    def work(cur) -> int:
        have = set(cur.execute("SELECT member_id, kind FROM disposal_cases WHERE cycle = ? AND member_id = ANY(?)",
                               [cycle, sorted({w[0] for w in wanted})]).fetchall())
        added = 0
        for member, branch, kind, grade, why in wanted:
            if (member, kind) in have:
                continue
            case_id = cur.execute(
                "INSERT INTO disposal_cases(member_id, branch_code, cycle, kind, grade, reason, opened_by)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [member, branch, cycle, kind, grade, why, user.username]).fetchone()[0]
            audit.record(cur, user.username, "disposal.open", entity="disposal_case", entity_id=case_id,
                         org_code=branch, member_id=member, after={"cycle": cycle, "kind": kind, "grade": grade},
                         reason=why)
            added += 1
        return added

    return store.write(work)


def list_cases(store: Store, user, org_code: str, today: dt.date | None = None, *, cycle: int | None = None,
               overdue: bool = False) -> list[Case]:
    """The cases of a branch or of the branches under a township, overdue ones first, then by
    deadline and branch; ``overdue`` keeps only those."""
    require(user, "results_use")
    today = today or dt.date.today()
    codes = branches_under(store, scope_for(store, user), org_code)
    sql = f"SELECT {_COLUMNS}{_FROM} WHERE c.branch_code = ANY(?)"
    params: list = [codes]
    if cycle is not None:
        sql += " AND c.cycle = ?"
        params.append(cycle)
    cases = [Case(*row) for row in store.all(sql + " ORDER BY o.path, c.id", params)]
    if overdue:
        cases = [c for c in cases if c.overdue_days(today) is not None]
    return sorted(cases, key=lambda c: (-(c.overdue_days(today) or -1), c.deadline or dt.date.max))


def overdue_by_branch(store: Store, scope, today: dt.date) -> dict[str, list[Case]]:
    """Overdue 处置 cases in a scope, by branch (for 总览 and 首页; no role check: the callers'
    pages have their own)."""
    where, params = scope.sql("o")
    rows = store.all(f"SELECT {_COLUMNS}{_FROM} WHERE {where} AND c.state <> 'decided' AND c.deadline < ?"
                     " ORDER BY o.path, c.deadline", params + [today])
    out: dict[str, list[Case]] = {}
    for row in rows:
        out.setdefault(row[3], []).append(Case(*row))
    return out


def waiting(store: Store, scope, states: tuple[str, ...]) -> dict[str, int]:
    """branch → number of undecided cases in ``states`` (e.g. 待党委决定)."""
    where, params = scope.sql("o")
    return dict(store.all(f"SELECT c.branch_code, count(*){_FROM} WHERE {where} AND c.state = ANY(?)"
                          " GROUP BY c.branch_code", params + [list(states)]))


def get_case(store_or_cur, case_id: int) -> Case:
    case_id = bounds.record_id(case_id, "处置案件编号")
    if isinstance(store_or_cur, Store):
        row = store_or_cur.one(f"SELECT {_COLUMNS}{_FROM} WHERE c.id = ?", [case_id])
    else:
        row = store_or_cur.execute(f"SELECT {_COLUMNS}{_FROM} WHERE c.id = ?", [case_id]).fetchone()
    if row is None:
        raise EntryError(f"未找到处置案件 {case_id}")
    return Case(*row)


def _allowed(store: Store, user, action: str, case_id: int) -> Case:
    """The case, once the user's role may take this step and its branch is in scope; a refusal
    is audited (the scope's own check audits a branch outside it)."""
    case = get_case(store, case_id)
    if not can(user.role, action):
        try:
            require(user, action)
        except PermissionDenied as exc:
            why = str(exc)
            store.write(lambda cur: audit.record(cur, user.username, "disposal.denied", entity="disposal_case",
                                                 entity_id=case_id, org_code=case.branch_code,
                                                 member_id=case.member_id, reason=why))
            raise
    scope_for(store, user).check_org(store, case.branch_code)
    return case


def _step(store: Store, case: Case, expected: tuple[str, ...], what: str, sets: dict, record) -> int:
    """Move the case on, re-checking its state inside the write (another session may have
    acted meanwhile); ``record(cur, fields)`` audits it with the step's own action."""
    def work(cur) -> int:
        state = cur.execute("SELECT state FROM disposal_cases WHERE id = ?", [case.id]).fetchone()[0]
        if state not in expected:
            raise EntryError(f"{case.name}的{case.kind_name}案件{_state_word(state)}，现在不能{what}")
        columns = ", ".join(f"{k} = ?" for k in sets)
        cur.execute(f"UPDATE disposal_cases SET {columns} WHERE id = ?", [*sets.values(), case.id]).fetchall()
        record(cur, {"entity": "disposal_case", "entity_id": case.id, "org_code": case.branch_code,
                     "member_id": case.member_id, "before": {"state": state},
                     "after": {k: v for k, v in sets.items() if not k.endswith("_at")}})
        return case.id

    return store.write(work)


def _state_word(state: str) -> str:
    return {"open": "还没有谈心谈话", "talked": "还没有整改计划", "planned": "正在转化期中",
            "recommended": "已由支部提出建议", "decided": "已作出决定"}[state]


def _disposal_step(store: Store, user, case_id: int, step: str) -> Case:
    """A branch step only a 处置 case has (a probationary member's case goes straight to the
    recommendation)."""
    case = _allowed(store, user, "recommend_disposal", case_id)
    if case.kind != DISPOSAL:
        raise EntryError(f"{case.kind_name}案件没有{step}步骤，请直接提出支部建议")
    return case


def record_talk(store: Store, user, case_id: int, talk_date: dt.date, note: str,
                today: dt.date | None = None) -> int:
    """谈心谈话: the branch talked with the member, on a date, about what."""
    case = _disposal_step(store, user, case_id, "谈心谈话")
    talk_date = bounds.day(talk_date, "谈心谈话日期", today=today)
    note = bounds.text(note, "谈话情况", required=True)
    return _step(store, case, ("open",), "登记谈心谈话",
                 {"talk_date": talk_date, "talk_note": note, "state": "talked"},
                 lambda cur, fields: audit.record(cur, user.username, "disposal.talk", **fields))


def record_plan(store: Store, user, case_id: int, plan: str, plan_date: dt.date,
                today: dt.date | None = None) -> int:
    """整改计划: the plan and its date; the 转化期 of six months runs from that date."""
    case = _disposal_step(store, user, case_id, "整改计划")
    plan = bounds.text(plan, "整改计划", required=True)
    plan_date = bounds.day(plan_date, "整改计划日期", today=today)
    if case.talk_date is not None and plan_date < case.talk_date:
        raise EntryError(f"整改计划日期 {plan_date:%Y-%m-%d} 早于谈心谈话日期 {case.talk_date:%Y-%m-%d}")
    return _step(store, case, ("talked",), "制定整改计划",
                 {"plan": plan, "plan_date": plan_date, "period_start": plan_date,
                  "deadline": months_later(plan_date, TRANSFORM_MONTHS), "state": "planned"},
                 lambda cur, fields: audit.record(cur, user.username, "disposal.plan", **fields))


def recommend(store: Store, user, case_id: int, outcome: str) -> int:
    """The branch's recommendation: for a 处置 case after its 整改计划 (转化, 限期改正, 劝退, 除名);
    for a probationary member's case at once (延长预备期, 取消预备党员资格)."""
    case = _allowed(store, user, "recommend_disposal", case_id)
    if outcome not in outcomes(case.kind):
        raise EntryError(f"支部建议应为 {'、'.join(outcomes(case.kind))} 之一")
    expected = ("planned",) if case.kind == DISPOSAL else ("open",)
    return _step(store, case, expected, "提出支部建议",
                 {"recommendation": outcome, "recommended_by": user.username,
                  "recommended_at": dt.datetime.now(), "state": "recommended"},
                 lambda cur, fields: audit.record(cur, user.username, "disposal.recommend", **fields))


def decide(store: Store, user, case_id: int, outcome: str, note: str = "") -> int:
    """The Party committee's decision (township or county admin), after the branch recommended."""
    case = _allowed(store, user, "decide_disposal", case_id)
    if outcome not in outcomes(case.kind):
        raise EntryError(f"党委决定应为 {'、'.join(outcomes(case.kind))} 之一")
    note = bounds.text(note, "决定说明")
    return _step(store, case, ("recommended",), "作出党委决定",
                 {"outcome": outcome, "decided_by": user.username, "decided_at": dt.datetime.now(),
                  "decision_note": note or None, "state": "decided"},
                 lambda cur, fields: audit.record(cur, user.username, "disposal.decide", **fields))


def case_rows(cases: list[Case], today: dt.date) -> list[dict]:
    """The cases as listed and exported: Chinese columns, dates as 2026-07-15, blanks empty."""
    def day(d):
        return "" if d is None else f"{d:%Y-%m-%d}"
    return [{"序号": i, "支部": c.branch_name, "姓名": c.name, "年度": str(c.cycle), "类别": c.kind_name,
             "原因": c.reason or "", "状态": c.state_text(today), "谈心谈话": day(c.talk_date),
             "整改计划日期": day(c.plan_date), "转化期截止": day(c.deadline),
             "支部建议": c.recommendation or "", "党委决定": c.outcome or ""}
            for i, c in enumerate(cases, start=1)]
