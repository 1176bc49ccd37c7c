"""乡镇报表: the township's branches × indicators, the same figures as 支部对比 and 总览
(``core.metrics.compare.branch_table``; nothing here recomputes them), as a workbook.

Activity columns count a calendar period (dashboards' ``2026Q1`` / ``2026-03`` / ``2026``), the
score columns the rating cycle; every header says which, as on the page.
"""

from __future__ import annotations

import datetime as dt
import re

from core.auth.scope import Scope
from core.metrics.compare import branch_table, column_labels
from core.metrics.coverage import STAGES, month_matrix
from core.metrics.filters import Filter, cycle_name, cycle_starts, period_label, quarter_key
from core.io.workbook import Sheet, Table
from core.store import Store

PERIOD_KEY = re.compile(r"^\d{4}(Q[1-4]|-(0[1-9]|1[0-2]))?$")
SUMMED = ("base", "entries", "rated")  # counts add up over branches; rates and averages do not


def check_period_key(period: str) -> str:
    if not PERIOD_KEY.match(period or ""):
        raise ValueError(f"统计期间应写作 2026Q1（季度）、2026-03（月）或 2026（全年），实为 {period}")
    return period


def org_scope(store: Store, scope: Scope | None, org_code: str) -> Scope:
    """The org's subtree, as whoever asks may see it (``scope`` None: the command line, unscoped)."""
    path = store.scalar("SELECT path FROM orgs WHERE code = ?", [org_code])
    if path is None:
        raise ValueError(f"未知组织编码：{org_code}")
    return scope.narrowed(store, org_code) if scope is not None else Scope("cli", "admin", org_code, path)


def report_sheets(store: Store, scope: Scope, cycle: int, period: str | None = None,
                  today: dt.date | None = None, category: str | None = None) -> list[Sheet]:
    """``category`` narrows to one member category, as the dashboards' filter does."""
    today = today or dt.date.today()
    flt = Filter(today=today, cycle=cycle, period=check_period_key(period or quarter_key(today)), category=category)
    data = branch_table(store, scope, flt)
    starts = cycle_starts(store, scope, flt)
    period_text, cycle_text = period_label(flt.period), cycle_name(starts, cycle, dates=False)
    labels = column_labels(period_text, cycle_text)
    grades = [c for c in data.columns if c.startswith("grade:")]
    labels |= {g: f"{g[6:]}占比（%，{cycle_text}）" for g in grades}
    shown = data.select(["branch", *labels]).rename({"branch": "编码"} | labels)
    rows = list(shown.iter_rows(named=True))
    totals = {"支部": f"合计（{len(rows)} 个支部）"} | {
        labels[c]: float(data[c].sum()) for c in SUMMED if data.height and data[c].null_count() < data.height}
    name = store.scalar("SELECT name FROM orgs WHERE code = ?", [scope.org_code]) or scope.org_code
    notes = [f"统计期间 {period_text}：党员数、参与率、出勤率、录入条数；积分周期 {cycle_name(starts, cycle)}："
             "参评人数、平均分、中位数、等次占比。数据与「支部对比」页面一致。",
             "参与率 = 有已审核积分记录或出席活动的党员 ÷ 党员数；出勤率 = 出席人次 ÷ 应到人次；"
             "等次占比 = 该等次人数 ÷ 参评人数，所用方案没有该等次的支部留空。",
             f"导出日期：{today:%Y-%m-%d}"]
    who = f"；{category}" if category else ""
    return [Sheet("支部对比", f"{name}　各支部积分工作情况（{period_text}；{cycle_text}{who}）",
                  [Table(list(shown.columns), rows, [totals])], notes), coverage_sheet(store, scope, flt, name)]


def coverage_sheet(store: Store, scope: Scope, flt: Filter, name: str) -> Sheet:
    """覆盖情况 as a table: each branch's entries per month of the period's year up to today,
    and how far each month has got (未录入 … 已归档), as on the 覆盖情况 page."""
    matrix = month_matrix(store, scope, flt)
    months = sorted(set(matrix["month"].to_list())) if matrix.height else []
    rows: dict[str, dict] = {}
    for branch, branch_name, month, entries, _, stage in matrix.iter_rows():
        row = rows.setdefault(branch, {"编码": branch, "支部": branch_name})
        row[f"{month.month}月录入条数"] = entries
        row[f"{month.month}月进度"] = STAGES[stage]
    columns = ["编码", "支部"] + [f"{m.month}月{what}" for m in months for what in ("录入条数", "进度")]
    totals = {"支部": "合计"} | {f"{m.month}月录入条数": sum(r.get(f"{m.month}月录入条数", 0) for r in rows.values())
                                for m in months}
    year = flt.period[:4]
    return Sheet("月度覆盖", f"{name}　各支部逐月录入与进度（{year}年，截至 {flt.today:%Y-%m-%d}）",
                 [Table(columns, list(rows.values()), [totals])],
                 ["进度：" + "、".join(STAGES) + "，后者包含前者；与「覆盖情况」页面一致。"])
