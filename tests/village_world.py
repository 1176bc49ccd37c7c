"""A village for the household tests: the entry world's township and branches, branch
C01T01B01 running village-4class (households, track village) beside its party scheme
from 2025-01-01, with two grids (G1, G2) and four households."""

from __future__ import annotations

import datetime as dt

from core.auth import User
from core.scheme_assignments import assign_scheme
from tests import entry_world
from tests.entry_world import SECRETARY, TOWNSHIP

TODAY = dt.date(2025, 11, 20)  # village-4class cycle 2025 (01-01 start): Q3 = Jul–Sep; party cycle 2025 from 07-01
BRANCH = "C01T01B01"
GRID = User("wangge1", "一组网格员", "recorder", "C01T01B01G1")
GRIDS = [("C01T01B01G1", "一组网格"), ("C01T01B01G2", "二组网格")]
HOUSEHOLDS = [
    # id, head, grid, house number, initials
    ("H01", "刘一户", "C01T01B01G1", "1-01", "lyh"),
    ("H02", "陈二户", "C01T01B01G1", "1-02", "ceh"),
    ("H03", "杨三户", "C01T01B01G2", "2-01", "ysh"),
    ("H04", "黄四户", "C01T01B01G2", "2-02", "hsh"),
]


def build(store) -> None:
    entry_world.build(store)
    build_village(store)


def build_village(store) -> None:
    """What the village adds to the entry world: grids, households, its household scheme."""

    def work(cur):
        for code, name in GRIDS:
            cur.execute("INSERT INTO orgs(code, name, level, parent_code, path) VALUES (?, ?, 'group', ?, ?)",
                        [code, name, BRANCH, f"/C01/C01T01/{BRANCH}/{code}/"]).fetchall()
        for hid, name, grid, house, initials in HOUSEHOLDS:
            cur.execute("INSERT INTO members(id, name, branch_code, status, kind, group_code, house_no, initials)"
                        " VALUES (?, ?, ?, 'active', 'household', ?, ?, ?)",
                        [hid, name, BRANCH, grid, house, initials]).fetchall()

    store.write(work)
    assign_scheme(store, TOWNSHIP, BRANCH, "village-4class", dt.date(2025, 1, 1), reason="试点村")


__all__ = ["BRANCH", "GRID", "SECRETARY", "TODAY", "build"]
