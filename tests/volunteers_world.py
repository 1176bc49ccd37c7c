"""A tiny volunteer work station for the volunteers' tests: the entry world's township with a
station (C01T01B03) running volunteer-stars from 2025-01-01, four volunteers and its users."""

from __future__ import annotations

import datetime as dt

import pytest

from core.auth import User
from core.scheme_assignments import assign_scheme
from tests.entry_world import TOWNSHIP, build

TODAY = dt.date(2025, 11, 20)
STATION = "C01T01B03"
STATION_SECRETARY = User("zhanzhang", "工作站站长", "secretary", STATION)
STATION_RECORDER = User("zhanjilu", "工作站记录员", "recorder", STATION)
VOLUNTEERS = [
    # id, name, initials, registered (approved_on)
    ("V01", "周义", "zy", dt.date(2025, 1, 1)),
    ("V02", "吴工", "wg", dt.date(2025, 1, 1)),
    ("V03", "郑服", "zf", dt.date(2025, 3, 1)),
    ("V04", "冯务", "fw", dt.date(2025, 9, 10)),
]


def build_station(store) -> None:
    build(store)

    def work(cur):
        cur.execute("INSERT INTO orgs(code, name, level, parent_code, path) VALUES (?, ?, 'branch', 'C01T01', ?)",
                    [STATION, "测试镇党员义工工作站", f"/C01/C01T01/{STATION}/"]).fetchall()
        for vid, name, initials, registered in VOLUNTEERS:
            cur.execute("INSERT INTO members(id, name, kind, branch_code, status, initials, approved_on)"
                        " VALUES (?, ?, 'volunteer', ?, 'active', ?, ?)", [vid, name, STATION, initials, registered]).fetchall()

    store.write(work)
    assign_scheme(store, TOWNSHIP, STATION, "volunteer-stars", dt.date(2025, 1, 1), reason="工作站启用义工星级管理")


@pytest.fixture
def station(store):
    build_station(store)
    return store
