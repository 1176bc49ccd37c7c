"""Training (seed 002, 教育培训制度): the station trains its volunteers, 集中培训 at least
twice a year and at least 12 hours a year in all; each session is recorded per volunteer
(党员义工培训情况统计表), so the yearly minimum is checked per volunteer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core import audit, bounds
from core.auth import require, scope_for
from core.cycles import cycle_bounds
from core.decimals import fmt
from core.services.entry_rules import EntryError
from core.store import Store
from core.volunteers.stations import check_station, volunteers

MIN_SESSIONS = 2  # 集中培训每年不少于2次
MIN_HOURS = Decimal(12)  # 年累计培训时间不得少于12小时
MAX_SESSION_HOURS = 24


def add_training(store: Store, user, station: str, volunteer_ids: list[str], day: dt.date, hours, topic: str,
                 today: dt.date | None = None) -> int:
    """One training session attended by ``volunteer_ids``; returns how many rows were written."""
    require(user, "log_service")
    check_station(store, scope_for(store, user), station)
    day = bounds.day(day, "培训日期", today=today)
    hours = bounds.count(hours, "培训时长（小时）", whole=False, maximum=MAX_SESSION_HOURS)
    topic = bounds.text(topic, "培训内容", required=True, max_len=bounds.TITLE_MAX, multiline=False)
    known = {v["id"]: v for v in volunteers(store, station)}
    chosen = list(dict.fromkeys(volunteer_ids or []))
    if not chosen:
        raise EntryError("请选择参加培训的义工")
    strangers = [v for v in chosen if v not in known]
    if strangers:
        raise EntryError(f"{'、'.join(map(str, strangers[:5]))} 不是本工作站的义工")

    def work(cur) -> int:
        for vid in chosen:
            new_id = cur.execute(
                "INSERT INTO volunteer_trainings(station_code, volunteer_id, date, hours, topic, entered_by)"
                " VALUES (?, ?, ?, ?, ?, ?) RETURNING id", [station, vid, day, hours, topic, user.username]).fetchone()[0]
            audit.record(cur, user.username, "volunteer.training", entity="volunteer_training", entity_id=new_id,
                         org_code=station, member_id=vid, after={"date": day, "hours": hours, "topic": topic})
        return len(chosen)

    return store.write(work)


def training_status(store: Store, station: str, cycle: int, cycle_start: str = "01-01") -> dict[str, dict]:
    """volunteer id → sessions, hours and whether the year's minimum is met (both needed)."""
    start, end = cycle_bounds(cycle_start, cycle)
    rows = dict((r[0], (r[1], r[2])) for r in store.all(
        "SELECT volunteer_id, count(*), sum(hours) FROM volunteer_trainings WHERE station_code = ?"
        " AND date BETWEEN ? AND ? GROUP BY volunteer_id", [station, start, end]))
    out = {}
    for v in volunteers(store, station):
        sessions, hours = rows.get(v["id"], (0, Decimal(0)))
        out[v["id"]] = {"sessions": int(sessions), "hours": Decimal(hours or 0),
                        "met": sessions >= MIN_SESSIONS and Decimal(hours or 0) >= MIN_HOURS}
    return out


def training_text(status: dict) -> str:
    """'2 次 / 12 小时，达标' or what is missing."""
    done = f"{status['sessions']} 次 / {fmt(status['hours'])} 小时"
    if status["met"]:
        return f"{done}，达标"
    return f"{done}，未达标（每年至少 {MIN_SESSIONS} 次、{fmt(MIN_HOURS)} 小时）"
