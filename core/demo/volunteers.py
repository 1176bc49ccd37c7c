"""Demo: one 党员义工工作站 under the first 街道 (the first township where the demo has no
street) with about 30 volunteers, volunteer-stars from the previous cycle's start, service
records from then to ``today`` (all five types and three forms, mostly 满意, 派单 with the
name of the person served; approved, the last days' still 待审核), trainings, 月报 sent up,
and the station's secretary and recorder.

Volunteers are given yearly hour targets by tier so that the current cycle has some at 1, 2
and 3 stars (300/600/900 points: 60/120/180 hours rated 满意). Same seed and ``today``, same
rows on both engines: every timestamp is derived from the dates, never the clock.
"""

from __future__ import annotations

import datetime as dt
import random

import polars as pl

from core import audit, pinyin
from core.cycles import cycle_bounds, cycle_of
from core.demo.activity import _next_id, _reserve
from core.demo.frames import insert_frame
from core.demo.names import FEMALE_GIVEN, MALE_GIVEN, SURNAMES
from core.scheme import load_scheme
from core.services.rollups import refresh_effective_range
from core.store import Store
from core.subjects import next_ids
from core.volunteers import FORMS, SERVICE_ITEM, SERVICE_TYPES, TRACK
from core.cycles import month_start, next_month
from core.volunteers.monthly import due_date

SCHEME = "volunteer-stars"
VOLUNTEERS = 30
SECRETARY = ("yigong01", "陈志远", "secretary")  # 工作站站长 (the station's secretary)
RECORDER = ("yigongji01", "林晓梅", "recorder")  # 工作站记录员
# hours a year by tier: (volunteers, low, high); 满意 hours × 5 = points, so the first three
# tiers land at 3★ (≥180 h), 2★ (≥120 h) and 1★ (≥60 h) even after the ~10% not rated 满意
TIERS = [(3, 225, 260), (5, 145, 175), (8, 75, 115), (14, 8, 50)]
SERVED = ["张大娘", "李大爷", "王奶奶", "赵阿姨", "刘爷爷", "孙大妈", "周老师傅", "吴婆婆", "郑大叔", "何奶奶"]
NOTES = {"时政宣教": "入户宣讲政策、发放明白纸", "便民利民": "义务维修、代办事项", "困难帮扶": "上门帮扶困难群众",
         "社会公共": "治安巡逻、环境卫生整治", "助推中心": "参与街道中心工作"}
PENDING_DAYS = 10  # the last days' records still wait for the secretary's review


def generate(store: Store, seed: int, size: str, today: dt.date, say) -> dict[str, int]:
    say("生成党员义工工作站")
    rng = random.Random(f"{seed}-{size}-volunteers")
    street = store.one("SELECT code, name, path FROM orgs WHERE level = 'township'"
                       " ORDER BY CASE WHEN kind = 'street' THEN 0 ELSE 1 END, code LIMIT 1")
    if street is None:
        return {}
    scheme = load_scheme(SCHEME)
    cycle = cycle_of(scheme.cycle_start, today)
    first, _ = cycle_bounds(scheme.cycle_start, cycle - 1)
    taken = [r[0] for r in store.all("SELECT code FROM orgs WHERE parent_code = ?", [street[0]])]
    code = f"{street[0]}B{max([int(c[len(street[0]) + 1:]) for c in taken if c[len(street[0]) + 1:].isdigit()] or [0]) + 1:02d}"
    name = f"{street[1]}党员义工工作站"
    with store.cursor() as cur:
        ids = next_ids(cur, "volunteer", VOLUNTEERS)
    members = _volunteers(store, rng, street, code, ids, first, today)
    services = _services(rng, members, first, today)
    trainings = _trainings(rng, code, members, first, today)
    reports = _reports(rng, code, first, today)
    # the demo's one password (jifen2026), as the other demo users have it: no second hashing
    password = store.scalar("SELECT password_hash FROM users ORDER BY created_at, username LIMIT 1")

    def work(cur) -> dict[str, int]:
        cur.execute("INSERT INTO orgs(code, name, level, kind, parent_code, path, county_code, township_code,"
                    " branch_code, sort) VALUES (?, ?, 'branch', '机关', ?, ?, ?, ?, ?, ?)",
                    [code, name, street[0], f"{street[2]}{code}/", street[0][:3], street[0], code,
                     len(taken) + 1]).fetchall()
        cur.execute("INSERT INTO scheme_assignments(org_code, scheme_id, scheme_version, from_date, assigned_by,"
                    " reason, track) VALUES (?, ?, ?, ?, 'demo', '工作站推行党员义工积分定星管理', ?)",
                    [code, SCHEME, scheme.version, first, TRACK]).fetchall()
        insert_frame(cur, "members", pl.DataFrame([{k: v for k, v in m.items() if not k.startswith("_")}
                                                   for m in members]), "demo_volunteers")
        insert_frame(cur, "member_branch_history", pl.DataFrame(
            [{"member_id": m["id"], "branch_code": code, "from_date": m["approved_on"], "reason": "登记为党员义工"}
             for m in members]), "demo_volunteer_spans")
        for username, display, role in (SECRETARY, RECORDER):
            cur.execute("INSERT INTO users(username, display_name, password_hash, role, org_code) VALUES (?, ?, ?, ?, ?)",
                        [username, display, password, role, code]).fetchall()
        n = _write_services(cur, code, services, today)
        insert_frame(cur, "volunteer_trainings", pl.DataFrame(trainings), "demo_trainings")
        insert_frame(cur, "service_reports", pl.DataFrame(reports), "demo_service_reports")
        # the first tier were 三星级 the two cycles before too (往年等次), so this cycle's 3 stars
        # make them monthly_home_service (连续三年三星级，每月上门服务)
        insert_frame(cur, "cycle_history", pl.DataFrame(
            [{"member_id": m["id"], "cycle": past, "scheme_id": SCHEME, "stars": 3, "source": "import"}
             for m in members if m["_tier"] == 0 for past in (cycle - 1, cycle - 2)]), "demo_volunteer_history")
        audit.record(cur, "system", "demo.generate", org_code=code, reason=f"演示数据：党员义工工作站 种子{seed}",
                     after={"volunteers": len(members), "services": n, "trainings": len(trainings)})
        return {"volunteers": len(members), "services": n, "trainings": len(trainings)}

    return store.write(work)


