"""积分结果, 公示与异议 and 操作日志 pages: each main path, as the demo users."""

import datetime as dt

import pytest

from core.services.publicity import current_publicity, open_window
from core.store import Store

TODAY = dt.date.today()  # the pages work on the real date


@pytest.fixture
def in_window(demo_path):
    """The demo (made as of today, 公示 workflow included): shuji01's branch is in its window."""
    store = Store(demo_path)
    pub = current_publicity(store, "C01T01B01", *open_window(store, "C01T01B01"))
    store.close()
    return pub


def _select_period(at, prefix, cycle, period):
    at.selectbox(key=f"{prefix}_cycle").set_value(cycle).run()
    at.selectbox(key=f"{prefix}_period").set_value(period).run()


def test_results_page_shows_table_and_explanation(app_as):
    at = app_as("shuji01")
    at.switch_page("pages/results.py").run()
    assert not at.exception, at.exception
    assert "party-q100-3to1" not in at.caption[0].value or "版本" in at.caption[0].value
    # it opens on the running quarter (a period result: 本期 scores, the score to date, no grade)
    columns = list(at.dataframe[0].value.columns)
    assert "日常分（本期）" in columns and "截至本期得分" in columns and "等次" not in columns
    # the whole cycle, while it still runs, is a provisional result and says so
    at.selectbox(key="res_period").set_value("cycle").run()
    assert any("全年等次届时评定" in w.value for w in at.warning)
    table = at.dataframe[0].value
    # party-q100-3to1 gives totals and grades but no stars, so there is no 星级 column; its
    # components (日常分 …) sit between the name and the total
    columns = list(table.columns)
    assert columns[:3] == ["排名", "编号", "姓名"] and columns[-3:] == ["总分", "等次", "标记"] and "星级" not in columns
    first = table.iloc[0]["编号"]
    at.selectbox(key="res_subject").set_value(first).run()
    lines = at.dataframe[1].value["说明"].tolist()
    assert lines and any("日常分" in line or "评议" in line for line in lines)


def test_township_picks_a_branch_on_the_results_page(app_as):
    at = app_as("zhen01")
    at.switch_page("pages/results.py").run()
    at.selectbox(key="res_branch").set_value("C01T01B05").run()
    assert not at.exception, at.exception
    assert len(at.dataframe[0].value) > 10


def test_secretary_opens_a_publicity(app_as, demo_path):
    at = app_as("shuji01")
    at.switch_page("pages/publicity.py").run()
    _select_period(at, "pub", at.selectbox(key="pub_cycle").value - 1, "cycle")
    # last cycle (ended, every entry reviewed): the form opens a 7-day window from today
    assert any("尚未公示" in i.value for i in at.info)
    submit = next(b for b in at.button if b.label == "发起公示")
    submit.click().run()
    assert not at.exception, at.exception
    assert any("已发起" in s.value for s in at.success)
    assert any(b.label == "下载公示PDF" for b in at.get("download_button"))


def test_secretary_resolves_an_objection_in_the_window(app_as, in_window):
    at = app_as("shuji01")
    at.switch_page("pages/publicity.py").run()
    assert not at.exception, at.exception
    # the page opens on the period in its window: no picking needed
    assert (at.selectbox(key="pub_cycle").value, at.selectbox(key="pub_period").value) == (
        in_window.cycle, in_window.period)
    assert at.metric[0].value == "公示中"
    assert "处理中" in at.dataframe[2].value["状态"].tolist()  # after the 审核步骤 and the published results
    oid = at.selectbox(key="pub_resolve_pick").value
    at.text_area(key=f"pub_resolution_{oid}").input("经核实，情况属实，已当面说明")
    at.text_area(key=f"pub_recheck_{oid}").input("支委会复核，同意")
    next(b for b in at.button if b.label == "办结异议").click().run()
    assert not at.exception, at.exception
    assert any("已办结" in s.value for s in at.success)
    # the finalise button stays disabled until the window closes, and says why
    assert next(b for b in at.button if b.label == "确认归档").disabled
    assert any("公示期到" in i.value for i in at.info)


def test_township_reopens_a_finalised_cycle_with_a_reason(app_as, in_window, demo_path):
    store = Store(demo_path)
    branch, cycle = store.one("SELECT branch_code, cycle FROM period_locks WHERE period = 'cycle' ORDER BY id LIMIT 1")
    store.close()
    at = app_as("zhen01")
    at.switch_page("pages/publicity.py").run()
    at.selectbox(key="pub_branch").set_value(branch).run()
    _select_period(at, "pub", cycle, "cycle")
    assert any("已确认归档" in s.value or "确认归档" in s.value for s in at.success)
    at.text_input(key="pub_reopen_reason").input("上级检查发现漏记")
    next(b for b in at.button if b.label == "重新开放").click().run()
    assert not at.exception, at.exception
    assert any("已重新开放" in s.value for s in at.success)


