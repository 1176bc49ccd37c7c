"""In a real browser on a phone-sized screen (390 × 844): a member logs in to 我的积分, declares
a deed with a photo on 自我申报, and the branch secretary finds it, marked 自我申报, in 审核
with its photo."""

from __future__ import annotations

import datetime as dt

import pytest

from core.auth import get_user
from core.cycles import cycle_bounds, cycle_of
from core.scheme_assignments import assign_scheme, scheme_for
from core.services.attendance import roster
from core.store import Store
from core.subject_accounts import open_account
from tests.conftest import browser_login, chromium, go, wait_idle
from tests.subject_world import image

pytestmark = pytest.mark.browser
BRANCH = "C01T01B01"
PASSWORD = "shouji-2025"
NOTE = "在村口帮助孤寡老人收玉米"


@pytest.fixture
def declarant(demo_path):
    """The demo branch opens 自我申报 (q100 with self_declare from this cycle's start) and its
    first member gets a login; read and written before the server opens the file."""
    store = Store(demo_path)
    try:
        today = dt.date.today()
        scheme, _ = scheme_for(store, BRANCH, today)
        start = cycle_bounds(scheme.cycle_start, cycle_of(scheme.cycle_start, today))[0]
        admin = get_user(store, "admin")
        assign_scheme(store, admin, BRANCH, scheme.id, start, overrides={"self_declare": True}, reason="试行自我申报")
        member = next(m for m in roster(store, BRANCH)  # one without a login yet (the demo opens dangyuan01)
                      if store.scalar("SELECT count(*) FROM users WHERE subject_id = ?", [m.id]) == 0)
        user, _ = open_account(store, admin, member.id, "shouji01", PASSWORD)
        return member, user
    finally:
        store.close()


def choose(page, label: str, option: str) -> None:
    """Pick ``option``; a list that a rerun redrew under the click (detached) is opened again."""
    for _attempt in range(3):
        page.get_by_role("combobox", name=label).click()
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=10_000)
            break
        except Exception:  # noqa: BLE001 - Playwright's timeout: open the list again
            page.keyboard.press("Escape")
            wait_idle(page)
    wait_idle(page)


def test_a_declaration_with_a_photo_from_a_phone_reaches_review(declarant, live_server, tmp_path):
    from playwright.sync_api import expect

    member, user = declarant
    photo = tmp_path / "好人好事.png"
    photo.write_bytes(image(size=(320, 240)))
    with chromium() as browser:
        phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                    has_touch=True)
        page = phone.new_page()
        page.set_default_timeout(30_000)
        browser_login(page, live_server, "shouji01", PASSWORD)
        expect(page.get_by_role("heading", name="我的积分")).to_be_visible()
        expect(page.get_by_test_id("stMetric").first).to_be_visible()
        # nothing runs off the right edge of a phone's screen
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        page.get_by_role("link", name="我要申报好人好事").click()  # the sidebar is folded away on a phone
        wait_idle(page)
        expect(page.get_by_role("heading", name="自我申报")).to_be_visible()
        choose(page, "申报项目", "获得区委区政府及市级部门表彰（+3分）")
        page.get_by_label("申报说明").fill(NOTE)
        page.get_by_label("申报说明").press("Tab")  # sent when the field loses focus
        wait_idle(page)
        page.locator("input[type=file]").set_input_files(str(photo))
        expect(page.get_by_text("好人好事.png")).to_be_visible()
        wait_idle(page)
        page.get_by_role("button", name="提交申报").click()
        wait_idle(page)
        expect(page.get_by_text("已提交「获得区委区政府及市级部门表彰」的申报，等待审核")).to_be_visible()

        page.goto(live_server + "/my_points")  # a page load: the session is resumed from its cookie
        wait_idle(page)
        expect(page.get_by_text("待审核").first).to_be_visible()
        phone.close()

        office = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
        desk = office.new_page()
        desk.set_default_timeout(30_000)
        browser_login(desk, live_server, "shuji01")
        go(desk, "审核", until=desk.get_by_label("党员"))
        desk.get_by_label("党员").fill(member.id)
        desk.get_by_label("党员").press("Enter")
        wait_idle(desk)
        desk.get_by_text("查看自我申报的照片（1 条）").click()
        wait_idle(desk)
        choose(desk, "申报记录", f"{dt.date.today():%Y-%m-%d} {member.name}「获得区委区政府及市级部门表彰」")
        expect(desk.get_by_text(f"申报说明：{NOTE}")).to_be_visible()
        expect(desk.get_by_test_id("stImage").locator("img")).to_be_visible()
        office.close()
