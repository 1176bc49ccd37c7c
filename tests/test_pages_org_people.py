"""系统 → 组织与人员 and the first screen, in AppTest."""

from streamlit.testing.v1 import AppTest

from core.auth import User
from core.cli import main
from core.store import Store
from tests.conftest import ROOT

VALID = "11010519491231002X"  # GB 11643's example (check digit worked out in test_idcard)


def open_page(app_as, username="admin"):
    at = app_as(username)
    at.switch_page("pages/org_people.py").run()
    assert not at.exception, at.exception
    return at


def texts(at) -> str:
    """Everything the page shows as text, tables included."""
    parts = [e.value for e in (*at.markdown, *at.caption, *at.success, *at.error, *at.info, *at.subheader)]
    for frame in at.dataframe:
        parts.append(frame.value.to_string())
    parts += [str(s.options) for s in at.selectbox]
    return " ".join(str(p) for p in parts)


def test_admin_adds_a_branch_under_a_township(app_as, demo_path):
    at = open_page(app_as)
    # the demo township has B01..B20 and the branches the demo adds after them (the county
    # departments of report-in, the 党员义工工作站): the next code follows the last
    codes = at.dataframe[0].value["编码"].to_list()
    code = f"C01T01B{max(int(c[7:]) for c in codes if len(c) == 9 and c.startswith('C01T01B')) + 1:02d}"
    assert "C01T01B01" in at.dataframe[0].value["编码"].to_list()
    at.selectbox(key="org_new_level").set_value("branch").run()
    at.selectbox(key="org_new_parent").set_value("C01T01")
    at.text_input(key="org_new_name").input("新建村党支部")
    at.selectbox(key="org_new_kind").set_value("社区")
    at.button(key="FormSubmitter:org_add-新增组织").click().run()
    assert not at.exception, at.exception
    assert any(f"已新增党支部（村） 新建村党支部（编码 {code}）" in s.value for s in at.success)
    assert code in at.dataframe[0].value["编码"].to_list()


def test_rename_and_deactivate_through_the_page(app_as):
    at = open_page(app_as)
    at.segmented_control(key="org_action").set_value("改名").run()
    at.selectbox(key="org_rename_target").set_value("C01T01B02")
    at.text_input(key="org_rename_name").input("改名村党支部")
    at.button(key="FormSubmitter:org_rename-改名").click().run()
    assert any("已改名为 改名村党支部" in s.value for s in at.success)
    at.segmented_control(key="org_action").set_value("停用").run()
    at.selectbox(key="org_stop_target").set_value("C01T01B02")
    at.button(key="FormSubmitter:org_deactivate-停用").click().run()
    assert not at.exception
    assert any("下级组织" in e.value for e in at.error)  # its groups are still there


def test_a_member_is_added_and_edited_and_the_id_never_shown_in_full(app_as, demo_path):
    at = open_page(app_as)
    at.selectbox(key="people_org").set_value("C01T01B01").run()
    at.selectbox(key="people_branch_None").set_value("C01T01B01").run()
    at.text_input(key="subject_name_member").input("周 九")
    at.text_input(key="subject_id_card_member").input(VALID)
    at.text_input(key="subject_phone_member").input("13800138000")
    at.button(key="FormSubmitter:subject_form_None-新增").click().run()
    assert not at.exception, at.exception
    added = [s.value for s in at.success if "已新增党员 周九" in s.value]
    assert added, [e.value for e in at.error]
    member_id = added[0].split("编号 ")[1].rstrip("）")
    at.text_input(key="people_query").input("周九").run()
    listed = at.dataframe[1].value
    assert listed["身份证号"].to_list() == ["1101**********002X"]
    assert VALID not in texts(at)
    at.selectbox(key="people_edit").set_value(member_id).run()
    assert at.text_input(key=f"subject_id_card_{member_id}").placeholder == "已登记 1101**********002X，留空不变"
    at.text_input(key=f"subject_phone_{member_id}").input("13900000000")
    at.button(key=f"FormSubmitter:subject_form_{member_id}-保存修改").click().run()
    assert not at.exception, at.exception
    assert any("已保存 周九" in s.value for s in at.success)
    store = Store(demo_path)
    try:
        assert store.one("SELECT phone, id_card FROM members WHERE id = ?", [member_id]) == ("13900000000", VALID)
    finally:
        store.close()
    assert VALID not in texts(at)


