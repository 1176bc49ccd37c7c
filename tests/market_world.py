"""A small world for the 积分超市 tests: tests/entry_world.py's two villages (and their party
members under party-q100-3to1), with households and residents: one under
village-4class (households, points never cleared) and one under village-zhangji
(residents, points reset each year), each with a few goods.

Points (entered and approved through the services):
- 一村 (village-4class): 张大户 H01 public_order ×4 on 2024-06-01 (4 × 5 = 20) and brave_deed
  ×2 on 2025-03-01 (2 × 5 = 10); 李二户 H02 nothing; 王三户 H03 public_order ×2 on 2025-05-01 (10).
- 二村 (village-zhangji): 刘村民 R01 the automatic base 100 each year, stop_crime_person
  2024-06-01 (30) and mediate_dispute 2025-03-01 (15); 陈村民 R02 the base only.
"""

from __future__ import annotations

import datetime as dt

import pytest

from core.scheme_assignments import assign_scheme
from core.services.ledger import enter_event
from core.services.review import approve
from core.supermarket import goods as goods_service
from tests import entry_world
from tests.conftest import STORES, built_template, copied_store
from tests.entry_world import ADMIN, OTHER_SECRETARY, RECORDER, SECRETARY, TOWNSHIP  # noqa: F401

TODAY = dt.date(2025, 11, 20)
# 一村 (C01T01B01) and 二村 (C01T01B02) of tests/entry_world.py, and its users
CLERK = RECORDER  # jilu01, a recorder of 一村
CLERK2 = OTHER_SECRETARY  # shuji02, 二村's secretary (a secretary exchanges too)

SUBJECTS = [  # id, name, branch, kind, initials, house number
    ("H01", "张大户", "C01T01B01", "household", "zdh", "一组12号"),
    ("H02", "李二户", "C01T01B01", "household", "leh", "一组15号"),
    ("H03", "王三户", "C01T01B01", "household", "wsh", "二组3号"),
    ("R01", "刘村民", "C01T01B02", "resident", "lcm", "8号"),
    ("R02", "陈村民", "C01T01B02", "resident", "ccm", "9号"),
]
GOODS = {  # village -> (code, name, unit, price) ; stock 10 each
    "C01T01B01": [("RICE", "大米", "袋", 25), ("OIL", "食用油", "桶", 25), ("SOAP", "香皂", "块", 5),
                  ("TOWEL", "毛巾", "条", 8)],
    "C01T01B02": [("RICE", "大米", "袋", 50), ("SOAP", "香皂", "块", 5)],
}
EVENTS = [  # subject, item, date, count
    ("H01", "public_order", dt.date(2024, 6, 1), 4),
    ("H01", "brave_deed", dt.date(2025, 3, 1), 2),
    ("H03", "public_order", dt.date(2025, 5, 1), 2),
    ("R01", "stop_crime_person", dt.date(2024, 6, 1), 1),
    ("R01", "mediate_dispute", dt.date(2025, 3, 1), 1),
]


def build(store) -> dict[tuple[str, str], int]:
    """The world (entry_world's orgs, party members and users, and these subjects); returns
    goods ids by (village, code)."""
    entry_world.build(store)

    def work(cur):
        for sid, name, branch, kind, initials, house in SUBJECTS:
            cur.execute("INSERT INTO members(id, name, branch_code, status, initials, kind, house_no)"
                        " VALUES (?, ?, ?, 'active', ?, ?, ?)", [sid, name, branch, initials, kind, house]).fetchall()

    store.write(work)
    assign_scheme(store, TOWNSHIP, "C01T01B01", "village-4class", dt.date(2024, 1, 1), reason="户积分")
    assign_scheme(store, TOWNSHIP, "C01T01B02", "village-zhangji", dt.date(2024, 1, 1), reason="村民积分")
    ids = [enter_event(store, ADMIN, sid, item, day, count=n, today=TODAY) for sid, item, day, n in EVENTS]
    approve(store, ADMIN, ids)
    out = {}
    for village, rows in GOODS.items():
        for code, name, unit, price in rows:
            out[village, code] = goods_service.add_goods(
                store, ADMIN, village, {"code": code, "name": name, "unit": unit, "price": price, "stock": 10},
                today=dt.date(2024, 1, 1))
    return out


@pytest.fixture(scope="module", params=STORES)
def market_template(request, tmp_path_factory):
    """The world built once per module and engine (0.6 s), copied for each test (0.1 s):
    (the template, the goods ids, the same in every copy)."""
    ids = {}
    with built_template(request, tmp_path_factory, lambda store: ids.update(build(store))) as template:
        yield template, ids


@pytest.fixture
def market(request, market_template, tmp_path):
    template, ids = market_template
    with copied_store(request, template, tmp_path) as store:
        yield store, dict(ids)


def count_rows(store) -> dict[str, int]:
    """Rows of every table an exchange writes, to show a refusal wrote nothing."""
    return {t: store.scalar(f"SELECT count(*) FROM {t}") for t in ("exchanges", "stock_moves", "audit_log", "goods")}
