"""A small world built through the services (first-run setup, org admin, users, scheme,
entries, review, a reversal, a login session), for the backup and migrate tests.

Expected after ``build``: orgs C01, C01T01, C01T01B01, C01T01B02 (4 rows); members M01,
M02, M03, M11 (4); users admin, shuji01 (2); events: 3 entered by the secretary plus the
reversal of the first = 4 rows; event_reviews: 3 (events 1 and 2 approved, 3 rejected); sessions: 1.
"""

from __future__ import annotations

import datetime as dt

from core.auth import add_user, authenticate
from core.auth.sessions import open_session
from core.first_run import setup
from core.org_admin import create_org
from core.scheme_assignments import assign_scheme
from core.services.ledger import enter_event, reverse_event
from core.services.review import approve, reject

TODAY = dt.date(2025, 11, 20)  # cycle 2025 of party-q100-3to1 (starts 07-01)
ADMIN_PASSWORD = "county-admin-pw-1"
SECRETARY_PASSWORD = "village-secretary-pw-2"
MEMBERS = [("M01", "张三", "C01T01B01"), ("M02", "李四", "C01T01B01"), ("M03", "王五", "C01T01B01"),
           ("M11", "孙八", "C01T01B02")]


def build(store) -> None:
    admin = setup(store, "C01", "测试县", "admin", ADMIN_PASSWORD, "县管理员")
    town = create_org(store, admin, "测试镇", "C01", "township", code="C01T01")
    create_org(store, admin, "一村党支部", town, "branch", kind="村", code="C01T01B01")
    create_org(store, admin, "二村党支部", town, "branch", kind="村", code="C01T01B02")

    def members(cur):
        for mid, name, branch in MEMBERS:
            cur.execute("INSERT INTO members(id, name, branch_code, status, category, joined_branch)"
                        " VALUES (?, ?, ?, 'active', '普通类', DATE '2020-01-01')", [mid, name, branch]).fetchall()

    store.write(members)
    assign_scheme(store, admin, town, "party-q100-3to1", dt.date(2024, 7, 1), reason="全镇统一")
    add_user(store, "shuji01", SECRETARY_PASSWORD, "secretary", "C01T01B01", "一村书记", actor="admin")
    secretary = authenticate(store, "shuji01", SECRETARY_PASSWORD)
    first = enter_event(store, secretary, "M01", "award_district", dt.date(2025, 8, 5), today=TODAY)
    second = enter_event(store, secretary, "M02", "award_district", dt.date(2025, 9, 6), today=TODAY)
    third = enter_event(store, secretary, "M03", "late_dues", dt.date(2025, 10, 7), today=TODAY)
    approve(store, secretary, [first, second])
    reject(store, secretary, [third], "材料不全")
    reverse_event(store, secretary, first, "录错了人")
    open_session(store, "shuji01")
