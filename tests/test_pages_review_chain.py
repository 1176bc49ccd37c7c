"""AppTest: 上级审核 (the township) and the chain on 公示与异议 (the branch), on a copy of the
S demo, which leaves (core/demo/review_chain.py) two cycle results waiting at the township
(the oldest 9 days), one returned with a reason, one approved but not archived, and an
overdue objection already reminded of."""

import datetime as dt

import pytest

from core.auth import User
from core.cycles import cycle_of
from core.demo.plan import SETTLED_DAYS
from core.store import open_store
from tests.apptest_page import run_page
from tests.conftest import DEMO_TODAY, ROOT

TOWNSHIP = User("zhen01", "孙丽", "township", "C01T01")
ADMIN = User("admin", "县管理员", "admin", "C01")


@pytest.fixture
def page(demo_path, monkeypatch):
    monkeypatch.setenv("JIFEN_DB", str(demo_path))
    monkeypatch.chdir(ROOT)
    return lambda path, user, **query: run_page(path, user, timeout=60, query=query)


def _form_button(at, label):
    return next(b for b in at.button if b.label == label)


def test_township_approves_three_results_and_returns_one_with_a_reason(page, demo_path):
    # issue 12's "done when": the demo's queue holds four results (core/demo/review_chain.py)
    store = open_store(str(demo_path))
    approvals = "SELECT count(*) FROM audit_log WHERE action = 'review.approve' AND username = 'zhen01'"
    before = store.scalar(approvals)  # the demo's approved chains
    at = page("pages/township_review.py", TOWNSHIP)
    picks = at.selectbox(key="tr_pick").options
    assert len(picks) == 4 and "已等待 9 天" in picks[0]  # oldest first
    _form_button(at, "退回支部").click().run()
    assert [e.value for e in at.error] == ["请填写退回原因"]
    for left in (3, 2, 1):  # the oldest each time
        _form_button(at, "审核通过").click().run()
        assert "已审核通过，支部可以确认归档" in at.success[0].value
        assert len(at.selectbox(key="tr_pick").options) == left
    assert store.scalar(approvals) == before + 3
    last = at.selectbox(key="tr_pick").options[0].split(" · ")[0]
    next(t for t in at.text_area if t.label == "退回原因（退回时必填）").input("评议票数与参会人数不符，请核实后重新公示")
    _form_button(at, "退回支部").click().run()
    assert at.success[0].value.endswith("已退回支部") and last in at.success[0].value
    assert not [box for box in at.selectbox if box.key == "tr_pick"]  # the queue is empty


def test_township_reminds_and_takes_over_an_overdue_objection(page):
    at = page("pages/township_review.py", TOWNSHIP)
    assert "已催办" in [c.value for c in at.caption]  # the demo's reminder of the overdue objection
    next(b for b in at.button if b.label == "催办").click().run()  # the first unpublished quarter
    assert at.success[0].value.startswith("已向")
    opinion = next(t for t in at.text_area if t.label == "处理意见")
    opinion.input("经镇党委核实，原记录无误")
    next(t for t in at.text_area if t.label == "复核意见").input("维持原结果")
    _form_button(at, "代为办结").click().run()
    assert at.success[0].value.startswith("已代为办结")


def test_branch_sees_the_chain_resubmits_a_returned_result_and_records_a_meeting(page):
    # the demo's returned result is C01T01B11's last settled cycle (七一: 2025 on 2026-12-01)
    cycle = cycle_of("07-01", DEMO_TODAY - dt.timedelta(days=SETTLED_DAYS)) - 1
    at = page("pages/publicity.py", ADMIN, branch="C01T01B11", cycle=str(cycle), period="cycle")
    steps = at.dataframe[0].value
    assert list(steps["步骤"]) == ["支部初评", "支委会", "公示", "上级党委审核", "备案"]
    assert list(steps["状态"])[3] == "已退回" and "退回原因" in list(steps["说明"])[3]
    assert _form_button(at, "确认归档").disabled
    assert any("已被退回" in i.value for i in at.info)
    _form_button(at, "报送乡镇审核").click().run()
    assert "已报送乡镇党委审核" in at.success[0].value
    assert list(at.dataframe[0].value["状态"])[3] == "进行中"
    # a further meeting may be recorded beside the first
    next(t for t in at.text_area if t.label == "参会人员").input("王建国、李明")
    next(t for t in at.text_area if t.label == "会议决定").input("同意初评结果")
    _form_button(at, "保存会议记录").click().run()
    assert at.success[0].value.startswith("已记录支委会会议")
