"""A small hand-made township for the metrics tests; every expected number is worked out
by hand in the test that checks it.

County C09 → township C09T01 (default scheme party-q100-3to1 from 2023-07-01) → villages
B1, B2, B3 (B3 never records anything). Today is 2026-11-20; the period is 2026Q4.

B1: m1..m4 active, m5 exempt.     B2: n1..n3 active.
Q4 events:   m1 approved (10-05), m2 pending (entered 11-15);
             n1 approved then reversed (10-10), n3 rejected (10-12); n2 approved on 09-30.
Meetings:    B1 主题党日 10-15: m1 present, m2 leave, m3 present, m4 absent, m5 present (exempt).
             B1 志愿服务 10-20: m4 present.
Back-filling: B1 25 events in 2026-08 entered 40 days late; B2 25 events in 2026-09 all
             entered on 09-28..09-30 (its last 3 days). Both approved.
Report-in:   m1, m2 from 县教育局, n1 from 县财政局; m1 reported (社区报到 04-01) and did 4
             志愿服务 in 2026 (three in the spring plus the Q4 one is m4's, so m1's are
             03-10, 05-10, 06-10, 07-10).
公示:        B1 cycle 2026 Q2 (Oct–Dec 2026) open; one objection overdue (deadline 11-10),
             one not yet due (deadline 11-30).
"""

from __future__ import annotations

import datetime as dt

from core.auth.scope import Scope
from core.metrics.filters import Filter
from core.services.rollups import refresh_attendance_range, refresh_effective

TODAY = dt.date(2026, 11, 20)
SCOPE = Scope("t", "admin", "C09", "/C09/")
FILTER = Filter(today=TODAY, cycle=2025, period="2026Q4")
B1, B2, B3 = "C09T01B01", "C09T01B02", "C09T01B03"


def _ts(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour))


def build(store) -> None:
    def work(cur):
        orgs = [("C09", "测试县", "county", None, "/C09/", None),
                ("C09T01", "测试镇", "township", "C09", "/C09/C09T01/", "C09T01")]
        orgs += [(b, f"{b[-3:]}村党支部", "branch", "C09T01", f"/C09/C09T01/{b}/", "C09T01") for b in (B1, B2, B3)]
        for code, name, level, parent, path, town in orgs:
            cur.execute("INSERT INTO orgs(code, name, level, kind, parent_code, path, county_code, township_code,"
                        " branch_code) VALUES (?, ?, ?, ?, ?, ?, 'C09', ?, ?)",
                        [code, name, level, "village" if level == "branch" else level, parent, path, town,
                         code if level == "branch" else None])
        members = [("m1", B1, "active", "县教育局"), ("m2", B1, "active", "县教育局"), ("m3", B1, "active", None),
                   ("m4", B1, "active", None), ("m5", B1, "exempt", None),
                   ("n1", B2, "active", "县财政局"), ("n2", B2, "active", None), ("n3", B2, "active", None)]
        for mid, branch, status, department in members:
            cur.execute("INSERT INTO members(id, name, branch_code, status, department, category, joined_branch)"
                        " VALUES (?, ?, ?, ?, ?, '无职', DATE '2020-01-01')", [mid, mid, branch, status, department])
        cur.execute("INSERT INTO scheme_assignments(org_code, scheme_id, scheme_version, from_date, assigned_by)"
                    " VALUES ('C09T01', 'party-q100-3to1', '1.0', DATE '2023-07-01', 't')")
        events = [  # id, member, branch, date, entered, review, reverses
            (1, "m1", B1, "2026-10-05", _ts("2026-10-06"), "approved", None),
            (2, "m2", B1, "2026-10-06", _ts("2026-11-15"), None, None),
            (3, "n1", B2, "2026-10-10", _ts("2026-10-11"), "approved", None),
            (4, "n1", B2, "2026-10-10", _ts("2026-10-20"), None, 3),
            (5, "n3", B2, "2026-10-12", _ts("2026-10-13"), "rejected", None),
            (6, "n2", B2, "2026-09-30", _ts("2026-09-30"), "approved", None),
        ]
        for k in range(25):
            events.append((100 + k, "m3", B1, f"2026-08-{k + 1:02d}",
                           _ts(f"2026-08-{k + 1:02d}") + dt.timedelta(days=40), "approved", None))
            events.append((200 + k, "n2", B2, f"2026-09-{k + 1:02d}", _ts(f"2026-09-{28 + k % 3:02d}"), "approved", None))
        for eid, member, branch, date, entered, review, reverses in events:
            cur.execute("INSERT INTO events(id, member_id, branch_code, item, date, reverses, entered_by, entered_at)"
                        " VALUES (?, ?, ?, 'article_district', ?, ?, 't', ?)", [eid, member, branch, date, reverses, entered])
            if review:
                cur.execute("INSERT INTO event_reviews(event_id, decision, reason, reviewed_by) VALUES (?, ?, ?, 't')",
                            [eid, review, "材料不全" if review == "rejected" else None])
        # rows written straight to the tables: bring the rollup of what counts in line, as the services do
        refresh_effective(cur, [e[0] for e in events])
        activities = [(1, B1, "主题党日", "2026-10-15"), (2, B1, "志愿服务", "2026-10-20"),
                      (3, B1, "社区报到", "2026-04-01")]
        activities += [(10 + i, B1, "志愿服务", f"2026-{m:02d}-10") for i, m in enumerate((3, 5, 6, 7))]
        for aid, branch, kind, date in activities:
            cur.execute("INSERT INTO activities(id, branch_code, type, date, title, created_by) VALUES (?, ?, ?, ?, ?, 't')",
                        [aid, branch, kind, date, kind])
        attendance = [(1, "m1", "present"), (1, "m2", "leave"), (1, "m3", "present"), (1, "m4", "absent"),
                      (1, "m5", "present"), (2, "m4", "present"), (3, "m1", "present")]
        attendance += [(10 + i, "m1", "present") for i in range(4)]
        for row in attendance:
            cur.execute("INSERT INTO attendance(activity_id, member_id, status) VALUES (?, ?, ?)", list(row))
        refresh_attendance_range(cur, 1, 13)  # who took part (member_months), as the services do
        cur.execute("INSERT INTO publicity(id, branch_code, cycle, period, scheme_id, scheme_version, start_date,"
                    " end_date, state, snapshot, created_by) VALUES (1, ?, 2026, 'Q2', 'party-q100-3to1', '1.0',"
                    " DATE '2026-11-01', DATE '2026-11-08', 'open', '{}', 't')", [B1])
        for oid, deadline in ((1, "2026-11-10"), (2, "2026-11-30")):
            cur.execute("INSERT INTO objections(id, publicity_id, member_id, objector, content, filed_on, deadline,"
                        " handler, state, created_by) VALUES (?, 1, 'm1', '群众', '分数有误', DATE '2026-11-02', ?,"
                        " 't', 'open', 't')", [oid, deadline])

    store.write(work)
