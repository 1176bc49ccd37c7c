"""A tiny organisation for the entry-side core tests: one township, two branches, a handful
of members, users as plain objects (services take a User; no password hashing needed)."""

from __future__ import annotations

import datetime as dt

import pytest

from core.auth import User
from core.scheme_assignments import assign_scheme

TODAY = dt.date(2025, 11, 20)  # cycle 2025 of party-q100-3to1 (07-01 start): Q1 = Jul–Sep, Q2 = Oct–Dec

ADMIN = User("admin", "县管理员", "admin", "C01")
TOWNSHIP = User("zhen01", "镇组织委员", "township", "C01T01")
SECRETARY = User("shuji01", "一村书记", "secretary", "C01T01B01")
RECORDER = User("jilu01", "一村记分员", "recorder", "C01T01B01")
OTHER_SECRETARY = User("shuji02", "二村书记", "secretary", "C01T01B02")

ORGS = [
    ("C01", "测试县", "county", None, "/C01/"),
    ("C01T01", "测试镇", "township", "C01", "/C01/C01T01/"),
    ("C01T01B01", "一村党支部", "branch", "C01T01", "/C01/C01T01/C01T01B01/"),
    ("C01T01B02", "二村党支部", "branch", "C01T01", "/C01/C01T01/C01T01B02/"),
]
MEMBERS = [
    # id, name, branch, status, initials, category
    ("M01", "张三", "C01T01B01", "active", "zs", "普通类"),
    ("M02", "李四", "C01T01B01", "active", "ls", "普通类"),
    ("M03", "王五", "C01T01B01", "active", "ww", "普通类"),
    ("M04", "赵六", "C01T01B01", "exempt", "zl", "普通类"),
    ("M05", "钱七", "C01T01B01", "transferred", "qq", "普通类"),
    ("M11", "孙八", "C01T01B02", "active", "sb", "普通类"),
]


def build(store, scheme_id: str = "party-q100-3to1") -> None:
    def work(cur):
        for code, name, level, parent, path in ORGS:
            cur.execute("INSERT INTO orgs(code, name, level, parent_code, path) VALUES (?, ?, ?, ?, ?)",
                        [code, name, level, parent, path]).fetchall()
        for mid, name, branch, status, initials, category in MEMBERS:
            cur.execute("INSERT INTO members(id, name, branch_code, status, initials, category)"
                        " VALUES (?, ?, ?, ?, ?, ?)", [mid, name, branch, status, initials, category]).fetchall()

    store.write(work)
    assign_scheme(store, TOWNSHIP, "C01T01", scheme_id, dt.date(2024, 7, 1), reason="全镇统一")


def lock(store, branch: str, cycle: int, period: str, start: dt.date, end: dt.date) -> int:
    """A finalised period, as the publicity service leaves it."""
    return store.write(lambda cur: cur.execute(
        "INSERT INTO period_locks(branch_code, cycle, period, start_date, end_date, locked_by)"
        " VALUES (?, ?, ?, ?, ?, 'shuji01') RETURNING id", [branch, cycle, period, start, end]).fetchone()[0])


@pytest.fixture
def world(store):
    build(store)
    return store
