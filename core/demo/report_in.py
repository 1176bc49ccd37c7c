"""Demo 在职党员到社区报到: two county departments' 机关党支部 in the first street (or, at S,
the first township with two communities) whose members report to two of its communities.

- 县农业农村局机关党支部, 25 members: 23 report each year (92%, above the 90% line), a few
  of them after 5月10日; 县住建局机关党支部, 12 members: 9 report (75%, below it).
- Each community sets up four service posts; last year and this year each holds a monthly
  社区报到活动 on the 15th (党员活动日) from March, the reported members attending at their own
  rate, so most reach the 4 a year and a few do not; the communities' 测评 for every half
  that has ended (last year's two, this year's first from July).
- Two logins (password as the other demo users): ``shequ01``, secretary of the first
  community, and ``jiguan01``, secretary of the 县农业农村局 branch.
"""

from __future__ import annotations

import datetime as dt
import random

import polars as pl

from core import audit
from core.demo import members as demo_members
from core.demo.frames import insert_frame
from core.demo.plan import ASSIGNED_FROM, DEFAULT_SCHEME, scheme_for_kind
from core.reportin.posts import SUGGESTED
from core.reportin.rules import ACTIVITY_TYPE, GRADES, deadline
from core.scheme import load_scheme
from core.services.rollups import count_attendance
from core.store import Store

DEPARTMENTS = [("县农业农村局", 25, 23), ("县住建局", 12, 9)]  # work unit, members, reporting each year
LATE = {"县农业农村局": 3, "县住建局": 2}  # of those reporting, how many after 5月10日
THEMES = ("政策宣传进小区", "环境卫生大扫除", "走访慰问困难户", "文艺演出", "法律咨询", "义诊进社区", "垃圾分类宣传",
          "关爱留守儿童", "消防安全检查", "便民服务日")
PLEDGES = ("每月参加一次社区政策宣传", "结对帮扶一户困难群众", "参与小区环境整治，带头垃圾分类", "为居民提供法律咨询",
           "每季度参加一次义诊服务", "协助调解邻里纠纷")
GRADE_WEIGHTS = (50, 35, 12, 3)  # 好, 较好, 一般, 差
USERS = [("shequ01", "陈晓梅", "secretary", 0), ("jiguan01", "周国栋", "secretary", None)]


def _street(store: Store) -> tuple[str, str, list[tuple[str, str]]]:
    """(township code, kind, its first two communities): the first street with two, else the first township."""
    rows = store.all("SELECT t.code, t.kind, b.code, b.name FROM orgs t JOIN orgs b ON b.parent_code = t.code"
                     " WHERE t.level = 'township' AND b.level = 'branch' AND b.kind = 'community'"
                     " ORDER BY t.kind <> 'street', t.path, b.path")
    by_town: dict[str, list] = {}
    for town, kind, code, name in rows:
        by_town.setdefault((town, kind), []).append((code, name))
    for (town, kind), communities in by_town.items():
        if len(communities) >= 2:
            return town, kind, communities[:2]
    raise LookupError("no township with two communities")


def _category(scheme_id: str, seen: dict) -> str:
    vocabulary = set(load_scheme(scheme_id).subject_categories or ()) or None
    return demo_members._category("机关", "机关", vocabulary, seen, None, 40)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    """When a demo row was written: set, not the clock's, so both stores hold the same rows."""
    return dt.datetime.combine(day, dt.time(hour))


