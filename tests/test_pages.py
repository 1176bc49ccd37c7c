"""Every role logs in and opens every page its navigation offers, without an exception."""

import json

import pytest

from core.auth import can
from ui.registry import PAGES

USERS = {"admin": "admin", "township": "zhen01", "secretary": "shuji01", "recorder": "jilu01"}


def test_login_page_rejects_a_wrong_password(app_as):
    from streamlit.testing.v1 import AppTest
    from tests.conftest import ROOT
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    at.text_input[0].input("shuji01")
    at.text_input[1].input("wrong-password")
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["用户名或密码错误"]


@pytest.mark.parametrize("role", list(USERS))
def test_each_role_logs_in_to_its_workbench(app_as, role):
    """Each role's demo user lands on 工作台 with pages to open. Every page a role is offered is
    opened as that role by the walks of tests/test_plain_chinese.py and test_markup_payloads.py,
    which fail on an exception (a traceback's words)."""
    at = app_as(USERS[role])
    assert "工作台" in at.title[0].value and not at.exception
    assert [p for p in PAGES if can(role, p.action)], role


def test_home_page_search_by_initials(app_as):
    at = app_as("zhen01")
    frame = at.dataframe[1].value
    first = frame.iloc[0]
    from core.pinyin import keys
    initials = keys(first["姓名"])[0]
    at.text_input(key="home_member_query").input(initials).run()
    found = at.dataframe[1].value
    assert first["姓名"] in set(found["姓名"])
    assert all(keys(n)[0].startswith(initials) for n in found["姓名"])


def test_secretary_home_shows_only_their_branch(app_as):
    at = app_as("shuji01")
    branches = set(at.dataframe[1].value["所在支部"])
    assert len(branches) == 1


def test_a_page_refuses_a_role_that_may_not_open_it(app_as):
    """The navigation hides 系统管理 from a recorder; the page itself refuses too."""
    from streamlit.testing.v1 import AppTest
    from core.auth import User
    from tests.conftest import ROOT

    app_as("jilu01")  # points JIFEN_DB at the demo copy
    at = AppTest.from_file(str(ROOT / "pages" / "admin.py"), default_timeout=30)
    at.session_state["user"] = User("jilu01", "记分员", "recorder", "C01T01B01")
    at.run()
    assert [e.value for e in at.error] == ["记分员无权访问「系统管理」"]
    assert not at.dataframe  # nothing of the page rendered


def test_markdown_escaping_keeps_user_text_literal():
    from ui.widgets import md
    assert md("**王** [链接](http://x) <b>") == "\\*\\*王\\*\\* \\[链接\\]\\(http\\://x\\) \\<b\\>"
    assert md("梁寨村党支部") == "梁寨村党支部"


def test_member_dates_are_shown_as_days(app_as):
    at = app_as("shuji01")
    config = json.loads(at.dataframe[1].proto.columns)  # the column config sent to the browser
    assert config["出生日期"]["type_config"]["format"] == "YYYY-MM-DD"
    assert config["入党日期"]["type_config"]["format"] == "YYYY-MM-DD"


def test_audit_log_page_changes_and_logins_in_two_tabs(app_as):
    at = app_as("admin")  # the login itself is the first 登录 row
    at.switch_page("pages/audit_log.py").run()
    assert not at.exception
    assert [t.label for t in at.tabs] == ["操作记录", "登录记录"]
    changes, logins = at.dataframe[0].value, at.dataframe[1].value
    assert "登录" not in set(changes["操作"]) and "登录" in set(logins["操作"])
    assert logins["时间"].str.match(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$").all()
    shown = changes.astype(str).to_string() + logins.astype(str).to_string()
    assert "None" not in shown and "nan" not in shown and "publicity.open" not in shown
    pick = at.multiselect(key="audit_actions")
    assert "period.finalise" in pick.options or "确认归档" in pick.options
    pick.set_value(["period.finalise"]).run()
    assert set(at.dataframe[0].value["操作"]) == {"确认归档"}
    assert [b.label for b in at.get("download_button")] == ["导出 Excel（按当前筛选，含登录记录）"]
