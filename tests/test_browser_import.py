"""In a real browser: a secretary imports a messy roster through 导入导出 (title row, merged
header, dates written two ways), sees the preview, confirms, and finds the members on 首页."""

from __future__ import annotations

import pytest

from tests.conftest import browser_login, go, wait_idle
from tests.import_files import id_number, xlsx

pytestmark = pytest.mark.browser


def test_secretary_imports_a_roster_and_sees_the_members(live_server, browser_page, tmp_path):
    from playwright.sync_api import expect

    roster = tmp_path / "党员花名册.xlsx"
    roster.write_bytes(xlsx([
        ["党员姓名", "公民身份号码", "年月", "入党时间"],
        ["导入甲", id_number("11010119850101456"), "1985.1", "2010年7月1日"],
        ["导 入 乙", None, "1990/2/3", "20150701"],
    ], title="支部党员花名册", merged=[(0, 1, "基本信息"), (2, 2, "出生"), (3, 3, "入党")]))
    page = browser_page
    browser_login(page, live_server, "shuji01")
    go(page, "导入导出")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(roster))
    wait_idle(page)
    expect(page.get_by_text("共 2 行：新增 2 条，更新 0 条，0 条与系统一致")).to_be_visible()
    page.get_by_role("button", name="确认导入").click()
    wait_idle(page)
    expect(page.get_by_text("新增 2 条，更新 0 条").first).to_be_visible()

    go(page, "首页", until=page.get_by_label("搜索党员"))
    page.get_by_label("搜索党员").fill("导入")
    page.get_by_label("搜索党员").press("Enter")
    wait_idle(page)
    found = page.get_by_test_id("stDataFrame").last
    expect(found).to_contain_text("导入甲")
    expect(found).to_contain_text("导入乙")
