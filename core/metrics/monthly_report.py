"""月报: the township's figures for one month, per branch and in total, for the county — the
seeds' 「每月上报1次信息动态」.

For each branch: records entered (录入) and approved that month (dated in the month, as every
dashboard counts them: core.metrics.activity.entries); participation by subject kind against
its target (core.targets, 总览's own definition); activities held; 公示 started; objections
received, and those overdue at the month's end (deadline passed, not answered by then); 积分超市
exchanges that stand (not undone) and their points, where the township has a 积分超市; volunteers'
service hours that stand (entered or approved, as the stations' own 月报 counts them), where it
has volunteers.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from core.auth.scope import Scope
from core.cycles import month_end, month_label, month_start
from core.io.exports import clean_file_name
from core.io.tables import excel_bytes
from core.metrics import activity
from core.metrics.filters import Filter, default_filter, month_key
from core.orgs import labels
from core.store import Store
from core.targets import KIND_NAMES, KINDS, participation_by_kind
from core.volunteers import SERVICE_ITEM

TOTAL = "合计"
SHEET = "月报"


def _counts(store: Store, scope: Scope, first: dt.date, last: dt.date) -> pl.DataFrame:
    """branch, activities, publicities, objections, overdue, exchanges, exchange_points, hours."""
    where, params = scope.sql("o")
    return store.frame(f"""
    WITH b AS (SELECT o.code FROM orgs o WHERE {where} AND o.level = 'branch'),
    a AS (SELECT branch_code, count(*) AS n FROM activities WHERE date BETWEEN ? AND ? GROUP BY branch_code),
    p AS (SELECT branch_code, count(*) AS n FROM publicity WHERE state <> 'withdrawn' AND start_date BETWEEN ? AND ?
          GROUP BY branch_code),
    x AS (SELECT p.branch_code, count(*) FILTER (WHERE x.filed_on BETWEEN ? AND ?) AS received,
                 count(*) FILTER (WHERE x.deadline < ? AND x.filed_on <= ?
                                  AND (x.resolved_on IS NULL OR x.resolved_on > ?)) AS overdue
          FROM objections x JOIN publicity p ON p.id = x.publicity_id GROUP BY p.branch_code),
    g AS (SELECT m.branch_code, count(*) AS n, sum(g.points) AS points FROM exchanges g
          JOIN members m ON m.id = g.subject_id
          WHERE g.reverses IS NULL AND g.date BETWEEN ? AND ?
            AND NOT EXISTS (SELECT 1 FROM exchanges u WHERE u.reverses = g.id)
          GROUP BY m.branch_code),
    h AS (SELECT e.branch_code, sum(e.count) AS hours FROM events e JOIN members m ON m.id = e.member_id
          LEFT JOIN event_reviews r ON r.event_id = e.id
          WHERE m.kind = 'volunteer' AND e.item = ? AND e.date BETWEEN ? AND ? AND e.reverses IS NULL
            AND coalesce(r.decision, 'entered') <> 'rejected'
            AND NOT EXISTS (SELECT 1 FROM events z WHERE z.reverses = e.id)
          GROUP BY e.branch_code)
    SELECT b.code AS branch, coalesce(a.n, 0) AS activities, coalesce(p.n, 0) AS publicities,
           coalesce(x.received, 0) AS objections, coalesce(x.overdue, 0) AS overdue,
           coalesce(g.n, 0) AS exchanges, CAST(coalesce(g.points, 0) AS DOUBLE) AS exchange_points,
           CAST(coalesce(h.hours, 0) AS DOUBLE) AS hours
    FROM b LEFT JOIN a ON a.branch_code = b.code LEFT JOIN p ON p.branch_code = b.code
    LEFT JOIN x ON x.branch_code = b.code LEFT JOIN g ON g.branch_code = b.code LEFT JOIN h ON h.branch_code = b.code""",
        params + [first, last, first, last, first, last, last, last, last, first, last, SERVICE_ITEM, first, last])


def _present(store: Store, scope: Scope) -> tuple[list[str], bool, bool]:
    """The subject kinds with active subjects under the org; whether it runs a 积分超市 (goods
    or exchanges); whether it has volunteers."""
    where, params = scope.sql("o")
    kinds = {k for (k,) in store.all(
        f"SELECT DISTINCT m.kind FROM members m JOIN orgs o ON o.code = m.branch_code WHERE {where}"
        f" AND m.status = 'active'", params)}
    market = bool(store.scalar(
        f"SELECT EXISTS (SELECT 1 FROM goods g JOIN orgs o ON o.code = g.org_code WHERE {where})"
        f" OR EXISTS (SELECT 1 FROM exchanges g JOIN orgs o ON o.code = g.org_code WHERE {where})", params + params))
    return [k for k in KINDS if set(KINDS[k][1]) & kinds], market, "volunteer" in kinds


def monthly_report(store: Store, scope: Scope, org_code: str, month: dt.date,
                   today: dt.date | None = None) -> pl.DataFrame:
    """One row per branch under ``org_code`` (a township, usually) and a 合计 row, with Chinese
    column names, for ``month`` (any day in it)."""
    today = today or dt.date.today()
    scope = scope.narrowed(store, org_code)
    first, last = month_start(month), month_end(month)
    flt: Filter = default_filter(today, period=month_key(first))
    kinds, market, volunteers = _present(store, scope)
    entries = activity.entries(store, scope, flt).select("branch", "name", "entries", "approved")
    frame = entries.join(_counts(store, scope, first, last), on="branch", how="left")
    part: dict[tuple, dict] = {}  # (branch, kind) → its participation row, found once
    for p in participation_by_kind(store, scope, flt, kinds).iter_rows(named=True):
        part.setdefault((p["branch"], p["kind"]), p)
    shown = labels(store, frame["branch"].to_list())
    rows, total = [], {}
    for r in frame.iter_rows(named=True):
        row = {"支部": shown.get(r["branch"], r["name"]), "录入积分记录（条）": r["entries"], "审核通过（条）": r["approved"]}
        for kind in kinds:
            name = KIND_NAMES[kind]
            p = part.get((r["branch"], kind))
            row[f"{name}参与（人）"] = p["participants"] if p else 0
            row[f"{name}应参与（人）"] = p["base"] if p else 0
            row[f"{name}参与率（%）"] = p["rate"] if p else None
            row[f"{name}目标（%）"] = p["target"] if p else None
            row[f"{name}是否达标"] = None if not p or p["target"] is None else ("未达标" if p["below"] else "达标")
        row |= {"开展活动（次）": r["activities"], "发起公示（次）": r["publicities"], "收到异议（条）": r["objections"],
                "月末逾期未办结异议（条）": r["overdue"]}
        if market:
            row |= {"积分超市兑换（笔）": r["exchanges"], "兑换积分": r["exchange_points"]}
        if volunteers:
            row["义工服务时长（小时）"] = r["hours"]
        rows.append(row)
        for key, value in row.items():
            if isinstance(value, (int, float)) and not key.endswith(("率（%）", "目标（%）")):
                total[key] = total.get(key, 0) + value
    if rows:
        summary = {key: total.get(key) for key in rows[0]} | {"支部": TOTAL}
        for kind in kinds:
            name = KIND_NAMES[kind]
            base = summary[f"{name}应参与（人）"]
            summary[f"{name}参与率（%）"] = round(summary[f"{name}参与（人）"] * 100 / base, 1) if base else None
        rows.append(summary)
    return pl.DataFrame(rows)


def file_name(store: Store, org_code: str, month: dt.date) -> str:
    """'青山镇2025年9月月报.xlsx'."""
    name = labels(store, [org_code]).get(org_code, org_code)
    return f"{clean_file_name(f'{name}{month_label(month)}月报')}.xlsx"


def workbook(report) -> bytes:
    """A 月报 frame as an Excel workbook (one sheet)."""
    return excel_bytes({SHEET: report})


def report_bytes(store: Store, scope: Scope, org_code: str, month: dt.date, today: dt.date | None = None) -> bytes:
    """The 月报 as an Excel workbook (one sheet)."""
    return workbook(monthly_report(store, scope, org_code, month, today))
