"""AppTest main paths of 积分录入, 活动签到, 民主评议 and 审核 on a copy of the demo database.

AppTest cannot type into a data_editor, so the tests seed ``session_state[editor key]``
with the edit dict the browser would send; the editor keys are derived from the form's
request key, which the tests fix before the first run.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from core import orgs
from core.auth import User
from core.scheme_assignments import scheme_for
from core.cycles import cycle_of, period_label
from core.services import appraisal, attendance, review
from core.services.village import branch_tracks
from core.store import open_store
from tests.apptest_page import run_page
from tests.conftest import ROOT
from ui.entry_widgets import rows_key

SECRETARY = User("shuji01", "支部书记", "secretary", "C01T01B01")
BRANCH = "C01T01B01"


@pytest.fixture
def app_page(demo_path, monkeypatch):
    """``app_page(path, **session_state)``: one page run directly as the demo secretary (the
    guard still checks the role); the navigation itself is covered by test_pages.py."""
    monkeypatch.setenv("JIFEN_DB", str(demo_path))
    monkeypatch.chdir(ROOT)

    def run(path, user=SECRETARY, **state):
        return run_page(path, user, timeout=60, **state)

    return run


def store_of(demo_path):
    return open_store(str(demo_path))  # the Store the app itself uses in this process


def test_quick_entry_records_one_event_and_is_ready_for_the_next(app_page, demo_path):
    store = store_of(demo_path)
    scheme, _ = scheme_for(store, BRANCH, dt.date.today())
    member = attendance.roster(store, BRANCH)[0]
    code = next(c for c, i in scheme.items.items() if not i.is_range and not i.automatic and member.kind in i.kinds)
    at = app_page("pages/quick_entry.py", qe_request_key="qe-test-1")
    before = store.scalar("SELECT count(*) FROM events")
    initials = store.scalar("SELECT initials FROM members WHERE id = ?", [member.id])
    at.text_input(key="qe_member_query").input(initials).run()
    assert f"{member.name}（{member.id}）" in at.selectbox(key="qe_member").options
    at.selectbox(key="qe_member").set_value(member.id).run()
    at.selectbox(key="qe_item").set_value(code).run()
    assert at.number_input == [] or all("分值" not in n.label for n in at.number_input)  # fixed item: no points box
    submit = next(b for b in at.button if b.label == "提交")
    submit.click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success][0].startswith(f"已录入：{member.name}")
    row = store.one("SELECT member_id, item, request_key, entered_by FROM events WHERE request_key = 'qe-test-1'")
    assert row == (member.id, code, "qe-test-1", "shuji01")
    assert store.scalar("SELECT count(*) FROM events") == before + 1
    assert at.session_state["qe_request_key"] != "qe-test-1"  # a fresh form for the next entry
    assert any(t.value == member.name for t in at.text)  # listed under 最近录入
    assert re.fullmatch(r"\d+\.\d", at.metric[0].value)  # one decimal place, as the results page shows
    # 撤销 from the list appends a reversal.
    undo = next(b for b in at.button if b.label == "撤销")
    undo.click().run()
    assert store.scalar("SELECT count(*) FROM events WHERE reverses = (SELECT id FROM events WHERE request_key = 'qe-test-1')") == 1


def test_range_item_shows_a_points_box(app_page, demo_path):
    store = store_of(demo_path)
    scheme, _ = scheme_for(store, BRANCH, dt.date.today())
    ranged = [c for c, i in scheme.items.items() if i.is_range and "member" in i.kinds]
    at = app_page("pages/quick_entry.py")
    if not ranged:
        assert all("分值" not in n.label for n in at.number_input)
        return
    at.selectbox(key="qe_item").set_value(ranged[0]).run()
    assert any(n.label.startswith("分值") for n in at.number_input)


def test_attendance_saves_the_grid_with_one_absence_and_one_leave(app_page, demo_path):
    store = store_of(demo_path)
    roster = attendance.roster(store, BRANCH)
    at = app_page("pages/attendance.py", att_request_key="att-test-1")
    at.session_state[f"att_editor_att-test-1_{rows_key(m.id for m in roster)}"] = {
        "edited_rows": {0: {"出席": False}, 1: {"请假": True}}, "added_rows": [], "deleted_rows": []}
    at.selectbox(key="att_type").set_value("支部党员大会").run()
    assert any("缺席 1 人" in m.value for m in at.markdown)
    save = next(b for b in at.button if b.label.startswith("保存签到"))
    assert save.label == f"保存签到（{orgs.labels(store, [BRANCH])[BRANCH]}，{len(roster)} 人）"
    save.click().run()
    assert not at.exception, at.exception
    activity = store.one("SELECT id, type, title FROM activities WHERE request_key = 'att-test-1'")
    assert activity[1] == "支部党员大会"
    statuses = dict(store.all("SELECT member_id, status FROM attendance WHERE activity_id = ?", [activity[0]]))
    assert statuses[roster[0].id] == "absent" and statuses[roster[1].id] == "leave"
    assert sum(1 for s in statuses.values() if s == "present") == len(roster) - 2
    scheme, _ = scheme_for(store, BRANCH, dt.date.today())
    expected = attendance.following_items(scheme, "支部党员大会", roster, statuses)
    assert store.all("SELECT member_id, item FROM events WHERE activity_id = ?", [activity[0]]) == [
        (m.id, code) for m, code in expected]
    rate = (Decimal(len(roster) - 2) * 100 / len(roster)).quantize(Decimal("0.1"))
    assert at.dataframe[-1].value.iloc[0]["参与率"] == f"{rate}%"  # 出席 / 应到, the one on leave included


def test_review_approves_the_ticked_rows(app_page, demo_path):
    store = store_of(demo_path)
    saved = attendance.create_activity(store, SECRETARY, BRANCH, "主题党日", dt.date.today(), "页面测试主题党日",
                                       {m.id: "absent" for m in attendance.roster(store, BRANCH)[:2]})
    at = app_page("pages/review.py", rv_request_key="rv-test-1")
    at.date_input(key="rv_start").set_value(dt.date.today()).run()
    ids = list(saved.event_ids)
    # the page opens on the branch's first track (党员); the demo's B01 also has households, whose
    # entries the page lists only under 积分对象 农户
    track = branch_tracks(store, BRANCH, dt.date.today())[0]
    queue = [r["id"] for r in review.review_queue(store, SECRETARY, branch_code=BRANCH, start=dt.date.today(),
                                                  track=track)]
    rows = {queue.index(i): {"选择": True} for i in ids}
    editor = f"rv_editor_rv-test-1_{rows_key(queue)}_False"  # the grid's key names the rows it shows
    at.session_state[editor] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}
    at.run()
    approve = next(b for b in at.button if b.label.startswith("批量通过"))
    label = orgs.labels(store, [BRANCH])[BRANCH]
    assert approve.label == f"批量通过 {label}的 {len(ids)} 条记录"  # the branch and the count on the button
    approve.click().run()
    assert not at.exception, at.exception
    assert store.all("SELECT DISTINCT r.decision FROM events e LEFT JOIN event_reviews r ON r.event_id = e.id"
                     " WHERE e.activity_id = ?", [saved.id]) == [("approved",)]


def test_appraisal_grid_lists_errors_by_member_then_saves_the_changed_rows(app_page, demo_path):
    store = store_of(demo_path)
    scheme, _ = scheme_for(store, BRANCH, dt.date.today())
    assert scheme.id == "party-q100-3to1"  # the demo township's scheme: appraisal is a grade, H1/H2
    cycle = cycle_of(scheme.cycle_start, dt.date.today())
    roster = attendance.roster(store, BRANCH)
    editor = f"ap_editor_ap-test-1_appraisal_{cycle}_H1_{rows_key(m.id for m in roster)}"
    at = app_page("pages/appraisal.py", ap_request_key="ap-test-1")
    before = store.scalar("SELECT count(*) FROM scores")
    # grades other than the two members' own so far: once H1 has ended (January to June) the
    # demo has entered its grades, and a row saved unchanged is not a new row
    held = dict(appraisal.current_scores(store, BRANCH, cycle, "appraisal", "H1").select("member_id", "grade").rows())
    first = next(g for g in ("优秀", "合格") if g != held.get(roster[0].id))
    second = next(g for g in ("合格", "基本合格") if g != held.get(roster[1].id))
    at.session_state[editor] = {"edited_rows": {0: {"等次": first}, 1: {"等次": "良好"}}, "added_rows": [],
                                "deleted_rows": []}
    at.run()
    next(b for b in at.button if b.label.startswith("保存整表")).click().run()
    assert [e.value for e in at.error] == ["有 1 处错误，整表未保存："]
    assert [t.value for t in at.text if t.value.startswith("·")] == [
        f"· {roster[1].name}：等次应为 优秀/合格/基本合格/不合格 之一，填写的是「良好」"]
    assert store.scalar("SELECT count(*) FROM scores") == before
    at.session_state[editor] = {"edited_rows": {0: {"等次": first}, 1: {"等次": second}}, "added_rows": [],
                                "deleted_rows": []}
    at.run()
    next(b for b in at.button if b.label.startswith("保存整表")).click().run()
    assert not at.exception, at.exception
    assert store.scalar("SELECT count(*) FROM scores") == before + 2
    saved = appraisal.current_scores(store, BRANCH, cycle, "appraisal", "H1")
    grades = dict(saved.select("member_id", "grade").rows())
    assert (grades[roster[0].id], grades[roster[1].id]) == (first, second)
    # party-q100-3to1's cycle runs from 07-01: its H1 is July to December ('前半年')
    assert at.success[0].value == f"已保存 2 行「评议分」（{period_label(scheme, cycle, 'H1')}）"
    assert period_label(scheme, cycle, "H1").endswith("前半年（7—12月）")


@pytest.mark.parametrize("user", [User("admin", "县委组织部管理员", "admin", "C01"),
                                  User("jilu01", "记分员", "recorder", "C01T01B01")])
@pytest.mark.parametrize("path", ["pages/quick_entry.py", "pages/attendance.py", "pages/appraisal.py", "pages/review.py"])
def test_each_entry_page_opens_or_refuses_cleanly(app_page, user, path):
    at = app_page(path, user=user)
    refused = [e.value for e in at.error if "无权访问" in e.value]
    may = {"admin": True, "recorder": path in ("pages/quick_entry.py", "pages/attendance.py")}[user.role]
    assert bool(refused) != may
    if user.role == "admin" and may:
        assert at.selectbox[0].label == "党支部（村）"  # the county admin picks a branch first
