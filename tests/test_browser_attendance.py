"""In a real browser: record a meeting with one absence, approve the generated deduction in
审核, and see the member's total drop in 积分录入."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from core.scheme_assignments import scheme_for
from core.services.attendance import roster
from core.store import Store
from tests.conftest import browser_login, go, wait_idle

pytestmark = pytest.mark.browser
BRANCH = "C01T01B01"


@pytest.fixture
def absentee(demo_path):
    """A member with nothing counted yet in the current quarter, read before the server
    opens the file (DuckDB lets one process at a time open it).

    party-q100-3to1: the quarter's 日常分 is 75 + its items, clamped to [0, 75], and the cycle's
    日常分 is the mean of four quarters. With no events this quarter it is 75; one
    缺席三会一课 (−2) makes it 73, so the total drops by 2 / 4 = 0.5.
    """
    store = Store(demo_path)
    try:
        today = dt.date.today()
        scheme, _ = scheme_for(store, BRANCH, today)
        assert scheme.id == "party-q100-3to1" and scheme.items["miss_meeting"].points == -2
        start = dt.date(today.year, today.month - (today.month - 7) % 3, 1)  # quarters from 07-01
        # nothing this quarter, pending entries included, so the review queue holds only ours
        busy = {r[0] for r in store.all("SELECT DISTINCT member_id FROM events WHERE branch_code = ? AND date >= ?",
                                        [BRANCH, start])}
        members = roster(store, BRANCH)
        index = next(i for i, m in enumerate(members) if m.id not in busy)
        return index, members[index], len(members)
    finally:
        store.close()


def total_shown(page) -> float:
    metric = page.get_by_test_id("stMetric").filter(has_text="得分").get_by_test_id("stMetricValue")
    return float(metric.inner_text())


def open_member(page, member_id):
    go(page, "积分录入")
    page.get_by_label("查找党员").fill(member_id)
    page.get_by_label("查找党员").press("Enter")
    wait_idle(page)


def settled_box(locator):
    """The element's box once two readings 200 ms apart agree (the page still lays out under load)."""
    box = locator.bounding_box()
    for _ in range(25):
        locator.page.wait_for_timeout(200)
        again = locator.bounding_box()
        if again == box:
            return box
        box = again
    return box


def untick_present(page, grid, row):
    """Untick 出席 in ``row`` of the data_editor and return once the grid holds the edit.

    The grid is drawn on a canvas (Glide), so a click on its top body row selects a cell and
    the keyboard walks from row 0 to the 出席 cell. Glide mirrors the visible rows in a hidden
    table whose cell ``glide-cell-{column}-{row}`` takes the focus when selected: the test sees
    where it landed before it presses Space. That table is redrawn only when the selection moves, so the
    value is read after stepping aside. Each attempt reads the cell before toggling, so a toggle
    taken by an earlier attempt is never undone; on a loaded machine the canvas may not listen
    yet, so each attempt waits longer.
    """
    from playwright.sync_api import expect

    present = grid.get_by_test_id(f"glide-cell-2-{row}")
    # the hidden table holds the data once the grid has drawn its rows
    expect(grid.locator("td[id^=glide-cell-2-]").first).to_have_text(re.compile("^(true|false)$"), timeout=60_000)
    for attempt in range(6):
        page.wait_for_timeout(500 * attempt)
        header = grid.locator("canvas:not([data-testid])").first  # the header strip
        header.evaluate("e => e.scrollIntoView({block: 'center'})")  # stray arrow keys scroll the page
        header = settled_box(header)
        page.mouse.click(header["x"] + 30, header["y"] + header["height"] + 10)  # 编号, top row shown
        page.keyboard.press("ControlOrMeta+ArrowUp")  # row 0, wherever an earlier attempt scrolled to
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        for _ in range(row):
            page.keyboard.press("ArrowDown")
        try:
            expect(present).to_be_focused(timeout=3_000)
        except AssertionError:  # the click or a key went astray: nothing was toggled, start again
            continue
        if present.inner_text() == "true":
            page.keyboard.press("Space")
        page.keyboard.press("ArrowLeft")  # step to 姓名: the hidden table redraws with the value
        try:
            expect(grid.get_by_test_id(f"glide-cell-1-{row}")).to_be_focused(timeout=3_000)
            expect(present).to_have_text("false", timeout=3_000)
            return
        except AssertionError:
            continue
    pytest.fail(f"第 {row} 行的「出席」未能取消勾选")


def test_meeting_with_one_absence_lowers_the_total_after_review(absentee, live_server, browser_page):
    from playwright.sync_api import expect

    index, member, size = absentee
    page = browser_page
    browser_login(page, live_server, "shuji01")
    open_member(page, member.id)
    expect(page.get_by_role("heading", name=member.name)).to_be_visible()
    before = total_shown(page)

    go(page, "活动签到")
    expect(page.get_by_text(f"应到 {size} 人，出席 {size} 人，请假 0 人，缺席 0 人")).to_be_visible()
    untick_present(page, page.get_by_test_id("stDataFrame").first, index)
    # the edit reaches the server 150 ms after the toggle; a loaded machine may take long to rerun
    expect(page.get_by_text(f"出席 {size - 1} 人，请假 0 人，缺席 1 人")).to_be_visible(timeout=60_000)
    expect(page.get_by_text(f"将生成 1 条「缺席三会一课（−2分）」记录（待审核）：{member.name}")).to_be_visible()
    page.get_by_role("button", name="保存签到").click()
    wait_idle(page)
    expect(page.get_by_text("已保存签到，生成 1 条积分记录")).to_be_visible()

    go(page, "审核")
    page.get_by_label("党员").fill(member.id)
    page.get_by_label("党员").press("Enter")
    wait_idle(page)
    start = page.get_by_test_id("stDateInput").filter(has_text="开始日期").locator("input").first
    start.fill(dt.date.today().isoformat())
    start.press("Escape")
    page.get_by_role("heading", name="审核").click()  # blur: the date is sent when the field closes
    wait_idle(page)
    page.get_by_text("的 1 条记录").filter(has_text="全选").click()
    wait_idle(page)
    page.get_by_role("button", name="批量通过").filter(has_text="的 1 条记录").click()  # names the branch and count
    wait_idle(page)
    expect(page.get_by_text("的 1 条记录").filter(has_text="已通过")).to_be_visible()

    open_member(page, member.id)
    expect(page.get_by_role("heading", name=member.name)).to_be_visible()
    # 缺席三会一课 −2 in today's quarter of the 七一 cycle; the score beside the form is the running
    # quarter's to date, whose daily is the mean over the quarters so far: −2 / that many
    today = dt.date.today()
    quarters_so_far = (today.month - 7) % 12 // 3 + 1
    assert total_shown(page) == pytest.approx(before - 2 / quarters_so_far, abs=0.05)
