"""月报 (seed 002, 月报制度): each station reports the month's service — hours, activities by
type and form, volunteers active and new — to the service centre by the first Wednesday of
the next month (每月第一个周三之前). **Decision:** the Wednesday itself is still on time.

The report counts every service record that stands (entered or approved; not rejected, not
revoked), so a station can print its month before the secretary has approved it all; how
many still await review is said on the report. Points and stars stay with the approved ones.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from core import audit, bounds
from core.auth import require, scope_for
from core.cycles import month_end, month_label, month_start, next_month
from core.decimals import fmt, to_decimal
from core.io import pdf
from core.io.tables import excel_bytes
from core.orgs import labels
from core.services.entry_rules import EntryError
from core.store import Store
from core.volunteers import FORMS, GROUP_FORM, SERVICE_TYPES
from core.volunteers.service_log import services
from core.volunteers.stations import check_station, volunteers

WEDNESDAY = 2  # date.weekday()
WEEKDAYS = "一二三四五六日"


def due_date(month: dt.date) -> dt.date:
    """The first Wednesday of the month after ``month``: 2025-09 → 2025-10-01, 2025-10 → 2025-11-05."""
    first = next_month(month_start(month))
    return first + dt.timedelta(days=(WEDNESDAY - first.weekday()) % 7)


def submission(store: Store, station: str, month: dt.date) -> tuple[str | None, dt.datetime | None]:
    row = store.one("SELECT submitted_by, submitted_at FROM service_reports WHERE station_code = ? AND month = ?",
                    [station, month_start(month)])
    return (row[0], row[1]) if row else (None, None)


def state(store: Store, station: str, month: dt.date, today: dt.date) -> dict:
    """due, submitted (datetime or None), overdue (not sent by the due date, or sent late)
    and the Chinese text the page and the report show."""
    month = month_start(month)
    due = due_date(month)
    due_text = f"{due:%Y-%m-%d}（星期{WEEKDAYS[due.weekday()]}）"
    _, at = submission(store, station, month)
    if at is not None:
        late = at.date() > due
        text = f"{'逾期上报' if late else '已上报'}：{at:%Y-%m-%d}（应于 {due_text}前上报）"
        return {"due": due, "submitted": at, "overdue": late, "text": text}
    if today <= month_end(month):
        return {"due": due, "submitted": None, "overdue": False, "text": f"本月尚未结束，应于 {due_text}前上报"}
    overdue = today > due
    text = f"{'已逾期，未上报' if overdue else '未上报'}（应于 {due_text}前上报）"
    return {"due": due, "submitted": None, "overdue": overdue, "text": text}


def submit(store: Store, user, station: str, month: dt.date, today: dt.date | None = None) -> None:
    """Mark the month's 月报 as sent up (once; audited)."""
    require(user, "log_service")
    check_station(store, scope_for(store, user), station)
    today = today or dt.date.today()
    month = bounds.month(month, "月报月份", today=today)
    if today <= month_end(month):
        raise EntryError(f"{month_label(month)}尚未结束，月末之后才能上报月报")

    def work(cur) -> None:
        row = cur.execute("SELECT submitted_at FROM service_reports WHERE station_code = ? AND month = ?",
                          [station, month]).fetchone()
        if row is not None:
            raise EntryError(f"{month_label(month)}的月报已于 {row[0]:%Y-%m-%d} 上报")
        # stamped on ``today`` (the caller's day, as every date check here) at the clock's time
        at = dt.datetime.combine(today, dt.datetime.now().time())
        cur.execute("INSERT INTO service_reports(station_code, month, submitted_by, submitted_at) VALUES (?, ?, ?, ?)",
                    [station, month, user.username, at]).fetchall()
        audit.record(cur, user.username, "volunteer.report", entity="service_report", entity_id=f"{station}:{month}",
                     org_code=station, after={"month": month, "due": due_date(month)})

    store.write(work)


