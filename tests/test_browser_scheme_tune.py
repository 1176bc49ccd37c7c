"""In a real browser: the township lowers 优秀's quota from 20% to 15% on 积分方案, simulates it
on last cycle's data (tests/tune_world.py: W01 and W10 drop to 合格), adopts it from today, and
sees the new version named on 积分结果."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from core.auth import add_user
from core.store import Store
from tests import tune_world as w
from tests.conftest import browser_login, go, serve, wait_idle

pytestmark = pytest.mark.browser
PASSWORD = "tune-browser-pw-1"


@pytest.fixture
def tune_server(tmp_path):
    path = tmp_path / "tune.duckdb"
    store = Store(path)
    w.build(store)
    add_user(store, "admin", PASSWORD, "admin", "C01", "县管理员", actor="admin")  # past first-run setup
    add_user(store, "zhen01", PASSWORD, "township", "C01T01", "镇组织委员", actor="admin")
    store.close()
    yield from serve(path)


def test_township_lowers_the_quota_after_simulating_and_sees_the_version(tune_server, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    today = dt.date.today()
    browser_login(page, tune_server, "zhen01", PASSWORD)
    go(page, "积分方案", until=page.get_by_role("heading", name="调整方案"))
    page.get_by_test_id("stSelectbox").filter(has_text="模拟所用数据").click()
    page.get_by_role("option", name=re.compile("^上一周期")).click()
    wait_idle(page)
    quota = page.get_by_label(re.compile("优秀等次人数不超过本支部党员总数的20%」比例"))
    quota.fill("15")
    quota.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="模拟").click()
    wait_idle(page)
    expect(page.get_by_text("2 个对象的总分、等次、星级或名次会变化")).to_be_visible()
    expect(page.get_by_text("党员W01（一村党支部）：优秀 → 合格")).to_be_visible()
    page.get_by_label("调整理由").fill("镇党委会议研究决定")
    page.get_by_role("button", name="采用").click()
    wait_idle(page)
    label = f"测试镇调整版 {today:%Y-%m-%d}"
    expect(page.get_by_text(f"已采用：{label}")).to_be_visible()
    go(page, "积分结果", until=page.get_by_role("heading", name="积分结果"))
    expect(page.get_by_text(re.compile(f"积分方案：党员积分季度百分制.*1\\.1 版 · {label}")).first).to_be_visible()
