"""A station's year: hours, points and stars per volunteer, the share at 3 stars or more
against the scheme's target, and whether each month had a group service (每月集中服务).

Points and stars are the engine's (``branch_results`` with track ``volunteer``, the same
numbers 积分结果 shows); hours are read from the approved service records beside them.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from core import bounds
from core.auth import scope_for
from core.cycles import cycle_bounds
from core.decimals import to_decimal
from core.engine.labels import flag_label
from core.services.results import branch_results
from core.store import Store
from core.volunteers import GROUP_FORM, TRACK
from core.cycles import month_start, next_month
from core.volunteers.monthly import month_label
from core.volunteers.service_log import services
from core.volunteers.stations import check_station, volunteers
from core.volunteers.training import training_status, training_text

SHARE_RULE = "three_star_share"  # volunteer-stars: 三星级及以上义工不低于50%


def standing(store: Store, user, station: str, cycle: int, today: dt.date | None = None) -> dict:
    """``rows`` (one per volunteer, Chinese columns), ``share`` (the share at 3 stars or more:
    hits, of, percent, min_percent; None when the scheme sets no such target), ``label``
    (the cycle's name) and ``months`` (the monthly group service)."""
    check_station(store, scope_for(store, user), station)
    today = today or dt.date.today()
    cycle = bounds.cycle(cycle, today=today)
    results = branch_results(store, station, cycle, today=today, track=TRACK)
    scheme = results.scheme
    start, end = cycle_bounds(scheme.cycle_start, cycle)
    by_subject = {r["subject"]: r for r in results.output["results"]}
    log = services(store, station, start, end)
    people = volunteers(store, station)
    registered = pl.DataFrame([(v["id"], v["approved_on"]) for v in people], orient="row",
                              schema={"volunteer_id": pl.String, "approved_on": pl.Date})
    # what the engine counts: approved, and not before the volunteer's registration
    counted = log.filter(pl.col("status") == "approved").join(registered, on="volunteer_id", how="left").filter(
        pl.col("approved_on").is_null() | (pl.col("date") >= pl.col("approved_on")))
    hours = {vid: (n, h, ok) for vid, n, h, ok in counted.group_by("volunteer_id").agg(
        pl.len(), pl.col("hours").sum(), pl.col("hours").filter(pl.col("rating") == "满意").sum().alias("ok"),
    ).iter_rows()}
    pending = dict(log.filter(pl.col("status") == "entered").group_by("volunteer_id").len().iter_rows())
    training = training_status(store, station, cycle, scheme.cycle_start)
    rows = []
    for v in people:
        result = by_subject.get(v["id"], {})
        n, total_hours, ok_hours = hours.get(v["id"], (0, 0.0, 0.0))
        trained = training[v["id"]]
        rows.append({
            "义工": v["name"], "编号": v["id"], "登记日期": v["approved_on"], "服务次数": n,
            "服务时长（小时）": float(total_hours), "满意时长（小时）": float(ok_hours or 0),
            "积分": None if result.get("total") is None else float(to_decimal(result["total"])),
            "星级": result.get("stars"),
            "待审核": pending.get(v["id"], 0),
            "培训": training_text(trained), "培训达标": "达标" if trained["met"] else "未达标",
            "标记": "、".join(flag_label(f, scheme.cycle_start) for f in result.get("flags", [])),
        })
    branch = next((b for b in results.output.get("branches", []) if b["branch"] == station), {})
    return {"rows": rows, "share": branch.get("shares", {}).get(SHARE_RULE), "label": results.label,
            "months": group_service(store, station, start, min(end, today), today), "frozen": results.frozen}


def group_service(store: Store, station: str, start: dt.date, end: dt.date, today: dt.date) -> list[dict]:
    """One row per month from ``start`` to ``end``: the days with a 集中 service (not
    rejected, not revoked) and whether the month had one; the current month is 进行中 until
    it has one."""
    group = services(store, station, start, end, standing=True).filter(pl.col("form") == GROUP_FORM)
    days = sorted(set(group["date"].to_list()))
    out, month = [], month_start(start)
    while month <= end:
        held = [d for d in days if (d.year, d.month) == (month.year, month.month)]
        current = (month.year, month.month) == (today.year, today.month)
        state = "已开展" if held else ("本月进行中" if current else "未开展")
        out.append({"月份": month_label(month), "集中服务（天）": len(held),
                    "日期": "、".join(f"{d:%m-%d}" for d in held), "情况": state})
        month = next_month(month)
    return out
