"""积分台账: a branch's cycle as a workbook to print and file.

One sheet per period the scheme publishes within the cycle (its quarters; its halves or
months where it has no quarters; quarters where it publishes only the year): the effective
events of the period and each member's period result; then a summary sheet with the cycle's
result. The results are ``result_rows`` of ``branch_results``, the very rows of 积分结果 and
the 公示, so the 台账 never disagrees with them.
"""

from __future__ import annotations

import datetime as dt

from core.cycles import HALVES, MONTHS, QUARTERS, cycle_label, period_bounds, period_name
from core.io.workbook import Sheet, Table
from core.scheme import Scheme
from core.services.ledger import ItemLookup, event_points
from core.services.rollups import EFFECTIVE_EVENTS_SQL
from core.services.results import branch_results, result_rows
from core.store import Store

EVENT_COLUMNS = ["序号", "日期", "编号", "姓名", "项目", "次数", "分值", "备注", "录入人", "审核人", "审核日期"]
# A sum of ranks or stars means nothing; averages of scores do.
NOT_SUMMED = {"排名", "星级", "编号"}


def ledger_periods(scheme: Scheme) -> list[str]:
    """The periods that get a sheet: the scheme's quarters, else its halves, else its months;
    quarters for a scheme that publishes only the year."""
    published = set(scheme.publish_periods)
    for family in (QUARTERS, HALVES, MONTHS):
        if published & set(family):
            return [p for p in family if p in published]
    return list(QUARTERS)


def branch_name(store: Store, code: str) -> str:
    return store.scalar("SELECT name FROM orgs WHERE code = ?", [code]) or code


def period_events(store: Store, branch_code: str, start: dt.date, end: dt.date, scheme: Scheme,
                  member_id: str | None = None) -> list[dict]:
    """The events that count (approved, not reversed), oldest first, with who entered and
    who reviewed them. Scoped by the event's branch: a member's events entered by another
    branch stay with that branch."""
    sql = (f"SELECT e.id, e.date, e.member_id, m.name, e.item, e.count, e.points, e.note,"
           f" coalesce(eu.display_name, e.entered_by), coalesce(ru.display_name, r.reviewed_by), r.reviewed_at"
           f" FROM ({EFFECTIVE_EVENTS_SQL}) e JOIN members m ON m.id = e.member_id"
           f" JOIN event_reviews r ON r.event_id = e.id"
           f" LEFT JOIN users eu ON eu.username = e.entered_by LEFT JOIN users ru ON ru.username = r.reviewed_by"
           f" WHERE e.branch_code = ? AND e.date BETWEEN ? AND ?")
    params: list = [branch_code, start, end]
    if member_id is not None:
        sql += " AND e.member_id = ?"
        params.append(member_id)
    rows, older = [], ItemLookup(store)
    for n, (_, day, mid, name, code, count, points, note, entered, reviewer, reviewed) in enumerate(
            store.all(sql + " ORDER BY e.date, e.id", params), start=1):
        # an item dropped by a mid-cycle scheme change is named by the scheme in force that day
        item = scheme.items.get(code) or older.get(branch_code, day, code)
        value = event_points(item, points, count)
        rows.append({"序号": n, "日期": f"{day:%Y-%m-%d}", "编号": mid, "姓名": name,
                     "项目": item.name if item else code, "次数": float(count),
                     "分值": None if value is None else float(value), "备注": note or "",
                     "录入人": entered, "审核人": reviewer or "",
                     "审核日期": f"{reviewed:%Y-%m-%d}" if reviewed else ""})
    return rows


def numeric(rows: list[dict]) -> list[dict]:
    """``result_rows`` with component cells as numbers, so Excel can sum them; 未评 and blank
    stay text (未评 is not 0)."""
    out = []
    for row in rows:
        new = {}
        for k, v in row.items():
            if isinstance(v, str) and v not in ("", "未评") and k not in ("编号", "姓名", "等次", "标记"):
                try:
                    v = float(v.replace("−", "-"))
                except ValueError:
                    pass
            new[k] = float(v) if isinstance(v, int) and not isinstance(v, bool) and k not in NOT_SUMMED else v
        out.append(new)
    return out


def totals_rows(rows: list[dict], columns: list[str], label_column: str) -> list[dict]:
    """合计 and 平均 of each numeric column (ranks and stars excepted)."""
    summed = [c for c in columns if c not in NOT_SUMMED and c != label_column
              and any(isinstance(r.get(c), float) for r in rows)]
    total = {label_column: f"合计（{len(rows)}）"}
    mean = {label_column: "平均"}
    for c in summed:
        values = [r[c] for r in rows if isinstance(r.get(c), float)]
        total[c] = round(sum(values), 2)
        mean[c] = round(sum(values) / len(values), 1) if values else None
    return [total, mean] if rows else [total]


def result_table(output: dict) -> Table:
    rows = numeric(result_rows(output))
    columns = list(rows[0]) if rows else ["排名", "编号", "姓名"]
    return Table(columns, rows, totals_rows(rows, columns, "姓名"))


def ledger_sheets(store: Store, branch_code: str, cycle: int, periods: list[str] | None = None,
                  today: dt.date | None = None) -> list[Sheet]:
    overall = branch_results(store, branch_code, cycle, "cycle", today)
    scheme, name = overall.scheme, branch_name(store, branch_code)
    sheets = []
    for period in periods or ledger_periods(scheme):
        start, end = period_bounds(scheme.cycle_start, cycle, period)
        events = period_events(store, branch_code, start, end, scheme)
        table = Table(EVENT_COLUMNS, events,
                      [{"姓名": f"合计（{len(events)} 条）", "分值": round(sum(e["分值"] or 0 for e in events), 2)}])
        result = branch_results(store, branch_code, cycle, period, today)
        label = period_name(scheme, cycle, period)
        sheets.append(Sheet(label, f"{name}　{result.label}　积分台账", [table, result_table(result.output)],
                            [f"左：{label}已审核通过、未撤销的积分记录（{start:%Y-%m-%d}至{end:%Y-%m-%d}）；"
                             f"右：本期得分（与「积分结果」一致）。"]))
    through = min(overall.through, today or dt.date.today())
    state = "已归档（归档时冻结的结果）" if overall.frozen else f"实时计算，截至 {through:%Y-%m-%d}"
    summary = Sheet("汇总（全年）", f"{name}　{cycle_label(scheme, cycle)}　积分汇总", [result_table(overall.output)],
                    [f"积分方案：{overall.output.get('name', scheme.name)}（版本 {overall.output['scheme_version']}）；{state}。"])
    return sheets + [summary]
