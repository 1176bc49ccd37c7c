"""A township of two branches under party-q100-3to1 where the 优秀 quota bites, for the
scheme-tuning tests (core/scheme_edit.py).

Cycle 2025 (07-01 start), today 2025-11-20. Every member's H1 评议 is 优秀 (25 points); the
k-th member of a branch (k = 0, 1, ...) missed k meetings in 2025-08 (-2 each, in Q1), so its
日常分 is the mean of four quarters (75 - 2k, 75, 75, 75) = 75 - 0.5k and its total
100 - 0.5k: everyone is above 优秀's 90, and the quota decides.
- B01 (一村, 10 members W00..W09): 20% of 10 = 2 优秀 (W00, W01); at 15%: 1.5 → 1 (W00).
- B02 (二村, 5 members W10..W14): 20% of 5 = 1 (W10); at 15%: 0.75 → 0.
So 20% → 15% moves W01 and W10 from 优秀 to 合格: 优秀 3 → 1 (allowed 3 → 1), 合格 12 → 14.
"""

from __future__ import annotations

import datetime as dt

from core.auth import User
from core.scheme_assignments import assign_scheme
from core.services.rollups import refresh_effective

TODAY = dt.date(2025, 11, 20)
CYCLE = 2025
ADMIN = User("admin", "县管理员", "admin", "C01")
TOWNSHIP = User("zhen01", "镇组织委员", "township", "C01T01")
SECRETARY = User("shuji01", "一村书记", "secretary", "C01T01B01")
OTHER_TOWNSHIP = User("zhen02", "他镇组织委员", "township", "C01T02")
B01, B02 = "C01T01B01", "C01T01B02"
ORGS = [
    ("C01", "测试县", "county", None, "/C01/"),
    ("C01T01", "测试镇", "township", "C01", "/C01/C01T01/"),
    ("C01T02", "他镇", "township", "C01", "/C01/C01T02/"),
    (B01, "一村党支部", "branch", "C01T01", "/C01/C01T01/C01T01B01/"),
    (B02, "二村党支部", "branch", "C01T01", "/C01/C01T01/C01T01B02/"),
]
MEMBERS = [(f"W{i:02d}", B01, i) for i in range(10)] + [(f"W{10 + k}", B02, k) for k in range(5)]
QUOTA = "quotas.0.percent"  # party-q100-3to1's one quota: 优秀 20%


def build(store) -> None:
    def work(cur):
        events = []
        for code, name, level, parent, path in ORGS:
            cur.execute("INSERT INTO orgs(code, name, level, parent_code, path) VALUES (?, ?, ?, ?, ?)",
                        [code, name, level, parent, path]).fetchall()
        for mid, branch, k in MEMBERS:
            cur.execute("INSERT INTO members(id, name, branch_code, status, category, joined_branch)"
                        " VALUES (?, ?, ?, 'active', '普通类', DATE '2020-01-01')",
                        [mid, f"党员{mid}", branch]).fetchall()
            cur.execute("INSERT INTO scores(member_id, branch_code, cycle, component, period, grade, entered_by)"
                        " VALUES (?, ?, ?, 'appraisal', 'H1', '优秀', 'shuji01')", [mid, branch, CYCLE]).fetchall()
            for n in range(k):
                event = cur.execute(
                    "INSERT INTO events(member_id, branch_code, item, date, points, entered_by)"
                    " VALUES (?, ?, 'miss_meeting', ?, NULL, 'shuji01') RETURNING id",
                    [mid, branch, dt.date(2025, 8, 1 + n)]).fetchone()[0]
                cur.execute("INSERT INTO event_reviews(event_id, decision, reviewed_by) VALUES (?, 'approved', 'shuji01')",
                            [event]).fetchall()
                events.append(event)
        refresh_effective(cur, events)

    store.write(work)
    assign_scheme(store, TOWNSHIP, "C01T01", "party-q100-3to1", dt.date(2024, 7, 1), reason="全镇统一")
