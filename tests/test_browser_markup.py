"""In Chromium: names carrying markup payloads (issue 13) are shown as the text they are; no
image, link, script or bold comes out of them."""

import re

import pytest

from core.store import Store
from tests.conftest import browser_login, wait_idle
from tests.test_markup_payloads import plant_payloads

pytestmark = pytest.mark.browser


@pytest.fixture
def planted(demo_path):
    """The payloads in every text field of the demo copy, before the server opens it."""
    store = Store(demo_path)
    plant_payloads(store)
    store.close()
    return demo_path


def _no_live_markup(page) -> None:
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator('img[src*="127.0.0.1"]').count() == 0
    assert page.locator('a[href^="javascript:" i]').count() == 0
    assert page.locator("script", has_text="alert(1)").count() == 0
    assert page.locator("strong, b", has_text=re.compile(r"^b$")).count() == 0


def test_payload_names_render_as_plain_text(planted, live_server, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    browser_login(page, live_server, "shuji01")
    # 首页: the org's name in the title, the user's display name in the sidebar, as typed
    title = page.get_by_role("heading", level=1)
    expect(title).to_contain_text("<img src=x onerror=alert(1)>")
    expect(title).to_contain_text("[x](javascript:alert(1))")
    expect(title).to_contain_text("**b**")
    expect(page.locator("[data-testid=stSidebar]")).to_contain_text("![](http://127.0.0.1/x.png)")
    _no_live_markup(page)
    # 积分录入: the member's name in the subheader
    page.locator("[data-testid=stSidebarNav]").get_by_role("link", name="积分录入").click()
    wait_idle(page)
    expect(page.get_by_role("heading", level=3).filter(has_text="<script>alert(1)</script>").first).to_be_visible()
    _no_live_markup(page)
    assert dialogs == []
