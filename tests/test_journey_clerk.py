"""The village clerk's journey (issue 13), on a small market world of its own: at the 积分超市
counter the clerk exchanges 50 points of rice and oil for a household; the balance and the
stock are right afterwards, the rank unchanged. Every page is checked by
``tests.journey.check_page`` and the last one saved as tests/artifacts/journey-clerk.png."""

from __future__ import annotations

import datetime as dt

import pytest

from core.auth import add_user
from core.services.ledger import enter_event
from core.services.results import branch_results
from core.services.review import approve
from core.store import Store
from core.supermarket.goods import list_goods
from tests.conftest import browser_login, go, serve, wait_idle
from tests.journey import check_page, finish
from tests.market_world import ADMIN, CLERK, build

pytestmark = pytest.mark.browser
VILLAGE = "C01T01B01"
PASSWORD = "counter-clerk-pw-7"


def ranks(store, year):
    return {r["subject"]: (r["total"], r["rank"]) for r in
            branch_results(store, VILLAGE, year, track="village").output["results"]}


def test_exchange_rice_and_oil_at_the_counter(tmp_path, browser_page):
    from playwright.sync_api import expect

    today = dt.date.today()
    path = tmp_path / "market.duckdb"
    store = Store(path)
    build(store)
    add_user(store, ADMIN.username, PASSWORD, ADMIN.role, ADMIN.org_code, ADMIN.display_name)  # no first-run form
    add_user(store, CLERK.username, PASSWORD, CLERK.role, CLERK.org_code, CLERK.display_name)
    # this year: 张大户 H01 public_order ×6 = 30 → this year's total 30, cumulative 30 + 30 = 60
    approve(store, ADMIN, [enter_event(store, ADMIN, "H01", "public_order", today, count=6, today=today)])
    before = ranks(store, today.year)
    store.close()

    server = serve(path)
    url = next(server)
    try:
        page = browser_page
        browser_login(page, url, CLERK.username, PASSWORD)
        check_page(page, "首页")
        go(page, "积分超市", until=page.get_by_label("查找户（对象）"))
        check_page(page, "积分超市")
        page.get_by_label("查找户（对象）").fill("zdh")
        page.get_by_label("查找户（对象）").press("Enter")
        wait_idle(page)
        # the picker opened on 李二户 H02 (first by name: li < wang < zhang); "zdh" finds 张大户 H01
        # alone, and the picker must say so over his figures (it kept showing 李二户 before)
        picker = page.get_by_role("combobox", name="户（对象）")
        expect(picker).to_have_value("张大户（一组12号，H01）")
        expect(page.get_by_test_id("stMetric").filter(has_text="可用余额").get_by_test_id("stMetricValue")
               ).to_have_text("60")
        for label in ("大米（25分/袋，库存10）", "食用油（25分/桶，库存10）"):
            page.get_by_label(label).fill("1")
            page.get_by_label(label).press("Enter")
            wait_idle(page)
        expect(page.get_by_text("本次兑换 50 分：兑换前余额 60 分，兑换后余额 10 分")).to_be_visible()
        page.get_by_role("button", name="确认兑换（张大户（一组12号，H01），50 分）").click()
        wait_idle(page)
        expect(page.get_by_text("已兑换 50 分")).to_be_visible()
        expect(page.get_by_test_id("stMetric").filter(has_text="可用余额").get_by_test_id("stMetricValue")
               ).to_have_text("10")
        expect(picker).to_have_value("张大户（一组12号，H01）")  # 10 left is his: 60 − 50
        expect(page.get_by_label("大米（25分/袋，库存9）")).to_be_visible()
        finish(page, "journey-clerk", "积分超市（兑换后）")
    finally:
        next(server, None)

    store = Store(path)
    try:
        stock = {g["code"]: g["stock"] for g in list_goods(store, VILLAGE)}
        assert (stock["RICE"], stock["OIL"]) == (9, 9)
        assert ranks(store, today.year) == before  # H01 still 30 points, rank 1: an exchange never lowers them
        assert store.scalar("SELECT sum(points) FROM exchanges WHERE subject_id = 'H01'") == 50
    finally:
        store.close()
