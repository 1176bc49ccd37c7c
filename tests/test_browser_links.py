"""In Chromium: a 首页 todo link opens the 公示 it is about, and every 总览 visit navigates."""

import pytest

from core import orgs
from core.cycles import period_name
from core.scheme_assignments import scheme_for_cycle
from core.store import Store
from tests.conftest import browser_login, go, wait_idle

pytestmark = pytest.mark.browser


def _nav(page, title: str) -> None:
    """Go to a page through the sidebar (a typed URL would start a new session)."""
    page.locator("[data-testid=stSidebarNav]").get_by_role("link", name=title).click()
    wait_idle(page)


def _overview(page) -> None:
    """总览, until its 本月建议走访的支部 shows a 查看 (a click landing during a rerun is lost on a
    loaded machine: a fresh-clone CI run once found no link)."""
    go(page, "总览", until=page.get_by_role("link", name="查看").first)


def _open_windows(demo_db):
    store = Store(demo_db)  # the demo the shared server serves a copy of (it holds that file)
    # a window sent up to the township (or decided by it) is its 上级审核's, not a 公示 todo
    rows = store.all("SELECT branch_code, cycle, period FROM publicity p WHERE state = 'open' AND NOT EXISTS ("
                     "SELECT 1 FROM review_steps r WHERE r.branch_code = p.branch_code AND r.cycle = p.cycle"
                     " AND r.period = p.period AND r.step IN ('submit', 'township')) ORDER BY id")
    assert rows  # the demo keeps open quarter windows the township's 首页 links to
    names = orgs.labels(store, [r[0] for r in rows])
    shown = {r: period_name(scheme_for_cycle(store, r[0], r[1])[0], r[1], r[2]) for r in rows}
    store.close()
    return rows, names, shown


def test_todo_link_opens_the_publicity_it_is_about(demo_server, browser_page, demo_db):
    from playwright.sync_api import expect

    page = browser_page
    rows, names, periods = _open_windows(demo_db)
    browser_login(page, demo_server, "zhen01")
    for branch, cycle, period in rows:
        _nav(page, "首页")
        todo = page.get_by_text(f"{names[branch]}").filter(has_text="公示").first
        expect(todo).to_be_visible()
        # the link in the same row as the todo's text
        row = page.locator("[data-testid=stHorizontalBlock]").filter(has=todo).first
        row.get_by_role("link", name="去公示与异议").click()
        wait_idle(page)
        expect(page.get_by_role("heading", level=1)).to_contain_text("公示与异议")
        expect(page.get_by_role("combobox", name="党支部（村）")).to_have_value(names[branch])
        expect(page.get_by_role("combobox", name="期间")).to_have_value(periods[(branch, cycle, period)])
        expect(page.locator("[data-testid=stMetric]").first).to_contain_text("公示")


def test_every_visit_navigates(demo_server, browser_page):
    """Every 查看 of 本月建议走访的支部 leads off 总览; one of each destination page is clicked
    (the links to one page differ only in their query: tests/test_links.py checks each link's branch)."""
    from playwright.sync_api import expect

    page = browser_page
    browser_login(page, demo_server, "zhen01")
    _overview(page)
    links = page.get_by_role("link", name="查看")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert len(hrefs) >= 3
    paths = [href.split("?")[0].rstrip("/").rsplit("/", 1)[-1] for href in hrefs]
    assert "overview" not in paths, hrefs
    for i in sorted({path: i for i, path in reversed(list(enumerate(paths)))}.values()):
        _overview(page)
        page.get_by_role("link", name="查看").nth(i).click()
        # navigation is a client-side page switch: wait for it rather than read the URL at once
        page.wait_for_url(lambda url: url.split("?")[0] != demo_server + "/overview", timeout=30_000)
        wait_idle(page)
        expect(page.get_by_role("heading", level=1)).not_to_contain_text("总览")
