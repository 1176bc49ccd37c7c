"""Demo 乡村治理积分: the first two villages of the first township run village-4class (track
village) beside their party scheme, from the start of the previous village cycle (calendar
years), with 2–3 grids (网格, orgs of level 'group') each and 60–100 households (户主, 门牌号,
address, grid, pinyin keys like every subject).

A year of household events up to ``today``: each household a few items a month, a few
penalties (处罚积分, each naming its 村集体决定). 一月一审核: each month's entries are
approved by the village secretary at the start of the next month, the running month's wait
for review. 一季一公示: the first village's last finished quarter is published through the
real 公示 service and finalised. A grid recorder (``wangge1``) works in the first village's
first grid, and the second village gets its secretary (``shuji02``).

Same seed and ``today``, same rows on both engines: timestamps come from the dates, never the
clock; rows go in with ``insert_frame`` in one transaction.
"""

from __future__ import annotations

import datetime as dt
import random

import polars as pl

from core import audit, pinyin
from core.auth.users import get_user, hash_password
from core.cycles import QUARTERS, cycle_bounds, cycle_of, period_bounds
from core.demo.activity import _next_id, _reserve
from core.demo.frames import insert_frame
from core.demo.names import FEMALE_GIVEN, MALE_GIVEN, SURNAMES
from core.scheme import load_scheme
from core.services.finalise import finalise
from core.services.rollups import refresh_effective_range
from core.services.publicity import open_publicity
from core.services.village import needs_decision
from core.store import Store
from core.subjects import next_ids
from core.cycles import month_end, month_start, next_month

SCHEME = "village-4class"
TRACK = "village"
GRID_USER = ("wangge1", "周海燕", "recorder")  # 第一个村第一网格的网格员
SECOND_SECRETARY = ("shuji02", "陈卫东", "secretary")  # the second village's secretary
GRID_NAMES = "一二三"
PENALTY_NOTES = ("乱堆乱放、占道经营", "焚烧秸秆", "大操大办宴席", "庭院卫生季度抽查不合格")


def _villages(store: Store) -> list[tuple[str, str, str]]:
    """(code, name, path) of the first two village branches of the first township."""
    return [tuple(r) for r in store.all(
        "SELECT code, name, path FROM orgs WHERE level = 'branch' AND kind = 'village' AND parent_code ="
        " (SELECT code FROM orgs WHERE level = 'township' ORDER BY path LIMIT 1) ORDER BY path LIMIT 2")]


def _head(rng: random.Random, used: set[str]) -> str:
    while True:
        given = MALE_GIVEN if rng.random() < 0.8 else FEMALE_GIVEN  # 户主: mostly men in the seeds' tables
        name = rng.choice(SURNAMES) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2))))
        if name not in used:
            used.add(name)
            return name


def _month_starts(first: dt.date, today: dt.date) -> list[dt.date]:
    out, day = [], month_start(first)
    while day <= today:
        out.append(day)
        day = next_month(day)
    return out


