"""AppTest: a subject lands on 我的积分 and has only its own pages; 自我申报 refuses a form
without a photo; a rejection's reason shows on 我的积分; 审核 marks a declaration and shows its
photo; 本人账号 opens a login and shows its password once."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from core import self_service
from core.auth import add_user, can
from core.services import review
from core.store import Store
from tests.conftest import ROOT
from tests.entry_world import SECRETARY
from tests.test_plain_chinese import offences, rendered_text
from tests.subject_world import PASSWORD, ZHANGSAN, build, image
from ui.registry import PAGES


@pytest.fixture(scope="module")
def base_world(tmp_path_factory):
    path = tmp_path_factory.mktemp("subject") / "subject.duckdb"
    store = Store(path)
    build(store)
    add_user(store, "admin", "admin-pass-2025", "admin", "C01")  # without an admin the app asks for setup
    add_user(store, "shuji01", "shuji-pass-2025", "secretary", "C01T01B01", "一村书记")
    store.close()
    return path


@pytest.fixture
def world_path(base_world, tmp_path, monkeypatch):
    path = tmp_path / "subject.duckdb"
    shutil.copyfile(base_world, path)
    monkeypatch.setenv("JIFEN_DB", str(path))
    monkeypatch.chdir(ROOT)
    return path


def write(path, work):
    store = Store(path)
    try:
        return work(store)
    finally:
        store.close()


# One staff page of each kind of data a subject must never see (every page shares the guard).
STAFF_SAMPLE = ("home", "quick_entry", "review", "results", "member_file", "admin", "subject_accounts")


def page(path, user):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / path), default_timeout=30)
    at.session_state["user"] = user
    return at


def test_a_subject_lands_on_my_points_and_reaches_no_staff_page(world_path):
    from streamlit.testing.v1 import AppTest

    assert [p.key for p in PAGES if can("subject", p.action)] == ["my_points", "declare", "account"]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    at.text_input[0].input("zhangsan")
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "我的积分"
    assert at.metric[0].label.endswith("得分") and "本支部（村）排名" in [m.label for m in at.metric]
    assert any("张三" in c.value for c in at.caption)
    for spec in PAGES:
        if can("subject", spec.action):  # its own pages, through its navigation
            at.switch_page(spec.path).run()
            assert not at.exception, (spec.key, at.exception)
            assert at.title[0].value == spec.title
        elif spec.key in STAFF_SAMPLE:  # a staff page (not in its navigation), opened by URL: its guard refuses
            direct = page(spec.path, ZHANGSAN).run()
            assert not direct.exception, (spec.key, direct.exception)
            assert [e.value for e in direct.error] == [f"积分对象（党员、户主）无权访问「{spec.title}」"], spec.key
            assert not direct.dataframe and not direct.title


def test_my_points_shows_a_rejection_and_its_reason(world_path):
    def declare_and_reject(store):
        event_id = self_service.declare(store, ZHANGSAN, "award_city", dt.date.today(), note="扑灭草垛火情",
                                        photo=image())
        review.reject(store, SECRETARY, [event_id], "照片看不清")
    write(world_path, declare_and_reject)
    at = page("pages/my_points.py", ZHANGSAN).run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == ["驳回理由：照片看不清"]
    assert any("已驳回" in c.value for c in at.caption)
    assert any(b.label == "下载我的积分卡（PDF）" for b in at.get("download_button"))
    assert offences(rendered_text(at)) == []  # no None, English or raw item code on a member's phone


def test_the_declare_page_offers_bonus_items_and_wants_a_photo(world_path):
    at = page("pages/declare.py", ZHANGSAN).run()
    assert not at.exception, at.exception
    assert offences(rendered_text(at)) == []
    picker = at.selectbox[0]
    assert len(picker.options) == 9 and not any("缺席" in o for o in picker.options)  # no deduction
    picker.select("award_city").run()
    at.text_area[0].input("扑灭草垛火情").run()
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["请上传一张照片（jpg 或 png）"]
    assert write(world_path, lambda s: s.scalar("SELECT count(*) FROM events")) == 0


def test_review_marks_a_declaration_and_shows_its_photo(world_path):
    event_id = write(world_path, lambda s: self_service.declare(s, ZHANGSAN, "award_city", dt.date.today(),
                                                                note="扑灭草垛火情", photo=image()))
    at = page("pages/review.py", SECRETARY)
    at.session_state["rv_request_key"] = "t1"  # names the queue's widgets
    at.run()
    assert not at.exception, at.exception
    assert list(at.dataframe[0].value["录入人"]) == ["张三（自我申报）"]
    at.selectbox(key="rv_photo_t1").set_value(event_id).run()
    assert not at.exception, at.exception
    assert len(at.get("image")) == 1, "the declaration's photo is shown"
    assert any("扑灭草垛火情" in c.value for c in at.caption)


def test_the_accounts_page_opens_a_login_and_shows_the_password_once(world_path):
    at = page("pages/subject_accounts.py", SECRETARY).run()
    assert not at.exception, at.exception
    at.selectbox(key="sa_subject").select("M03").run()
    at.button[0].click().run()
    assert not at.exception, at.exception
    (shown,) = [s.value for s in at.success]
    assert shown.startswith("已为王五开通本人账号。用户名：M03　初始密码：")
    assert write(world_path, lambda s: s.scalar("SELECT subject_id FROM users WHERE username = 'M03'")) == "M03"
    at.run()
    assert not at.success  # shown once


def test_the_accounts_page_resets_a_password_and_shows_it_once(world_path):
    at = page("pages/subject_accounts.py", SECRETARY).run()
    at.selectbox(key="sa_target").set_value("zhangsan").run()
    at.button(key="sa_reset").click().run()
    assert not at.exception, at.exception
    (shown,) = [s.value for s in at.success]
    assert shown.startswith("已重置 张三（zhangsan · 张三） 的密码，新密码：") and shown.endswith("（只显示这一次）")


def test_org_people_opens_a_login_on_the_subjects_record(world_path):
    from core.auth import User

    admin = User("admin", "管理员", "admin", "C01")
    at = page("pages/org_people.py", admin).run()
    at.selectbox(key="people_org").set_value("C01T01B01").run()
    at.selectbox(key="people_edit").set_value("M01").run()
    assert any(c.value.startswith("本人账号：zhangsan") for c in at.caption)  # 张三 has one
    at.selectbox(key="people_edit").set_value("M03").run()
    at.button(key="open_login_M03").click().run()
    assert not at.exception, at.exception
    assert any(s.value.startswith("已为王五开通本人账号。用户名：M03　初始密码：") for s in at.success)
    assert any(c.value.startswith("本人账号：M03") for c in at.caption)
