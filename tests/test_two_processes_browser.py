"""Two app processes on one PostgreSQL, in Chromium: `streamlit run server.py` twice, on two
ports, with the same ``JIFEN_DB``. What nginx's affinity may or may not keep together must
not matter:
- a record entered through process A is on process B's next run (the data lives in the
  database, and the data_version that page caches key on too);
- a login made on A is valid on B: the session is a row in the database, so B accepts A's
  cookie (copied into a separate browser context, as a reconnect to the other process after
  a restart would carry it)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import _drop_db, chromium, browser_login, pg_copy, serve, wait_idle

pytestmark = pytest.mark.browser

BRANCH = "C01T01B01"
PASSWORD = "Yicun-shuji-2025"


def build_world(store) -> None:
    """A county, a township, one branch with three members on the party scheme, and its
    secretary (what `init`/`setup`/`org`/`user` would leave; the services those verbs call)."""
    from core.auth import User, add_user
    from core.first_run import setup
    from core.scheme_assignments import assign_scheme

    setup(store, "C01", "测试县", "admin", PASSWORD)  # the county and its first admin, as `setup` does

    def work(cur):
        for code, name, level, parent, path in [
                ("C01T01", "测试镇", "township", "C01", "/C01/C01T01/"),
                (BRANCH, "一村党支部", "branch", "C01T01", f"/C01/C01T01/{BRANCH}/")]:
            cur.execute("INSERT INTO orgs(code, name, level, parent_code, path) VALUES (?, ?, ?, ?, ?)",
                        [code, name, level, parent, path]).fetchall()
        cur.executemany("INSERT INTO members(id, name, branch_code, status, initials, category)"
                        " VALUES (?, ?, ?, 'active', ?, '普通类')",
                        [("M01", "张三", BRANCH, "zs"), ("M02", "李四", BRANCH, "ls"), ("M03", "王五", BRANCH, "ww")])

    store.write(work)
    assign_scheme(store, User("system", "系统", "admin", "C01"), "C01T01", "party-q100-3to1",
                  dt.date(2024, 7, 1), reason="全镇统一")
    add_user(store, "shuji01", PASSWORD, "secretary", BRANCH, display_name="一村书记")


@pytest.fixture
def two_servers(pg_cluster):
    """(URL of A, URL of B, the store): two `streamlit run server.py` on one database."""
    from core.store import Store

    name, url = pg_copy(pg_cluster, "jifen_template")
    store = Store(url)
    build_world(store)
    servers = [serve(url), serve(url)]
    try:
        yield next(servers[0]), next(servers[1]), store
    finally:
        for server in servers:
            next(server, None)  # resumes serve after its yield: terminate, wait
        store.close()
        _drop_db(pg_cluster, name)


@pytest.fixture
def browser():
    with chromium() as b:
        yield b


def _page(browser):
    page = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000}).new_page()
    page.set_default_timeout(30_000)
    return page


def _open(page, url: str) -> None:
    page.goto(url)
    wait_idle(page)


def test_a_record_and_a_login_made_on_one_process_hold_on_the_other(two_servers, browser):
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)  # two servers and a browser on a loaded 2-core machine
    url_a, url_b, store = two_servers
    on_a = _page(browser)
    browser_login(on_a, url_a, "shuji01", PASSWORD)
    cookie = next(c for c in on_a.context.cookies() if c["name"] == "jifen_session")

    # B has never seen this login: a fresh context with A's cookie copied, set for B's address
    on_b = _page(browser)
    on_b.context.add_cookies([{"name": "jifen_session", "value": cookie["value"], "url": url_b}])
    _open(on_b, url_b + "/review")
    expect(on_b.get_by_role("heading", level=1)).to_contain_text("审核")
    expect(on_b.get_by_role("button", name="退出登录")).to_be_visible()
    expect(on_b.get_by_text("没有待审核的记录")).to_be_visible()
    # and without the cookie, B asks for a login (the session came with the cookie, not the browser)
    stranger = _page(browser)
    _open(stranger, url_b + "/review")
    expect(stranger.get_by_role("button", name="登录")).to_be_visible()

    # A enters one record for 张三
    version = store.data_version()
    _open(on_a, url_a + "/quick_entry")
    on_a.get_by_label("查找党员").fill("zs")
    on_a.get_by_label("查找党员").press("Enter")
    wait_idle(on_a)
    on_a.get_by_label("备注").fill("跨进程录入")
    on_a.get_by_role("button", name="提交").click()
    wait_idle(on_a)
    expect(on_a.get_by_text("已录入：张三（M01）")).to_be_visible()
    assert store.all("SELECT member_id, note, entered_by FROM events") == [("M01", "跨进程录入", "shuji01")]
    assert store.data_version() > version

    # B's next run (a rerun, not a new session) shows it waiting for review
    on_b.get_by_role("heading", level=1).click()
    on_b.keyboard.press("r")
    wait_idle(on_b)
    expect(on_b.get_by_text("全选 一村党支部的 1 条记录")).to_be_visible()