def generate(store: Store, seed: int, size: str, today: dt.date, say) -> dict[str, int]:
    say("在职党员到社区报到")
    rng = random.Random(f"{seed}-{size}-report_in")
    town, town_kind, communities = _street(store)
    county, town_path = store.one("SELECT county_code, path FROM orgs WHERE code = ?", [town])
    taken = {code for code, in store.all("SELECT code FROM orgs")}
    password_hash = store.scalar("SELECT password_hash FROM users ORDER BY created_at, username LIMIT 1")
    years = [today.year - 1, today.year]

    orgs, people, history, assignments = [], [], [], []
    dept_members: dict[str, list[str]] = {}
    serial = 0
    sort = 0
    for unit, size_n, _ in DEPARTMENTS:
        sort += 1
        while f"{town}B{sort:02d}" in taken:  # the township's next branch numbers
            sort += 1
        code = f"{town}B{sort:02d}"
        orgs.append(dict(code=code, name=f"{unit}机关党支部", level="branch", kind="机关", parent_code=town,
                         path=f"{town_path}{code}/", county_code=county, township_code=town, branch_code=code, sort=sort))
        scheme_id = scheme_for_kind("机关", town_kind, sort)
        if scheme_id != DEFAULT_SCHEME:
            assignments.append((code, scheme_id, load_scheme(scheme_id).version))
        seen: dict[str, int] = {}
        for _ in range(size_n):
            serial += 1
            gender = "男" if rng.random() < 0.6 else "女"
            name = demo_members._name(rng, gender)
            age = rng.randint(26, 58)
            birth = dt.date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
            join = dt.date(birth.year + rng.randint(22, min(35, age - 2)), rng.randint(1, 12), rng.randint(1, 28))
            joined = max(join, dt.date(2015, 1, 1) + dt.timedelta(days=rng.randint(0, 2000)))
            initials, full = demo_members._keys(name)
            mid = f"M9{serial:05d}"
            dept_members.setdefault(unit, []).append(mid)
            people.append(dict(id=mid, name=name, kind="member", gender=gender, birth_date=birth, join_date=join,
                               probationary=False, category=_category(scheme_id, seen), mobile=False, work_unit=unit,
                               branch_code=code, phone=f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}",
                               status="active", joined_branch=joined, initials=initials, pinyin=full))
            history.append(dict(member_id=mid, branch_code=code, from_date=joined, to_date=None, reason="入党/建档"))
    home = {p["id"]: rng.choice(communities)[0] for p in people}  # where each member lives
    keen = {p["id"]: rng.uniform(0.45, 0.95) for p in people}  # how often each comes to an activity

    def work(cur) -> dict[str, int]:
        insert_frame(cur, "orgs", pl.DataFrame(orgs), "demo_ri_orgs")
        insert_frame(cur, "members", pl.DataFrame(people, infer_schema_length=None), "demo_ri_members")
        insert_frame(cur, "member_branch_history", pl.DataFrame(history, infer_schema_length=None), "demo_ri_history")
        for code, scheme_id, version in assignments:
            cur.execute("INSERT INTO scheme_assignments(org_code, scheme_id, scheme_version, from_date, assigned_by, reason)"
                        " VALUES (?, ?, ?, ?, 'demo', '支部类型适用专门方案')", [code, scheme_id, version, ASSIGNED_FROM]).fetchall()
        for username, display, role, which in USERS:
            org = communities[which][0] if which is not None else orgs[0]["code"]
            cur.execute("INSERT INTO users(username, display_name, password_hash, role, org_code) VALUES (?, ?, ?, ?, ?)",
                        [username, display, password_hash, role, org]).fetchall()
        posts: dict[str, list[int]] = {}
        for code, _ in communities:
            for name in rng.sample(SUGGESTED, 4):
                posts.setdefault(code, []).append(cur.execute(
                    "INSERT INTO community_posts(community_code, name, description, created_by, created_at)"
                    " VALUES (?, ?, ?, ?, ?) RETURNING id",
                    [code, name, f"{name}相关志愿服务", "shequ01", _at(dt.date(years[0], 2, 20))]).fetchone()[0])
        counts = {"report_ins": 0, "report_in_activities": 0, "community_evaluations": 0}
        for year in years:
            registered: dict[str, tuple[dt.date, str]] = {}
            for unit, _, reporting in DEPARTMENTS:
                chosen = rng.sample(dept_members[unit], reporting)
                late = set(rng.sample(chosen, LATE[unit]))
                for mid in chosen:
                    if mid in late:
                        day = deadline(year) + dt.timedelta(days=rng.randint(1, 50))
                    else:
                        day = dt.date(year, 3, 1) + dt.timedelta(days=rng.randint(0, (deadline(year) - dt.date(year, 3, 1)).days))
                    if day > today:
                        continue
                    registered[mid] = (day, home[mid])
                    cur.execute("INSERT INTO report_ins(member_id, community_code, year, date, post_id, pledge, made_by,"
                                " made_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                [mid, home[mid], year, day, rng.choice(posts[home[mid]]), rng.choice(PLEDGES),
                                 "jiguan01" if unit == DEPARTMENTS[0][0] else "shequ01", _at(day)]).fetchall()
                    counts["report_ins"] += 1
            for month in range(3, 13):
                day = dt.date(year, month, 15)
                if day > today:
                    break
                for code, _ in communities:
                    listed = sorted(m for m, (d, c) in registered.items() if c == code and d <= day)
                    if not listed:
                        continue
                    aid = cur.execute("INSERT INTO activities(branch_code, type, date, title, created_by, created_at)"
                                      " VALUES (?, ?, ?, ?, 'shequ01', ?) RETURNING id",
                                      [code, ACTIVITY_TYPE, day, f"{month}月{rng.choice(THEMES)}", _at(day, 17)]).fetchone()[0]
                    cur.executemany("INSERT INTO attendance(activity_id, member_id, status) VALUES (?, ?, ?)",
                                    [[aid, m, "present" if rng.random() < keen[m] else "absent"] for m in listed])
                    count_attendance(cur, code, day)
                    counts["report_in_activities"] += 1
            for half, ends in ((1, dt.date(year, 6, 30)), (2, dt.date(year, 12, 31))):
                if ends >= today:
                    continue
                for mid in sorted(m for m, (d, _) in registered.items() if d <= ends):
                    grade = rng.choices(GRADES, weights=GRADE_WEIGHTS)[0]
                    cur.execute("INSERT INTO community_evaluations(member_id, community_code, year, half, grade, comment,"
                                " made_by, made_at) VALUES (?, ?, ?, ?, ?, ?, 'shequ01', ?)",
                                [mid, registered[mid][1], year, half, grade,
                                 {"好": "积极参加社区活动，服务承诺兑现好", "差": "很少参加社区活动"}.get(grade),
                                 _at(min(ends + dt.timedelta(days=5), today))]).fetchall()
                    counts["community_evaluations"] += 1
        audit.record(cur, "system", "demo.report_in", reason=f"演示社区报到数据 种子{seed}", after=counts)
        return counts

    counts = store.write(work)
    return {"departments": len(orgs), "department_members": len(people), **counts}