def test_secretary_cannot_reopen(app_as, in_window):
    at = app_as("shuji01")
    at.switch_page("pages/publicity.py").run()
    assert not any(b.label == "重新开放" for b in at.button)


def test_audit_log_filters_by_user(app_as, in_window):
    at = app_as("zhen01")
    at.switch_page("pages/audit_log.py").run()
    assert not at.exception, at.exception
    at.selectbox(key="audit_user").set_value("shuji01").run()
    frame = at.dataframe[0].value
    # the changes tab names who by display name and user name: 王建国（shuji01）
    assert len(frame) and {who.endswith("（shuji01）") for who in frame["操作人"]} == {True}


def _file_second_objection(demo_path, pub):
    """A second open objection in the window, about another member than the demo's one."""
    from core.auth.users import get_user
    from core.services.objections import file_objection, window_objections

    store = Store(demo_path)
    taken = {o.member_id for o in window_objections(store, pub.branch_code, pub.cycle, pub.period)}
    member = next(r["subject"] for r in pub.snapshot["results"] if r["subject"] not in taken)
    oid = file_objection(store, get_user(store, "shuji01"), pub.id, member, "本人", "分数有误", today=TODAY)
    store.close()
    return oid, member


def test_objection_correction_offers_the_results_records_with_no_default(app_as, in_window, demo_path):
    from core.services.objections import correctable_events, get_objection

    at = app_as("shuji01")
    at.switch_page("pages/publicity.py").run()
    oid = at.selectbox(key="pub_resolve_pick").value
    at.radio(key=f"pub_fix_{oid}").set_value("撤销一条积分记录").run()
    assert not at.exception, at.exception
    pick = at.selectbox(key=f"pub_fix_event_{oid}")
    assert pick.value is None and pick.proto.placeholder == "请选择要撤销的记录"
    store = Store(demo_path)
    offered = correctable_events(store, get_objection(store, oid))
    codes = {r[0] for r in store.all("SELECT DISTINCT item FROM events")}
    store.close()
    assert list(pick.options) == [e["label"] for e in offered]
    # Chinese item names with date and points, never a raw item code
    assert all(not any(code in label for code in codes) for label in pick.options)
    # submitting without a choice is refused in Chinese, nothing resolved
    at.text_area(key=f"pub_resolution_{oid}").input("经核实")
    at.text_area(key=f"pub_recheck_{oid}").input("同意")
    next(b for b in at.button if b.label == "办结异议").click().run()
    assert any("请选择要撤销的记录" in e.value for e in at.error)


def test_the_next_objections_form_is_fresh(app_as, in_window, demo_path):
    from core.services.objections import window_objections

    second, _ = _file_second_objection(demo_path, in_window)
    at = app_as("shuji01")
    at.switch_page("pages/publicity.py").run()
    first = at.selectbox(key="pub_resolve_pick").value
    assert first == second  # newest first: the page starts on the objection just filed
    at.radio(key=f"pub_fix_{first}").set_value("撤销一条积分记录").run()
    at.text_area(key=f"pub_resolution_{first}").input("第一条的处理意见")
    at.checkbox(key=f"pub_keep_{first}").check()
    assert len(at.selectbox(key="pub_resolve_pick").options) == 2
    store = Store(demo_path)
    now = next(o.id for o in window_objections(store, in_window.branch_code, in_window.cycle, in_window.period)
               if o.state == "open" and o.id != first)
    store.close()
    at.selectbox(key="pub_resolve_pick").set_value(now).run()
    assert not at.exception, at.exception
    assert at.radio(key=f"pub_fix_{now}").value == "不更正"
    assert at.text_area(key=f"pub_resolution_{now}").value == ""
    assert not at.checkbox(key=f"pub_keep_{now}").value and not at.checkbox(key=f"pub_again_{now}_不更正").value
    # choosing a correction ticks 重新公示
    at.radio(key=f"pub_fix_{now}").set_value("撤销一条积分记录").run()
    assert at.checkbox(key=f"pub_again_{now}_撤销一条积分记录").value


def test_the_notice_pdf_is_built_once_per_snapshot(app_as, in_window, monkeypatch):
    import streamlit as st

    import ui.notice_files

    built = []
    real = ui.notice_files.notice_pdf
    monkeypatch.setattr(ui.notice_files, "notice_pdf", lambda sheet: built.append(sheet["title"]) or real(sheet))
    st.cache_data.clear()
    at = app_as("shuji01")
    at.switch_page("pages/publicity.py").run()
    assert any(b.label == "下载公示PDF" for b in at.get("download_button"))
    at.run()
    at.switch_page("pages/home.py").run()
    at.switch_page("pages/publicity.py").run()
    assert not at.exception, at.exception
    assert len(built) == 1  # three visits of the same snapshot, one PDF