def report(store: Store, user, station: str, month: dt.date, today: dt.date | None = None) -> dict:
    """The month's 月报: title, lines (who, when due, totals), and its tables (Chinese columns)."""
    check_station(store, scope_for(store, user), station)
    today = today or dt.date.today()
    month = bounds.month(month, "月报月份", today=today)
    last = month_end(month)
    name = labels(store, [station])[station]
    log = services(store, station, month, last, standing=True)
    people = volunteers(store, station, on=last)
    active = set(log["volunteer_id"].to_list())
    new = [v for v in people if v["approved_on"] is not None and month <= v["approved_on"] <= last]
    pending = log.filter(pl.col("status") == "entered").height
    hours = to_decimal(str(log["hours"].sum() or 0))
    group_days = log.filter(pl.col("form") == GROUP_FORM)["date"].n_unique()
    status = state(store, station, month, today)
    summary = [
        {"项目": "服务时长（小时）", "数值": fmt(hours)},
        {"项目": "服务记录（条）", "数值": str(log.height)},
        {"项目": "其中待审核（条）", "数值": str(pending)},
        {"项目": "集中服务（天）", "数值": str(group_days)},
        {"项目": "在册义工（人）", "数值": str(len(people))},
        {"项目": "参加服务的义工（人）", "数值": str(len(active))},
        {"项目": "本月新登记义工（人）", "数值": str(len(new))},
    ]
    return {
        "title": f"{name if '义工' in name else name + '党员义工'}服务活动月报（{month_label(month)}）",
        "station": station, "month": month, "state": status,
        "lines": [f"工作站：{name}", f"统计期间：{month:%Y-%m-%d} 至 {last:%Y-%m-%d}", f"上报情况：{status['text']}",
                  f"本月服务 {log.height} 条、共 {fmt(hours)} 小时（其中待审核 {pending} 条）；"
                  f"参加服务的义工 {len(active)} 人，在册 {len(people)} 人，本月新登记 {len(new)} 人。"],
        "summary": summary,
        "by_type": _by_type(log),
        "by_volunteer": _by_volunteer(log, people),
        "new": [{"义工": v["name"], "登记日期": f"{v['approved_on']:%Y-%m-%d}"} for v in new],
        "details": [{"日期": f"{r['date']:%Y-%m-%d}", "义工": r["name"], "时长（小时）": fmt(to_decimal(str(r["hours"]))),
                     "服务类别": r["service_type"] or "未登记", "服务形式": r["form"] or "未登记",
                     "评价": r["rating"] or "未评价", "认定人": r["confirmed_by"] or "",
                     "服务对象": r["served_name"] or ""} for r in log.iter_rows(named=True)],
    }


def _by_type(log: pl.DataFrame) -> list[dict]:
    """Activities by type (rows) and form (columns): records and hours, with totals."""
    rows = []
    for kind in (*SERVICE_TYPES, None):
        part = log.filter(pl.col("service_type").is_null() if kind is None else pl.col("service_type") == kind)
        if kind is None and part.is_empty():
            continue
        row = {"服务类别": kind or "未登记"}
        for form in FORMS:
            one = part.filter(pl.col("form") == form)
            row[f"{form}（条/小时）"] = f"{one.height} / {fmt(to_decimal(str(one['hours'].sum() or 0)))}"
        row["合计（条）"] = str(part.height)
        row["合计（小时）"] = fmt(to_decimal(str(part["hours"].sum() or 0)))
        rows.append(row)
    return rows


def _by_volunteer(log: pl.DataFrame, people: list[dict]) -> list[dict]:
    sums = {vid: (n, h) for vid, n, h in log.group_by("volunteer_id").agg(pl.len(), pl.col("hours").sum()).iter_rows()}
    return [{"义工": v["name"], "服务次数": str(sums.get(v["id"], (0, 0))[0]),
             "服务时长（小时）": fmt(to_decimal(str(sums.get(v["id"], (0, 0))[1])))} for v in people]


def report_excel(rep: dict) -> bytes:
    """The 月报 as a workbook: 概况, 服务类别, 义工, 服务明细 (Polars ``write_excel``)."""
    overview = [{"项目": "标题", "数值": rep["title"]}, {"项目": "上报情况", "数值": rep["state"]["text"]},
                *rep["summary"]]
    sheets = {"概况": overview, "服务类别": rep["by_type"], "义工": rep["by_volunteer"] or [{"义工": "无"}],
              "服务明细": rep["details"] or [{"日期": "本月没有服务记录"}]}
    return excel_bytes(sheets)


def report_pdf(rep: dict, font: Path = pdf.CJK_FONT) -> bytes:
    """The 月报 on A4: title, the lines, the activities by type and form, the volunteers."""
    doc = pdf._document(rep["title"], font)
    doc.add_page()
    pdf._lines(doc, [rep["title"]], size=15, align="C", height=9)
    pdf._lines(doc, rep["lines"])
    for heading, rows in (("服务活动（按类别、形式）", rep["by_type"]), ("义工服务情况", rep["by_volunteer"]),
                          ("本月新登记义工", rep["new"])):
        if not rows:
            continue
        doc.ln(2)
        pdf._lines(doc, [heading], size=12, height=8)
        pdf._table(doc, list(rows[0]), rows, 8)
    doc.ln(8)
    pdf._lines(doc, ["填报人：__________　　工作站负责人：__________"], size=10, align="R")
    return bytes(doc.output())