def test_a_bad_id_number_is_refused_naming_the_field(app_as):
    at = open_page(app_as)
    at.selectbox(key="people_branch_None").set_value("C01T01B01").run()
    at.text_input(key="subject_name_member").input("周九")
    at.text_input(key="subject_id_card_member").input("110105194912310021")
    at.button(key="FormSubmitter:subject_form_None-新增").click().run()
    assert any("身份证号「110105194912310021」校验位不对" in e.value for e in at.error)


def test_a_household_and_its_people(app_as):
    at = open_page(app_as)
    at.selectbox(key="people_org").set_value("C01T01B01").run()
    at.selectbox(key="people_new_kind").set_value("household").run()
    at.selectbox(key="people_branch_None").set_value("C01T01B01").run()
    at.text_input(key="subject_name_household").input("李家")
    at.text_input(key="subject_head_household").input("李大山")
    at.text_input(key="subject_address_household").input("一组12号")
    at.button(key="FormSubmitter:subject_form_None-新增").click().run()
    assert not at.exception, at.exception
    # the next household number after the demo villages' households
    added = [s.value for s in at.success if s.value.startswith("已新增农户 李家（编号 H")]
    assert added, [e.value for e in at.error]
    household = added[0].split("编号 ")[1].rstrip("）")
    at.selectbox(key="people_edit").set_value(household).run()
    at.text_input(key="person_name").input("王秀英")
    at.selectbox(key="person_relation").set_value("配偶")
    at.text_input(key="person_id_card").input(VALID)
    at.button(key="FormSubmitter:person_add-添加户成员").click().run()
    assert not at.exception, at.exception
    people = at.dataframe[-1].value
    assert people["姓名"].to_list() == ["王秀英"] and people["身份证号"].to_list() == ["1101**********002X"]
    assert VALID not in texts(at)


def test_township_sees_its_subtree_and_a_secretary_is_refused(app_as):
    at = open_page(app_as, "zhen01")
    codes = at.dataframe[0].value["编码"].to_list()
    assert codes[0] == "C01T01" and "C01" not in codes
    # hidden from a secretary's navigation; the page itself refuses too
    at = AppTest.from_file(str(ROOT / "pages" / "org_people.py"), default_timeout=30)
    at.session_state["user"] = User("shuji01", "王建国", "secretary", "C01T01B01")
    at.run()
    assert [e.value for e in at.error] == ["支部书记无权访问「组织与人员」"]
    assert not at.dataframe


def test_the_first_screen_sets_up_a_fresh_database(tmp_path, monkeypatch, capsys):
    path = tmp_path / "fresh.duckdb"
    assert main(["init", "--db", str(path)]) == 0
    monkeypatch.setenv("JIFEN_DB", str(path))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    assert not at.exception, at.exception
    assert any("首次使用" in h.value for h in at.subheader)
    at.text_input(key="setup_county_code").input("C01")
    at.text_input(key="setup_county_name").input("某某县")
    at.text_input(key="setup_username").input("root")
    at.text_input(key="setup_display_name").input("王管理")
    at.text_input(key="setup_password").input("a-good-password")
    at.text_input(key="setup_password_again").input("another-one")
    at.button(key="FormSubmitter:first_run-建立并登录").click().run()
    assert any("两次输入的密码不一致" in e.value for e in at.error)
    at.text_input(key="setup_password_again").input("a-good-password")
    at.button(key="FormSubmitter:first_run-建立并登录").click().run()
    assert not at.exception, at.exception
    assert any("王管理" in m.value for m in at.sidebar.markdown)
    # once an admin exists, a new visitor sees the login form, not the first screen
    again = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    assert not any("首次使用" in h.value for h in again.subheader)
    assert again.text_input[0].label == "用户名"
