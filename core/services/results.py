"""Branch results (积分结果): the engine's output for a branch and period, and the
Chinese table rows every view of it shares (results page, 公示, PDF, Excel).

An open period is recomputed from the ledger each time; a finalised period shows the
snapshot frozen when it was archived, so later scheme changes never rewrite it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from core.cycles import PERIODS, period_bounds, period_label
from core.decimals import fmt, to_decimal
from core.engine import evaluate
from core.engine.labels import flag_label
from core.scheme import Scheme
from core.scheme_assignments import scheme_for_cycle, version_of, version_text
from core.services.case import branch_group, read_cases
from core.services.entry_rules import EntryError
from core.store import Store

@dataclass(frozen=True)
class BranchResults:
    branch_code: str
    cycle: int
    period: str
    scheme: Scheme
    output: dict  # exactly what ``evaluate`` returns
    frozen: bool  # a finalised snapshot rather than a live computation
    through: dt.date  # the data counted runs up to this day
    track: str = "party"  # whose results: 党员, a village's households, volunteers

    @property
    def label(self) -> str:
        return period_label(self.scheme, self.cycle, self.period)


def check_period(period: str) -> None:
    if period not in PERIODS:
        raise EntryError(f"期间应为 {'/'.join(PERIODS)} 之一，实为 {period}")


def live_output(store: Store, branch_code: str, cycle: int, period: str = "cycle",
                today: dt.date | None = None, track: str = "party") -> tuple[Scheme, dict, dt.date]:
    """Recompute now: the cycle's case, evaluated for the period (SCHEMES.md, "Period
    results": P's own scores and the cycle to date, graded only where the scheme grades P).
    The output carries the scheme version that produced it (``version``: template, version and
    an adopted edit's label), so a 公示 snapshot keeps saying which version it was."""
    check_period(period)
    group = branch_group(store, branch_code, cycle, today, track)
    scheme, case = group.scheme, read_cases(store, [group], cycle)[0]
    case["period"] = period
    through = period_bounds(scheme.cycle_start, cycle, period)[1]
    output = evaluate(scheme, case)
    output["version"] = version_of(scheme, group.assignment)
    return scheme, output, through


def scheme_version_text(output: dict) -> str:
    """The version that produced ``output``; a snapshot older than versions says the template."""
    return version_text(output.get("version")) or f"{output.get('name', output['scheme'])}（版本 {output['scheme_version']}）"


def frozen_output(store: Store, branch_code: str, cycle: int, period: str, track: str = "party") -> dict | None:
    """The snapshot of a finalised period of ``track`` whose lock is in force, else None."""
    row = store.one(
        "SELECT p.snapshot FROM period_locks l JOIN publicity p ON p.id = l.publicity_id"
        " WHERE l.branch_code = ? AND l.cycle = ? AND l.period = ? AND l.reopened_at IS NULL"
        " AND coalesce(l.track, 'party') = ? ORDER BY l.id DESC LIMIT 1",
        [branch_code, cycle, period, track],
    )
    return json.loads(row[0]) if row else None


def branch_results(store: Store, branch_code: str, cycle: int, period: str = "cycle",
                   today: dt.date | None = None, track: str = "party") -> BranchResults:
    """What the app shows for a branch, period and track (unscoped: the CLI and services
    call it)."""
    frozen = frozen_output(store, branch_code, cycle, period, track)
    if frozen is None:
        scheme, output, through = live_output(store, branch_code, cycle, period, today, track)
    else:
        check_period(period)
        scheme, _ = scheme_for_cycle(store, branch_code, cycle, today, track)
        output, through = frozen, period_bounds(scheme.cycle_start, cycle, period)[1]
    return BranchResults(branch_code, cycle, period, scheme, output, frozen is not None, through, track)


def view_results(store: Store, scope, branch_code: str, cycle: int, period: str = "cycle",
                 today: dt.date | None = None, track: str = "party") -> BranchResults:
    """``branch_results`` for a page: the branch must be in the user's scope."""
    scope.check_org(store, branch_code)
    return branch_results(store, branch_code, cycle, period, today, track)


def result_rows(output: dict) -> list[dict]:
    """One row per subject with Chinese column names, in the engine's order (by rank): the
    scheme's components, then the total. A period result shows P's own component scores
    (未评 where nothing is due yet) and the score to date, and no grade where the scheme
    grades only the cycle. Totals stay numbers (one decimal on screen; summable in Excel);
    component cells are text, so 未评 never reads as 0."""
    names = output.get("components") or {}  # older snapshots carry no names: no component columns
    period = output.get("period", "cycle")
    cycle_start = output.get("cycle_start", "01-01")
    key = "components" if period == "cycle" else "period_components"
    # every row has every column (a component of another category, an exempt member: blank)
    shown = [cid for cid in names if any(cid in (r.get(key) or {}) for r in output["results"])]
    suffix = "" if period == "cycle" else "（本期）"
    rows = []
    for r in output["results"]:
        exempt = r["rank"] is None and r["total"] is None and r["grade"] is None and r["stars"] is None
        row = {"排名": r["rank"], "编号": r["subject"], "姓名": r.get("name") or r["subject"]}
        mine = r.get(key) or {}
        for cid in shown:
            row[names[cid] + suffix] = _points(mine[cid]) if cid in mine and not exempt else ""
        if period == "cycle":
            row["总分"] = r["total"]
        else:
            row["截至本期得分"] = r["total"] if r["total"] is not None else r.get("subtotal")
            row["未计入（未评）"] = "、".join(names.get(c, c) for c in r.get("not_assessed", ()))
        row["等次"] = r["grade"] or ""
        row["星级"] = r["stars"]
        row["标记"] = "免于评星" if exempt else "、".join(flag_label(f, cycle_start) for f in r["flags"])
        rows.append(row)
    # A column the scheme never fills (no stars, no grade in this period, nothing 未评) is left out.
    for column in ("总分", "截至本期得分", "星级", "等次", "未计入（未评）"):
        if rows and column in rows[0] and all(row[column] in (None, "") for row in rows):
            for row in rows:
                del row[column]
    return rows


def _points(value) -> str:
    return "未评" if value is None else fmt(to_decimal(value))


def display_rows(rows: list[dict]) -> list[dict]:
    """``result_rows`` for the screen and the PDF: every cell text, numbers with one decimal,
    nothing blank that reads as "None"."""
    return [{k: ("—" if v is None else f"{v:.1f}" if isinstance(v, float) or k.endswith("得分") or k == "总分"
                 else str(v)) for k, v in row.items()} for row in rows]


def warning_lines(output: dict) -> list[str]:
    """The warnings, one line per kind of message with the members' names, instead of
    "评议分 未录入，按 0 计" 43 times."""
    names = {r["subject"]: r.get("name") or r["subject"] for r in output["results"]}
    grouped: dict[str, list[str]] = {}
    for w in output["warnings"]:
        who = grouped.setdefault(w["message"], [])
        if w.get("subject") and names.get(w["subject"], w["subject"]) not in who:
            who.append(names.get(w["subject"], w["subject"]))
    return [f"{message}：{'、'.join(who)}（{len(who)} 人）" if who else message
            for message, who in grouped.items()]


def explain_lines(output: dict, subject: str) -> list[str]:
    for r in output["results"]:
        if r["subject"] == subject:
            return list(r["explain"])
    raise EntryError(f"结果中没有成员 {subject}")