def _volunteers(store: Store, rng: random.Random, street, code: str, ids: list[str], first: dt.date,
                today: dt.date) -> list[dict]:
    """About a third named after the street's own party members (the same people serving as
    义工); most registered before ``first``, a few during the cycles (new volunteers)."""
    party = [r[0] for r in store.all(
        "SELECT m.name FROM members m JOIN orgs b ON b.code = m.branch_code WHERE m.kind = 'member'"
        " AND m.status = 'active' AND starts_with(b.path, ?) ORDER BY m.id LIMIT 200", [street[2]])]
    tiers = [tier for tier, (n, _, _) in enumerate(TIERS) for _ in range(n)]
    out, used = [], set()
    for i, tier in enumerate(tiers[:VOLUNTEERS]):
        while True:
            if party and i % 3 == 0:
                name = rng.choice(party)
            else:
                given = rng.choice([MALE_GIVEN, FEMALE_GIVEN])
                name = rng.choice(SURNAMES) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2))))
            if name not in used:
                used.add(name)
                break
        late = tier == len(TIERS) - 1 and i % 4 == 0  # a few of the last tier joined lately
        span = max(1, (today - first).days - 20)
        registered = first + dt.timedelta(days=rng.randint(30, span)) if late else \
            first - dt.timedelta(days=rng.randint(30, 900))
        initials, full = pinyin.keys(name)
        out.append({"id": ids[i], "name": name, "kind": "volunteer", "branch_code": code,
                    "status": "active", "approved_on": registered, "joined_branch": registered,
                    "initials": initials, "pinyin": full, "_tier": tier})
    return out


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=d) for d in range((end - start).days + 1)]


def _rating(rng: random.Random) -> str:
    draw = rng.random()
    return "满意" if draw < 0.9 else ("基本满意" if draw < 0.97 else "不满意")


def _services(rng: random.Random, members: list[dict], first: dt.date, today: dt.date) -> list[dict]:
    """Each month one or two 集中 days most volunteers join, then each volunteer's own 派单 and
    定点 services up to their tier's hours for the year (the running year's too, so its stars
    show; a late registration gets its share of the year)."""
    out: list[dict] = []
    month = first
    while month <= today:
        # days of the whole month, kept up to today: the running month's 集中 day may be still to come
        whole = _days(month, next_month(month) - dt.timedelta(days=1))
        for day in sorted(d for d in rng.sample(whole, rng.choice((1, 1, 2))) if d <= today):
            kind = rng.choice(SERVICE_TYPES)
            for m in members:
                if m["approved_on"] <= day and rng.random() < 0.6:
                    out.append(_row(m, day, rng.choice((2, 2.5, 3, 4)), kind, "集中", rng, confirmed=SECRETARY[1]))
        month = next_month(month)
    year = first.year
    while dt.date(year, 1, 1) <= today:
        start, end = max(first, dt.date(year, 1, 1)), min(today, dt.date(year, 12, 31))
        for m in members:
            begin = max(start, m["approved_on"])
            if begin > end:
                continue
            _, low, high = TIERS[m["_tier"]]
            target = rng.uniform(low, high) * ((end - begin).days + 1) / ((end - start).days + 1)
            done = sum(r["count"] for r in out if r["member_id"] == m["id"] and start <= r["date"] <= end)
            days = _days(begin, end)
            while done < target:
                hours = rng.choice((1.5, 2, 2.5, 3, 3.5, 4, 5, 6))
                form = rng.choice(FORMS[1:])
                served = rng.choice(SERVED) if form == "派单" else None
                out.append(_row(m, rng.choice(days), hours, rng.choice(SERVICE_TYPES), form, rng,
                                confirmed=served or RECORDER[1], served=served))
                done += hours
        year += 1
    return sorted(out, key=lambda r: (r["date"], r["member_id"]))


