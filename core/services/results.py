"""Branch results (积分结果): the engine's output for a branch and period, and the
Chinese table rows every view of it shares (results page, 公示, PDF, Excel).

An open period is recomputed from the ledger each time; a finalised period shows the
snapshot frozen when it was archived, so later scheme changes never rewrite it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from core.cycles import PERIODS, period_bounds
from core.engine import evaluate
from core.scheme import Scheme
from core.scheme_assignments import scheme_for_cycle
from core.services.case import build_case
from core.services.entry_rules import EntryError, period_label
from core.store import Store

FLAG_NAMES = {
    "quota_capped": "受比例限制降档", "veto": "一票否决", "handle": "需组织处置", "report_up": "上报表彰",
    "probation_extend": "延长预备期", "probation_cancel": "取消预备资格",
    "probation_extend_or_cancel": "延长或取消预备期", "not_award_eligible": "不具备评优资格",
    "township_recheck": "报乡镇复核", "priority_service": "优先享受服务", "monthly_home_service": "每月上门服务",
    "above_average": "高于平均分", "award": "表彰", "warning": "预警",
}
STREAK_PREFIX = "streak:"


def flag_label(flag: str) -> str:
    if flag.startswith(STREAK_PREFIX):
        return f"连续预警：{flag[len(STREAK_PREFIX):]}"
    return FLAG_NAMES.get(flag, flag)


@dataclass(frozen=True)
class BranchResults:
    branch_code: str
    cycle: int
    period: str
    scheme: Scheme
    output: dict  # exactly what ``evaluate`` returns
    frozen: bool  # a finalised snapshot rather than a live computation
    through: dt.date  # the data counted runs up to this day

    @property
    def label(self) -> str:
        return period_label(self.cycle, self.period)


def check_period(period: str) -> None:
    if period not in PERIODS:
        raise EntryError(f"期间应为 {'/'.join(PERIODS)} 之一，实为 {period}")


def live_output(store: Store, branch_code: str, cycle: int, period: str = "cycle",
                today: dt.date | None = None) -> tuple[Scheme, dict, dt.date]:
    """Recompute now: the case cut at the period's end (a quarter is a running tally)."""
    check_period(period)
    scheme, _ = scheme_for_cycle(store, branch_code, cycle, today)
    through = period_bounds(scheme.cycle_start, cycle, period)[1]
    scheme, case = build_case(store, branch_code, cycle, today=today, upto=None if period == "cycle" else through)
    return scheme, evaluate(scheme, case), through


def frozen_output(store: Store, branch_code: str, cycle: int, period: str) -> dict | None:
    """The snapshot of a finalised period whose lock is in force, else None."""
    row = store.one(
        "SELECT p.snapshot FROM period_locks l JOIN publicity p ON p.id = l.publicity_id"
        " WHERE l.branch_code = ? AND l.cycle = ? AND l.period = ? AND l.reopened_at IS NULL"
        " ORDER BY l.id DESC LIMIT 1",
        [branch_code, cycle, period],
    )
    return json.loads(row[0]) if row else None


def branch_results(store: Store, branch_code: str, cycle: int, period: str = "cycle",
                   today: dt.date | None = None) -> BranchResults:
    """What the app shows for a branch and period (unscoped: the CLI and services call it)."""
    frozen = frozen_output(store, branch_code, cycle, period)
    if frozen is None:
        scheme, output, through = live_output(store, branch_code, cycle, period, today)
    else:
        check_period(period)
        scheme, _ = scheme_for_cycle(store, branch_code, cycle, today)
        output, through = frozen, period_bounds(scheme.cycle_start, cycle, period)[1]
    return BranchResults(branch_code, cycle, period, scheme, output, frozen is not None, through)


def view_results(store: Store, scope, branch_code: str, cycle: int, period: str = "cycle",
                 today: dt.date | None = None) -> BranchResults:
    """``branch_results`` for a page: the branch must be in the user's scope."""
    scope.check_org(store, branch_code)
    return branch_results(store, branch_code, cycle, period, today)


def result_rows(output: dict) -> list[dict]:
    """One row per subject with Chinese column names, in the engine's order (by rank).
    Totals stay numbers (shown with one decimal by the page; summable in Excel)."""
    rows = []
    for r in output["results"]:
        exempt = r["rank"] is None and r["total"] is None and r["grade"] is None and r["stars"] is None
        rows.append({
            "排名": r["rank"], "编号": r["subject"], "姓名": r.get("name") or r["subject"],
            "总分": r["total"], "等次": r["grade"] or "", "星级": r["stars"],
            "标记": "免于评星" if exempt else "、".join(flag_label(f) for f in r["flags"]),
        })
    # A points scheme gives no stars and a star scheme no total: leave out the empty column.
    for column, key in (("总分", "total"), ("星级", "stars")):
        if all(r[key] is None for r in output["results"]):
            for row in rows:
                del row[column]
    return rows


def explain_lines(output: dict, subject: str) -> list[str]:
    for r in output["results"]:
        if r["subject"] == subject:
            return list(r["explain"])
    raise EntryError(f"结果中没有成员 {subject}")
