import pytest

from tests.conftest import browser_login

pytestmark = pytest.mark.browser


def test_secretary_logs_in_and_sees_the_home_page(live_server, browser_page):
    page = browser_page
    browser_login(page, live_server, "shuji01")
    heading = page.get_by_role("heading", level=1)
    assert "工作台" in heading.inner_text()
    assert page.get_by_text("党员名册").is_visible()
    assert page.get_by_role("button", name="退出登录").is_visible()
