import pytest

from tests.conftest import browser_login

pytestmark = pytest.mark.browser


def test_secretary_logs_in_and_sees_the_home_page(demo_server, browser_page):
    page = browser_page
    browser_login(page, demo_server, "shuji01")
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", level=1)).to_contain_text("工作台")
    expect(page.get_by_text("党员名册")).to_be_visible()
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
