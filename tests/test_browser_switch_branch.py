"""In Chromium: 积分录入 switches between branches whose schemes differ, with an item of the
first scheme chosen, without an error (it raised ``KeyError: None`` with a traceback)."""

import datetime as dt

import pytest

from core import orgs
from core.auth import User
from core.scheme_assignments import assign_scheme
from core.store import Store
from tests.conftest import browser_login, wait_idle

pytestmark = pytest.mark.browser


def _choose(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)


@pytest.fixture
def star_branch(demo_path):
    """C01T01B03 on party-stars-quota, scored from appraisal grids alone (no entered items);
    set before the server opens the database."""
    store = Store(demo_path)
    assign_scheme(store, User("admin", "管理员", "admin", "C01"), "C01T01B03", "party-stars-quota",
                  dt.date(dt.date.today().year, 1, 1), reason="测试")
    store.close()
    return "C01T01B03"


def test_switching_branch_with_an_item_of_another_scheme(star_branch, live_server, browser_page, demo_path):
    from playwright.sync_api import expect

    store = Store(demo_path)
    # C01T01B01 runs party-q100-3to1, C01T01B02 party-village-3type (the demo's schemes differ)
    names = orgs.labels(store, ["C01T01B01", "C01T01B02", star_branch])
    store.close()
    page = browser_page
    browser_login(page, live_server, "admin")
    page.locator("[data-testid=stSidebarNav]").get_by_role("link", name="积分录入").click()
    wait_idle(page)
    _choose(page, "党支部（村）", names["C01T01B01"])
    _choose(page, "积分项目", "未按时足额交纳党费（−5分）")  # party-q100-3to1 only
    for code in ("C01T01B02", "C01T01B01", star_branch, "C01T01B02"):
        _choose(page, "党支部（村）", names[code])
        expect(page.get_by_test_id("stException")).to_have_count(0)
        if code == star_branch:  # it said KeyError: None here
            expect(page.get_by_text("没有可为该成员录入的积分项目")).to_be_visible()
        else:
            expect(page.get_by_role("combobox", name="积分项目")).to_be_visible()
