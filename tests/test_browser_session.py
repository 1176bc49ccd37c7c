"""A login survives a refresh and a typed URL; a logout does not; a page outside the role is
refused in Chinese. Chromium against `streamlit run server.py`."""

import shutil

import pytest

from tests.conftest import DEMO_PASSWORD, serve, wait_idle

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_server(demo_db, tmp_path_factory):
    """One server for the module (a start and its first run cost 5-8 s): the first test logs
    shuji01 in and out, the second (after it, in file order) then disables that account."""
    path = tmp_path_factory.mktemp("sessions") / "demo.duckdb"
    shutil.copyfile(demo_db, path)
    yield from serve(path)


def _login_form(page, username):
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    wait_idle(page)


def _session_cookie(page, present: bool = True):
    """The session cookie once it is there (or None once it is gone): the page posts for it
    after the rerun that follows a login or logout, so give that request a few seconds."""
    for _ in range(50):
        cookie = next((c for c in page.context.cookies() if c["name"] == "jifen_session"), None)
        if (cookie is not None) == present:
            return cookie
        page.wait_for_timeout(200)
    return cookie


def test_a_session_survives_refresh_and_typed_urls_until_logout(live_server, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    # A typed URL while logged out: the login form, not "Page not found"; after login, that page.
    page.goto(live_server + "/results")
    wait_idle(page)
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    expect(page.get_by_text("登录后将打开「积分结果」")).to_be_visible()
    _login_form(page, "shuji01")
    expect(page.get_by_role("heading", level=1)).to_contain_text("积分结果")
    assert page.url.endswith("/results")
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    cookie = _session_cookie(page)
    assert cookie and cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert "jifen_session" not in page.evaluate("document.cookie")  # page script cannot read it

    page.reload()
    wait_idle(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("积分结果")
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()

    page.goto(live_server + "/overview")
    wait_idle(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("总览")
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()

    # Outside the role: a Chinese refusal, not Streamlit's English modal.
    page.goto(live_server + "/admin")
    wait_idle(page)
    expect(page.get_by_text("支部书记无权访问「系统管理」")).to_be_visible()
    assert "Page not found" not in page.inner_text("body")

    page.goto(live_server + "/login")  # a bookmarked login page, already logged in: home
    wait_idle(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("工作台")
    assert "Page not found" not in page.inner_text("body")

    page.get_by_role("button", name="退出登录").click()
    wait_idle(page)
    expect(page.get_by_text("已退出登录")).to_be_visible()
    assert _session_cookie(page, present=False) is None
    page.reload()
    wait_idle(page)
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    expect(page.get_by_role("button", name="退出登录")).to_have_count(0)


def test_disabling_a_user_logs_them_out_at_their_next_click(live_server, browser_page):
    from playwright.sync_api import expect

    secretary = browser_page
    secretary.goto(live_server + "/results")
    wait_idle(secretary)
    _login_form(secretary, "shuji01")
    expect(secretary.get_by_role("heading", level=1)).to_contain_text("积分结果")

    admin = secretary.context.browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    admin = admin.new_page()  # a second browser: its own cookies
    admin.set_default_timeout(30_000)
    admin.goto(live_server + "/admin")
    wait_idle(admin)
    _login_form(admin, "admin")
    admin.get_by_label("用户", exact=True).click()
    admin.keyboard.type("shuji01")
    admin.keyboard.press("Enter")
    wait_idle(admin)
    admin.get_by_role("button", name="停用", exact=True).click()
    wait_idle(admin)
    expect(admin.get_by_text("其登录已全部退出")).to_be_visible()

    # the secretary's next click, in the same open page, meets the login form
    secretary.get_by_test_id("stSidebarNav").get_by_role("link", name="首页").click()
    wait_idle(secretary)
    expect(secretary.get_by_text("该账号已停用，请联系管理员")).to_be_visible()
    expect(secretary.get_by_role("button", name="登录")).to_be_visible()
    secretary.reload()  # and the cookie's session was revoked with the account
    wait_idle(secretary)
    expect(secretary.get_by_role("button", name="登录")).to_be_visible()
    expect(secretary.get_by_role("button", name="退出登录")).to_have_count(0)
