"""A small township for the monthly-rhythm tests (targets, the two rhythm alerts, the 月报);
every expected number is worked out by hand in the test that checks it.

County C07 → township 青石镇 C07T01 (party-q100-3to1 from 2024-07-01: 07-01 cycles, so cycle
2025's Q1 is Jul–Sep 2025 and cycle 2024's Q4 Apr–Jun 2025) → B1 一村 (示范村), B2 二村;
township 白沙镇 C07T02 with one branch and no scheme. B2 runs village-zhangji (村民, track
village, 一月一审核: review_interval_days = 30) from 2025-10-01. Today is 2025-10-10.

B1: p1 p2 p3 active 党员, p4 exempt; households h01..h10; volunteer v1.
B2: q1 active 党员; households k01..k10; resident r1.
Events (September unless said):
    1 p1 09-05 approved · 2 p2 09-08 pending (entered 09-09) · 3 h01 09-12 approved
    4 r1 09-09 pending (entered 09-09: 31 days on 10-10) · 5 r1 09-11 pending (entered 09-11: 29 days)
    6 v1 service 2.5 h 09-20 approved · 7 v1 service 1.5 h 09-21 pending · 8 v1 service 3 h 09-22 rejected
    9 q1 08-20 approved (August)
Meetings: B1 主题党日 09-10: p1 p2 h01..h07 present, p3 h08 absent.
          B2 主题党日 09-15: q1 k01..k06 present.   B2 志愿服务 08-15 (August).
公示:     B1 cycle 2025 Q1 open (10-05..10-11); B1 cycle 2024 Q4 finalised (07-05..07-11);
          B2 cycle 2024 Q4 finalised (07-03..07-09); B2 cycle 2024 全年 open (09-01..09-07).
Objections on B2's 全年: o1 filed 09-03, deadline 09-12, still open; o2 filed 09-04, resolved 09-10.
积分超市: h01 20 points on 09-15; h02 15 points on 09-16, undone on 09-17.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

from core.auth import User
from core.auth.scope import Scope
from core.metrics.filters import Filter
from core.services.rollups import refresh_attendance_range, refresh_effective
from core.store import Store

TODAY = dt.date(2025, 10, 10)
TOWN, OTHER_TOWN = "C07T01", "C07T02"
B1, B2, B3 = "C07T01B01", "C07T01B02", "C07T02B01"
ADMIN = User("admin", "县管理员", "admin", "C07")
TOWNSHIP = User("zhen07", "镇组织委员", "township", TOWN)
OTHER_TOWNSHIP = User("zhen08", "白沙镇组织委员", "township", OTHER_TOWN)
SECRETARY = User("shuji07", "一村书记", "secretary", B1)
SCOPE = Scope("zhen07", "township", TOWN, f"/C07/{TOWN}/")
SEPTEMBER = Filter(today=TODAY, cycle=2025, period="2025-09")


@contextmanager
def fresh_store(request, tmp_path_factory):
    """A fresh store on the engine of a module fixture's ``request.param`` ("duckdb" or
    "postgres"), for one world per engine per test module (the rhythm tests only add to it)."""
    if request.param == "duckdb":
        store = Store(tmp_path_factory.mktemp("rhythm") / "r.duckdb")
    else:
        from tests.conftest import _drop_db, pg_copy

        cluster = request.getfixturevalue("pg_cluster")
        name, url = pg_copy(cluster, "jifen_template")
        store = Store(url)
    try:
        yield store
    finally:
        store.close()
        if request.param != "duckdb":
            _drop_db(cluster, name)


def _ts(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour))


def build(store) -> None:
    def work(cur):
        orgs = [("C07", "测试县", "county", None, "/C07/", None),
                (TOWN, "青石镇", "township", "C07", f"/C07/{TOWN}/", TOWN),
                (OTHER_TOWN, "白沙镇", "township", "C07", f"/C07/{OTHER_TOWN}/", OTHER_TOWN),
                (B1, "一村党支部", "branch", TOWN, f"/C07/{TOWN}/{B1}/", TOWN),
                (B2, "二村党支部", "branch", TOWN, f"/C07/{TOWN}/{B2}/", TOWN),
                (B3, "沙头村党支部", "branch", OTHER_TOWN, f"/C07/{OTHER_TOWN}/{B3}/", OTHER_TOWN)]
        for code, name, level, parent, path, town in orgs:
            cur.execute("INSERT INTO orgs(code, name, level, kind, parent_code, path, county_code, township_code,"
                        " branch_code) VALUES (?, ?, ?, ?, ?, ?, 'C07', ?, ?)",
                        [code, name, level, "village" if level == "branch" else level, parent, path, town,
                         code if level == "branch" else None]).fetchall()
        people = [("p1", B1, "member", "active"), ("p2", B1, "member", "active"), ("p3", B1, "member", "active"),
                  ("p4", B1, "member", "exempt"), ("v1", B1, "volunteer", "active"),
                  ("q1", B2, "member", "active"), ("r1", B2, "resident", "active")]
        people += [(f"h{i:02d}", B1, "household", "active") for i in range(1, 11)]
        people += [(f"k{i:02d}", B2, "household", "active") for i in range(1, 11)]
        for mid, branch, kind, status in people:
            cur.execute("INSERT INTO members(id, name, branch_code, kind, status, category, joined_branch)"
                        " VALUES (?, ?, ?, ?, ?, ?, DATE '2020-01-01')",
                        [mid, f"{mid}名", branch, kind, status, "无职" if kind == "member" else None]).fetchall()
        for org, scheme, version, start, track in ((TOWN, "party-q100-3to1", "1.0", "2024-07-01", "party"),
                                                    (B2, "village-zhangji", "1.1", "2025-10-01", "village")):
            cur.execute("INSERT INTO scheme_assignments(org_code, scheme_id, scheme_version, from_date, assigned_by, track)"
                        " VALUES (?, ?, ?, ?, 't', ?)", [org, scheme, version, start, track]).fetchall()
        events = [  # id, member, branch, item, date, count, entered, review
            (1, "p1", B1, "article_district", "2025-09-05", 1, _ts("2025-09-06"), "approved"),
            (2, "p2", B1, "article_district", "2025-09-08", 1, _ts("2025-09-09"), None),
            (3, "h01", B1, "article_district", "2025-09-12", 1, _ts("2025-09-12"), "approved"),
            (4, "r1", B2, "mediate_dispute", "2025-09-09", 1, _ts("2025-09-09"), None),
            (5, "r1", B2, "mediate_dispute", "2025-09-11", 1, _ts("2025-09-11"), None),
            (6, "v1", B1, "service", "2025-09-20", 2.5, _ts("2025-09-20"), "approved"),
            (7, "v1", B1, "service", "2025-09-21", 1.5, _ts("2025-09-21"), None),
            (8, "v1", B1, "service", "2025-09-22", 3, _ts("2025-09-22"), "rejected"),
            (9, "q1", B2, "article_district", "2025-08-20", 1, _ts("2025-08-20"), "approved"),
        ]
        for eid, member, branch, item, date, count, entered, review in events:
            cur.execute("INSERT INTO events(id, member_id, branch_code, item, date, count, entered_by, entered_at)"
                        " VALUES (?, ?, ?, ?, ?, ?, 't', ?)", [eid, member, branch, item, date, count, entered]).fetchall()
            if review:
                cur.execute("INSERT INTO event_reviews(event_id, decision, reason, reviewed_by) VALUES (?, ?, ?, 't')",
                            [eid, review, "材料不全" if review == "rejected" else None]).fetchall()
        refresh_effective(cur, [e[0] for e in events])
        for aid, branch, kind, date in ((1, B1, "主题党日", "2025-09-10"), (2, B2, "主题党日", "2025-09-15"),
                                        (3, B2, "志愿服务", "2025-08-15")):
            cur.execute("INSERT INTO activities(id, branch_code, type, date, title, created_by) VALUES (?, ?, ?, ?, ?, 't')",
                        [aid, branch, kind, date, kind]).fetchall()
        present = [(1, m) for m in ["p1", "p2"] + [f"h{i:02d}" for i in range(1, 8)]]
        present += [(2, m) for m in ["q1"] + [f"k{i:02d}" for i in range(1, 7)]]
        rows = [(a, m, "present") for a, m in present] + [(1, "p3", "absent"), (1, "h08", "absent")]
        for row in rows:
            cur.execute("INSERT INTO attendance(activity_id, member_id, status) VALUES (?, ?, ?)", list(row)).fetchall()
        refresh_attendance_range(cur, 1, 3)  # who took part (member_months), as the services do
        pubs = [(1, B1, 2025, "Q1", "2025-10-05", "2025-10-11", "open"),
                (2, B1, 2024, "Q4", "2025-07-05", "2025-07-11", "finalised"),
                (3, B2, 2024, "Q4", "2025-07-03", "2025-07-09", "finalised"),
                (4, B2, 2024, "cycle", "2025-09-01", "2025-09-07", "open")]
        for pid, branch, cycle, period, start, end, state in pubs:
            cur.execute("INSERT INTO publicity(id, branch_code, cycle, period, scheme_id, scheme_version, start_date,"
                        " end_date, state, snapshot, created_by) VALUES (?, ?, ?, ?, 'party-q100-3to1', '1.0', ?, ?, ?,"
                        " '{}', 't')", [pid, branch, cycle, period, start, end, state]).fetchall()
        for oid, filed, deadline, state, resolved in ((1, "2025-09-03", "2025-09-12", "open", None),
                                                      (2, "2025-09-04", "2025-09-13", "resolved", "2025-09-10")):
            cur.execute("INSERT INTO objections(id, publicity_id, member_id, objector, content, filed_on, deadline,"
                        " handler, state, resolved_on, created_by) VALUES (?, 4, 'q1', '群众', '分数有误', ?, ?, 't', ?, ?, 't')",
                        [oid, filed, deadline, state, resolved]).fetchall()
        for xid, subject, points, date, reverses in ((1, "h01", 20, "2025-09-15", None), (2, "h02", 15, "2025-09-16", None),
                                                     (3, "h02", -15, "2025-09-17", 2)):
            cur.execute("INSERT INTO exchanges(id, subject_id, org_code, goods_id, qty, points, amount, subsidy, date,"
                        " reverses, made_by) VALUES (?, ?, ?, 1, 1, ?, 0, 0, ?, ?, 't')",
                        [xid, subject, B1, points, date, reverses]).fetchall()

    store.write(work)