def _row(m: dict, day: dt.date, hours: float, kind: str, form: str, rng: random.Random, *, confirmed: str,
         served: str | None = None) -> dict:
    return {"member_id": m["id"], "date": day, "count": hours, "rating": _rating(rng), "service_type": kind,
            "form": form, "confirmed_by": confirmed, "served_name": served,
            "note": f"为{served}{NOTES[kind][-4:]}" if served else NOTES[kind]}


def _write_services(cur, code: str, services: list[dict], today: dt.date) -> int:
    """events (ids reserved from event_seq), their approval (not the last days'), their log
    details, and the rollup of the events that count."""
    if not services:
        return 0
    first_id = _next_id(cur, "event_seq")
    _reserve(cur, "event_seq", len(services))
    ids = list(range(first_id, first_id + len(services)))
    at = [dt.datetime.combine(s["date"], dt.time(18, 0)) for s in services]
    insert_frame(cur, "events", pl.DataFrame({
        "id": ids, "member_id": [s["member_id"] for s in services], "branch_code": [code] * len(services),
        "item": [SERVICE_ITEM] * len(services), "date": [s["date"] for s in services],
        "count": [float(s["count"]) for s in services], "rating": [s["rating"] for s in services],
        "note": [s["note"] for s in services], "source": ["manual"] * len(services),
        "entered_by": [RECORDER[0]] * len(services), "entered_at": at}), "demo_service_events")
    cutoff = today - dt.timedelta(days=PENDING_DAYS)
    approved = [(i, s) for i, s in zip(ids, services) if s["date"] <= cutoff]
    insert_frame(cur, "event_reviews", pl.DataFrame({
        "event_id": [i for i, _ in approved], "decision": ["approved"] * len(approved),
        "reviewed_by": [SECRETARY[0]] * len(approved),
        "reviewed_at": [dt.datetime.combine(min(s["date"] + dt.timedelta(days=3), today), dt.time(9, 0))
                        for _, s in approved]}, schema_overrides={"reviewed_at": pl.Datetime("us")}),
        "demo_service_reviews")
    insert_frame(cur, "service_details", pl.DataFrame({
        "event_id": ids, **{k: [s[k] for s in services] for k in ("service_type", "form", "confirmed_by", "served_name")}},
        schema_overrides={"served_name": pl.String}), "demo_service_details")
    refresh_effective_range(cur, ids[0], ids[-1])
    return len(services)


def _trainings(rng: random.Random, code: str, members: list[dict], first: dt.date, today: dt.date) -> list[dict]:
    """Three sessions a year (March, July, November) of 4–6 hours; most attend each, so most
    volunteers meet 2 sessions and 12 hours and some do not."""
    out = []
    for year in range(first.year, today.year + 1):
        for month, topic in ((3, "党性教育与义工服务规范"), (7, "应急救护技能"), (11, "政策宣讲与入户服务技巧")):
            day = dt.date(year, month, rng.randint(5, 25))
            if day > today or day < first:
                continue
            hours = rng.choice((4.0, 4.5, 5.0, 6.0))
            for m in members:
                if m["approved_on"] <= day and rng.random() < 0.8:
                    out.append({"station_code": code, "volunteer_id": m["id"], "date": day, "hours": hours,
                                "topic": topic, "entered_by": RECORDER[0],
                                "entered_at": dt.datetime.combine(day, dt.time(17, 0))})
    return out


def _reports(rng: random.Random, code: str, first: dt.date, today: dt.date) -> list[dict]:
    """Every ended month's 月报, mostly on time (a few a day or two late), as far as its day
    of sending has come."""
    out, month = [], first
    while next_month(month) <= month_start(today):
        due = due_date(month)
        sent = due - dt.timedelta(days=rng.randint(0, 4)) if rng.random() < 0.85 else due + dt.timedelta(days=rng.randint(1, 3))
        if sent < today:
            out.append({"station_code": code, "month": month, "submitted_by": RECORDER[0],
                        "submitted_at": dt.datetime.combine(sent, dt.time(10, 0))})
        month = next_month(month)
    return out
