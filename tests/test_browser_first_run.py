"""In a real browser, from an empty database, as a new township would: the first screen sets up
the admin, 导入导出 takes the organisation tree and a messy roster (preview, confirm), and 首页
lists the members."""

from __future__ import annotations

import pytest

from core.cli import main
from tests.conftest import go, serve, wait_idle
from tests.import_files import id_number, xlsx

pytestmark = pytest.mark.browser


@pytest.fixture
def empty_server(tmp_path, capsys):
    """`streamlit run server.py`, as `make run DB=…` serves it, on a database just made by `init`."""
    db = tmp_path / "xian.duckdb"
    assert main(["init", "--db", str(db)]) == 0
    capsys.readouterr()
    yield from serve(db)


def pick(page, label, option):
    page.get_by_test_id("stSelectbox").filter(has_text=label).first.locator("input").click()
    page.get_by_role("option", name=option).first.click()
    wait_idle(page)


def upload_and_confirm(page, path, summary):
    from playwright.sync_api import expect

    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    wait_idle(page)
    expect(page.get_by_text(summary)).to_be_visible()
    page.get_by_role("button", name="确认导入").click()
    wait_idle(page)


def test_setup_then_import_a_roster_and_see_the_members(empty_server, browser_page, tmp_path):
    from playwright.sync_api import expect

    tree = tmp_path / "组织.xlsx"
    tree.write_bytes(xlsx([
        ["编码", "名称", "上级党组织", "层级", "类型"],
        ["C01T01", "青山镇党委", "C01", "乡镇", None],
        ["C01T01B01", "东风村党支部", "C01T01", "支部", "村"],
    ], title="青山镇党组织设置情况", merged=[(0, 1, "党组织")]))
    roster = tmp_path / "东风村党员花名册.xlsx"
    roster.write_bytes(xlsx([
        ["序号", "党员姓名", "性别", "出生年月", "入党时间", "公民身份号码", "联系电话", "备注"],
        [1, "周一", "男", "1970.03", "1995年7月1日", id_number("33052119700305101"), 13900000001, ""],
        [2, "吴　二 ", "女", "1982/6/11", "20050701", None, None, "流动"],
    ], title="东风村党支部党员花名册"))
    page = browser_page

    # the first screen of an empty database is setup, not a login form
    page.goto(empty_server)
    wait_idle(page)
    expect(page.get_by_text("首次使用：建立县级组织和管理员")).to_be_visible()
    for label, value in (("县级组织编码", "C01"), ("县名称", "某某县"), ("管理员用户名", "zhouli"),
                         ("管理员姓名", "周立"), ("密码（至少8位）", "qingshan-2026"), ("再次输入密码", "qingshan-2026")):
        page.get_by_role("textbox", name=label).fill(value)  # a field's help has its label too
    page.get_by_role("button", name="建立并登录").click()
    wait_idle(page)
    expect(page.get_by_text("周立（县级管理员），管辖范围：某某县")).to_be_visible()
    expect(page.get_by_text("还没有党员：请在「导入导出」上传花名册")).to_be_visible()

    go(page, "导入导出")
    # Streamlit's own English ("Upload", "200MB per file") is not what the user reads
    uploader = page.get_by_test_id("stFileUploader")
    expect(uploader.get_by_test_id("stFileUploaderDropzoneInstructions")).to_be_hidden()
    pick(page, "导入内容", "组织架构")
    upload_and_confirm(page, tree, "共 2 行：新增 2 条，更新 0 条，0 条与系统一致")
    expect(page.get_by_text("已导入（批次 1）：新增 2 条，更新 0 条")).to_be_visible()

    # a branch's own roster has no branch column: the branch picker says where it goes
    pick(page, "导入内容", "党员花名册")
    pick(page, "导入到支部", "东风村党支部")
    upload_and_confirm(page, roster, "共 2 行：新增 2 条，更新 0 条，0 条与系统一致")
    expect(page.get_by_text("已导入（批次 2）：新增 2 条，更新 0 条")).to_be_visible()
    # the uploader is empty again, not showing the imported file as "already imported"
    expect(uploader.get_by_test_id("stFileChip")).to_have_count(0)
    expect(page.get_by_text("本次不会重复添加")).to_have_count(0)

    go(page, "首页")
    members = page.get_by_test_id("stDataFrame").last
    expect(members).to_contain_text("周一")
    expect(members).to_contain_text("吴二")
    expect(members).to_contain_text("东风村党支部")