def generate(store: Store, seed: int, size: str, today: dt.date, say) -> dict[str, int]:
    villages = _villages(store)
    if not villages:
        return {}
    say("生成乡村治理积分（农户）")
    rng = random.Random(f"{seed}-{size}-village")
    scheme = load_scheme(SCHEME)
    cycle = cycle_of(scheme.cycle_start, today)
    since = cycle_bounds(scheme.cycle_start, cycle - 1)[0]  # the previous cycle's start
    first_day = max(since, today - dt.timedelta(days=365))
    positive = [i for i in scheme.items.values() if not needs_decision(scheme, i) and not i.is_range]
    weights = [1 if (i.points or 0) >= 10 else 6 for i in positive]
    penalties = [i for i in scheme.items.values() if needs_decision(scheme, i)]
    secretary = store.scalar("SELECT username FROM users WHERE role = 'secretary' AND org_code = ?"
                             " ORDER BY username LIMIT 1", [villages[0][0]]) or "admin"
    reviewers = {villages[0][0]: secretary}
    orgs, members, spans, events, users = [], [], [], [], []
    used: set[str] = set()
    counts = [rng.randint(60, 100) for _ in villages]
    with store.cursor() as cur:
        ids = iter(next_ids(cur, "household", sum(counts)))
    for index, ((code, name, path), households) in enumerate(zip(villages, counts)):
        village = name.removesuffix("党支部")
        taken = [r[0] for r in store.all("SELECT code FROM orgs WHERE parent_code = ?", [code])]
        start = 1 + max([int(c[len(code) + 1:]) for c in taken if c[len(code) + 1:].isdigit()] or [0])
        grids = [f"{code}G{start + g}" for g in range(rng.randint(2, 3))]
        for g, grid in enumerate(grids):
            orgs.append({"code": grid, "name": f"第{GRID_NAMES[g]}网格", "level": "group", "kind": "grid",
                         "parent_code": code, "path": f"{path}{grid}/", "county_code": code[:3],
                         "township_code": code[:6], "branch_code": code, "sort": start + g})
        if index == 0:
            users.append((*GRID_USER, grids[0]))
        else:
            users.append((*SECOND_SECRETARY, code))
            reviewers[code] = SECOND_SECRETARY[0]
        entered_by = {grids[0]: GRID_USER[0]} if index == 0 else {}
        for n in range(households):
            g = n % len(grids)
            head = _head(rng, used)
            initials, full = pinyin.keys(head)
            joined = since - dt.timedelta(days=rng.randint(10, 400))
            house = f"{g + 1}-{n // len(grids) + 1:02d}"
            hid = next(ids)
            members.append({"id": hid, "name": head, "kind": "household", "branch_code": code,
                            "group_code": grids[g], "status": "active", "house_no": house,
                            "address": f"{village}{g + 1}组{n // len(grids) + 1}号", "joined_branch": joined,
                            "initials": initials, "pinyin": full})
            spans.append({"member_id": hid, "branch_code": code, "group_code": grids[g], "from_date": joined,
                          "reason": "建档"})
            keen = rng.random()  # some households earn every month, some hardly ever
            for month in _month_starts(first_day, today):
                # a day of the whole month, kept up to today: the running month holds its share
                # so far (drawn up to today, on the 1st a month's entries fell on that day)
                length = (month_end(month) - month).days
                for _ in range(sum(rng.random() < keen for _ in range(3))):
                    day = month + dt.timedelta(days=rng.randint(0, length))
                    if not first_day <= day <= today:
                        continue
                    item = rng.choices(positive, weights)[0]
                    events.append((hid, code, item.code, day, None, "", entered_by.get(grids[g], reviewers.get(code, "admin"))))
                if rng.random() < 0.006:  # a penalty, on a 村集体决定 of that month
                    day = month + dt.timedelta(days=rng.randint(0, length))
                    if first_day <= day <= today:
                        item = rng.choice(penalties)
                        note = f"村集体决定：{day.year}年{day.month}月村民代表会议；{rng.choice(PENALTY_NOTES)}"
                        events.append((hid, code, item.code, day, -rng.randint(1, 5), note,
                                       reviewers.get(code, "admin")))
    month_now = today.replace(day=1)
    # the demo users' password (hashing it again costs a third of this part's time)
    password = store.scalar("SELECT password_hash FROM users WHERE username = 'admin'") or hash_password("jifen2026")
    assignment_from = since

    def work(cur) -> dict[str, int]:
        insert_frame(cur, "orgs", pl.DataFrame(orgs), "demo_grids")
        for code, _, _ in villages:
            cur.execute("INSERT INTO scheme_assignments(org_code, scheme_id, scheme_version, from_date, assigned_by,"
                        " reason, track) VALUES (?, ?, ?, ?, 'demo', '试点推行乡村治理积分制（农户）', ?)",
                        [code, SCHEME, scheme.version, assignment_from, TRACK]).fetchall()
        insert_frame(cur, "members", pl.DataFrame(members), "demo_households")
        insert_frame(cur, "member_branch_history", pl.DataFrame(spans), "demo_household_spans")
        for username, display, role, org in users:
            cur.execute("INSERT INTO users(username, display_name, password_hash, role, org_code) VALUES (?, ?, ?, ?, ?)",
                        [username, display, password, role, org]).fetchall()
        rows = sorted(events, key=lambda e: (e[3], e[0], e[2]))
        first_id = _next_id(cur, "event_seq")
        _reserve(cur, "event_seq", len(rows))
        ids = list(range(first_id, first_id + len(rows)))
        insert_frame(cur, "events", pl.DataFrame({
            "id": ids, "member_id": [e[0] for e in rows], "branch_code": [e[1] for e in rows],
            "item": [e[2] for e in rows], "date": [e[3] for e in rows],
            "count": [1.0] * len(rows), "points": [None if e[4] is None else float(e[4]) for e in rows],
            "note": [e[5] or None for e in rows], "source": ["manual"] * len(rows),
            "entered_by": [e[6] for e in rows],
            "entered_at": [dt.datetime.combine(e[3], dt.time(18, 0)) for e in rows]},
            schema_overrides={"points": pl.Float64, "note": pl.String}), "demo_household_events")
        # 一月一审核: a month's entries are approved on the 3rd of the next month by the secretary
        approved = [(i, e) for i, e in zip(ids, rows) if e[3] < month_now]
        insert_frame(cur, "event_reviews", pl.DataFrame({
            "event_id": [i for i, _ in approved], "decision": ["approved"] * len(approved),
            "reviewed_by": [reviewers.get(e[1], "admin") for _, e in approved],
            "reviewed_at": [dt.datetime.combine(min(next_month(e[3]).replace(day=3), today),
                                                dt.time(9, 0)) for _, e in approved]},
            schema_overrides={"reviewed_at": pl.Datetime("us")}), "demo_household_reviews")
        if ids:
            refresh_effective_range(cur, ids[0], ids[-1])
        audit.record(cur, "system", "demo.generate", reason=f"演示数据：乡村治理积分（农户） 种子{seed}",
                     after={"villages": len(villages), "households": len(members), "events": len(rows)})
        return {"households": len(members), "household_events": len(rows), "grids": len(orgs)}

    out = store.write(work)
    out["household_publicity"] = _publish_quarter(store, villages[0][0], scheme, today, since)
    return out


def _publish_quarter(store: Store, village: str, scheme, today: dt.date, since: dt.date) -> int:
    """一季一公示: the last quarter that ended at least ten days ago, published five days after
    its end (or as late as a 7-day window still closes before today) and finalised."""
    for cycle in (cycle_of(scheme.cycle_start, today), cycle_of(scheme.cycle_start, today) - 1):
        for period in reversed(QUARTERS):
            first, end = period_bounds(scheme.cycle_start, cycle, period)
            start = min(end + dt.timedelta(days=5), today - dt.timedelta(days=8))
            if first < since or start <= end:
                continue
            user = get_user(store, "admin")
            pub = open_publicity(store, user, village, cycle, period, start, start + dt.timedelta(days=6),
                                 today=start, track=TRACK)
            finalise(store, user, pub, today=start + dt.timedelta(days=7))
            return 1
    return 0
