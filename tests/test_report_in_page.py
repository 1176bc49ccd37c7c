"""社区报到 and the 覆盖情况 report-in table, run by AppTest on a small street (DuckDB):
a community registers a member, sets up a post, records an activity and grades; the
department sees its rate; the street sees both tables."""

from __future__ import annotations

import datetime as dt

import pytest

from core.auth.users import hash_password
from core.reportin.registrations import register
from core.store import Store
from tests import report_in_world as w
from tests.apptest_page import run_page
from tests.conftest import ROOT

TODAY = dt.date.today()
USERS = (w.ADMIN, w.STREET, w.COMMUNITY, w.COMMUNITY_RECORDER, w.DEPARTMENT, w.OUTSIDER)


@pytest.fixture
def world_db(tmp_path):
    path = tmp_path / "ri.duckdb"
    store = Store(path)
    w.build(store)
    digest = hash_password("not-used-here-1")
    store.write(lambda cur: [cur.execute(
        "INSERT INTO users(username, display_name, password_hash, role, org_code) VALUES (?, ?, ?, ?, ?)",
        [u.username, u.display_name, digest, u.role, u.org_code]).fetchall() for u in USERS])
    first, _ = w.posts(store)
    # 23 of the department's 25 on time this year (92%), D24 late; D25 not at all
    for mid in w.DEPT_MEMBERS[:23]:
        register(store, w.DEPARTMENT, mid, w.A, dt.date(TODAY.year, 1, 2), first, "每月参加一次政策宣传", today=TODAY)
    if TODAY > dt.date(TODAY.year, 5, 11):
        register(store, w.DEPARTMENT, "D24", w.A, dt.date(TODAY.year, 5, 11), first, "帮扶一户", today=TODAY)
    store.close()
    return path


@pytest.fixture
def run(world_db, monkeypatch):
    monkeypatch.setenv("JIFEN_DB", str(world_db))
    monkeypatch.chdir(ROOT)
    return run_page


def _table(at, column):
    """The first table on the page with that column (the tabs all render in AppTest)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _store(world_db):
    from core.store import open_store
    return open_store(str(world_db))  # the Store the app uses in this process


def test_community_registers_sets_up_a_post_records_and_grades(run, world_db):
    at = run("pages/report_in.py", w.COMMUNITY)
    assert at.title[0].value == "在职党员到社区报到"
    # 报到情况: the member list shows every registration of the year
    people = _table(at, "是否按时")
    assert len(people) == (24 if TODAY > dt.date(TODAY.year, 5, 11) else 23)
    assert set(people["是否按时"]) <= {"按时报到", "逾期报到"} and "None" not in people.to_string()
    # 报到登记: the community registers D25 (from the department) with a new post
    at.text_input(key="ri_post_name").input("环境卫生")
    at.button(key="ri_post_add").click().run()
    assert not at.exception and "已设立岗位「环境卫生」" in at.success[0].value
    store = _store(world_db)
    post = store.scalar("SELECT id FROM community_posts WHERE name = '环境卫生'")
    at.text_input(key="ri_reg_query").input("孔").run()
    at.selectbox(key="ri_reg_member").select("D25").run()
    at.selectbox(key="ri_reg_post").select(post).run()
    at.text_area(key="ri_reg_pledge").input("每月清扫楼道")
    at.button(key="ri_reg_go").click().run()
    assert not at.exception and "已登记孔五" in at.success[0].value
    assert store.scalar("SELECT count(*) FROM report_ins WHERE member_id = 'D25' AND withdrawn_at IS NULL") == 1
    # the same member again is refused with the reason, nothing written
    at.selectbox(key="ri_reg_member").select("D25").run()
    at.selectbox(key="ri_reg_post").select(post).run()
    at.text_area(key="ri_reg_pledge").input("再报一次")
    at.button(key="ri_reg_go").click().run()
    assert "每人每年只有一条报到记录" in at.error[0].value
    # 社区活动: two of the reported members came
    at.text_input(key="ri_act_title").input("政策宣传进小区")
    at.multiselect(key="ri_act_present").select("D01").select("D02").run()
    at.button(key="ri_act_go").click().run()
    assert not at.exception and "到场 2 人" in at.success[0].value
    # emptied for the next activity, and the browser told so (it went on showing the two ticked)
    assert at.multiselect(key="ri_act_present").value == [] and at.multiselect(key="ri_act_present").proto.set_value
    assert store.one("SELECT count(*) FILTER (WHERE status = 'present'), count(*) FROM attendance") == (2, 25)
    # 民主测评: grade D01 for the first half
    at.radio(key="ri_eval_half").set_value(1).run()
    at.selectbox(key="ri_eval_grade_D01").select("较好").run()
    at.button(key="ri_eval_go").click().run()
    assert not at.exception and "已保存 1 人" in at.success[0].value
    assert store.scalar("SELECT grade FROM community_evaluations WHERE member_id = 'D01'") == "较好"
    # 反馈函: offered for the department (the PDF itself is checked in test_report_in_core)
    at.radio(key="ri_letter_mode").set_value("department").run()
    assert not at.exception and not at.error


def test_department_sees_its_rate_and_the_outsider_nothing(run):
    at = run("pages/report_in.py", w.DEPARTMENT)
    rates = _table(at, "派出单位")
    assert list(rates["派出单位"]) == ["县农业农村局机关党支部"] and list(rates["正常党员"]) == [25]
    reported = 24 if TODAY > dt.date(TODAY.year, 5, 11) else 23
    assert list(rates["报到率（%）"]) == [round(reported * 100 / 25, 1)]  # 24/25 = 96.0, 23/25 = 92.0
    assert list(rates["是否达标"]) == ["达标"]
    at = run("pages/report_in.py", w.OUTSIDER)
    assert "还没有报到记录" in " ".join(c.value for c in at.caption)


def test_coverage_page_shows_the_rate_table(run):
    at = run("pages/coverage.py", w.STREET)
    rate = _table(at, "派出单位")
    assert list(rate["是否达标"]) == ["达标"]
    at.radio(key="cov_report_by").set_value("community").run()
    assert not at.exception
    per = _table(at, "社区")
    assert list(per["社区"]) == ["阳光社区党支部", "东苑社区党支部"]
