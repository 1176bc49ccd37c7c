"""The station's service log: one record per service a volunteer gave.

A record is an ``events`` row (item ``service``, ``count`` = hours, ``rating``) written by
``ledger.record_event``, so it goes to the review queue (the station's secretary approves)
and counts for points like any entry; what the log adds (type, form, who confirmed it, whom
a 派单 served) goes in ``service_details`` in the same transaction.

**Decision** (SCHEMES.md: "Counting starts on approved_on"): service dated before the
volunteer's registration date is refused here with a message saying why, rather than saved
and silently not counted. The engine would ignore it anyway (``event_before_approval``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl

from core import bounds
from core.auth import require, scope_for
from core.decimals import fmt
from core.services import ledger
from core.services.entry_rules import EntryError, member_row
from core.store import Store
from core.volunteers import DISPATCH_FORM, FORMS, KIND, SERVICE_ITEM, SERVICE_TYPES
from core.volunteers.stations import check_station

MAX_HOURS = 24  # one record is one day's service


def check_hours(value) -> Decimal:
    """Hours of one service: more than 0, at most a day, in half-hours (1.5 saves, 1.2 does not)."""
    hours = bounds.count(value, "服务时长（小时）", whole=False, maximum=MAX_HOURS)
    if hours * 2 != (hours * 2).to_integral_value():
        raise EntryError(f"服务时长以半小时为单位（如 1.5），填写的是 {fmt(hours)}")
    return hours


def log_service(store: Store, user, volunteer_id: str, day: dt.date, hours, service_type: str, form: str,
                rating: str, confirmed_by: str = "", served_name: str = "", note: str = "",
                request_key: str | None = None, today: dt.date | None = None) -> int:
    """Record one service (status 待审核) and return its event id."""
    require(user, "log_service")
    volunteer_id = bounds.text(volunteer_id, "义工编号", required=True, max_len=bounds.NAME_MAX, multiline=False)
    scope_for(store, user).check_member(store, volunteer_id)
    volunteer = member_row(store, volunteer_id)
    if volunteer.kind != KIND:
        raise EntryError(f"{volunteer.name} 不是登记的党员义工")
    hours = check_hours(hours)
    if service_type not in SERVICE_TYPES:
        raise EntryError(f"服务类别应为 {'、'.join(SERVICE_TYPES)} 之一")
    if form not in FORMS:
        raise EntryError(f"服务形式应为 {'、'.join(FORMS)} 之一")
    if rating not in ledger.RATINGS:
        raise EntryError(f"请选择服务评价（{'/'.join(ledger.RATINGS)}）")
    served_name = bounds.text(served_name, "服务对象姓名", max_len=bounds.NAME_MAX, multiline=False)
    confirmed_by = bounds.text(confirmed_by, "认定人", max_len=bounds.NAME_MAX, multiline=False)
    if form == DISPATCH_FORM:
        if not served_name:
            raise EntryError("派单服务由服务对象签字认定：请填写服务对象姓名")
        confirmed_by = confirmed_by or served_name
    elif not confirmed_by:
        raise EntryError(f"{form}服务的时长由工作站认定：请填写认定人")
    day = bounds.day(day, "服务日期", today=today)
    registered = store.scalar("SELECT approved_on FROM members WHERE id = ?", [volunteer_id])
    if registered is not None and day < registered:
        raise EntryError(f"{volunteer.name} 于 {registered:%Y-%m-%d} 登记为党员义工，{day:%Y-%m-%d} 的服务在此之前，"
                         "不计积分，未保存")

    def details(cur, event_id: int) -> None:
        cur.execute("INSERT INTO service_details(event_id, service_type, form, confirmed_by, served_name)"
                    " VALUES (?, ?, ?, ?, ?)", [event_id, service_type, form, confirmed_by or None,
                                                served_name or None]).fetchall()

    return ledger.record_event(store, user, volunteer_id, SERVICE_ITEM, day, None, hours, note, request_key, rating,
                               today, after_insert=details)


# Every service record of a station in a window with its details and status (reversal rows
# themselves left out). ``ledger.STATUS_SQL`` names the status; reports keep what stands.
_SERVICES_SQL = f"""
SELECT e.id, e.member_id, m.name, e.date, e.count, e.rating, d.service_type, d.form, d.confirmed_by,
       d.served_name, e.note, {ledger.STATUS_SQL} AS status
FROM events e JOIN members m ON m.id = e.member_id
LEFT JOIN service_details d ON d.event_id = e.id
LEFT JOIN event_reviews r ON r.event_id = e.id
WHERE e.branch_code = ? AND e.item = ? AND m.kind = ? AND e.reverses IS NULL AND e.date BETWEEN ? AND ?
ORDER BY e.date, e.id
"""
SERVICE_SCHEMA = {"id": pl.Int64, "volunteer_id": pl.String, "name": pl.String, "date": pl.Date,
                  "hours": pl.Float64, "rating": pl.String, "service_type": pl.String, "form": pl.String,
                  "confirmed_by": pl.String, "served_name": pl.String, "note": pl.String, "status": pl.String}
STANDING = ("entered", "approved")  # not rejected, not revoked: what a report counts


def services(store: Store, station: str, start: dt.date, end: dt.date, standing: bool = False) -> pl.DataFrame:
    """The station's service records dated ``start``..``end`` (``SERVICE_SCHEMA``); with
    ``standing``, only those not rejected nor revoked."""
    rows = store.all(_SERVICES_SQL, [station, SERVICE_ITEM, KIND, start, end])
    frame = pl.DataFrame([(*r[:4], float(r[4]), *r[5:]) for r in rows], schema=SERVICE_SCHEMA, orient="row")
    return frame.filter(pl.col("status").is_in(STANDING)) if standing else frame


def log_table(store: Store, user, station: str, start: dt.date, end: dt.date) -> pl.DataFrame:
    """The log as the page shows it, newest first, in Chinese."""
    check_station(store, scope_for(store, user), station)
    frame = services(store, station, start, end).sort(["date", "id"], descending=True)
    unknown = "未登记"  # a service entered on 积分录入 has no log details
    return frame.select(
        pl.col("date").alias("日期"), pl.col("name").alias("义工"), pl.col("hours").alias("时长（小时）"),
        pl.col("service_type").fill_null(unknown).alias("服务类别"), pl.col("form").fill_null(unknown).alias("服务形式"),
        pl.col("rating").fill_null("未评价").alias("评价"), pl.col("confirmed_by").fill_null("").alias("认定人"),
        pl.col("served_name").fill_null("").alias("服务对象"), pl.col("note").fill_null("").alias("备注"),
        pl.col("status").replace_strict(ledger.STATUS_NAMES, return_dtype=pl.String).alias("状态"),
    )
