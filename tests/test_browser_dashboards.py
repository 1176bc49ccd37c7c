"""In a real browser, at 1024 px and 1400 px wide: every dashboard renders its charts, with
no error, and a screenshot of each is saved under tests/artifacts/ (git-ignored) for a
person to look at (are the labels legible, do bars and axis labels overlap?)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import browser_login, wait_idle

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
DASHBOARDS = {"总览": "overview", "支部对比": "compare", "积分分布": "distribution", "覆盖情况": "coverage",
              "趋势": "trends", "成员档案": "member_file"}
WIDTHS = (1024, 1400)
TALL = 4200  # Streamlit scrolls inside its own container: a tall window shows the whole page


def go(page, title: str) -> None:
    """Follow the sidebar link (the session survives, and it is how a user moves)."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    wait_idle(page)


def test_each_dashboard_at_two_widths(live_server, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    ARTIFACTS.mkdir(exist_ok=True)
    browser_login(page, live_server, "zhen01")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": TALL})
        for title, key in DASHBOARDS.items():
            go(page, title)
            expect(page.get_by_role("heading", level=1)).to_contain_text(title)
            charts = page.locator("[data-testid=stVegaLiteChart]")
            if key != "member_file":  # 成员档案 draws its chart only once a member has results
                expect(charts.first).to_be_visible()
            page.wait_for_timeout(800)  # vega draws after the script run ends
            page.screenshot(path=str(ARTIFACTS / f"{key}-{width}.png"), full_page=True)
            assert page.locator("[data-testid=stException]").count() == 0, f"{title} at {width}px"
            body = page.get_by_test_id("stMain").inner_text()
            for word in ("None", "nan", "Traceback"):
                assert word not in body.replace("\n", " ").split(" "), f"{title} at {width}px shows {word}"
