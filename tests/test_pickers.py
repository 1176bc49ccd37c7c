"""Pickers key on codes and show unique labels, so a choice holds across reruns even when
two branches share a name; switching branch starts its member, item and period afresh."""

from __future__ import annotations

import datetime as dt

import pytest

from core import orgs
from core.auth import User
from core.cycles import cycle_label, cycle_of, period_name
from core.labels import unique
from core.scheme_assignments import scheme_for
from core.store import Store
from tests.conftest import page_runner

ADMIN = User("admin", "县委组织部管理员", "admin", "C01")
FIRST, TWIN = "C01T01B01", "C01T01B02"  # in the demo: party-q100-3to1 (07-01) and party-village-3type (01-01)
TODAY = dt.date.today()


@pytest.fixture
def twins(demo_path):
    """The S demo with C01T01B02 renamed to C01T01B01's name, in the same township."""
    store = Store(demo_path)
    name = store.scalar("SELECT name FROM orgs WHERE code = ?", [FIRST])
    store.write(lambda cur: cur.execute("UPDATE orgs SET name = ? WHERE code = ?", [name, TWIN]).fetchall())
    store.close()
    return demo_path, name


@pytest.fixture
def page(twins, monkeypatch):
    return page_runner(twins[0], monkeypatch, ADMIN)


def test_org_labels_add_the_township_then_the_code(store):
    def work(cur):
        for code, name, level, parent, township in [
                ("C01", "县", "county", None, None), ("C01T01", "柳林镇", "township", "C01", "C01T01"),
                ("C01T02", "梅林镇", "township", "C01", "C01T02"),
                ("C01T01B01", "小河村党支部", "branch", "C01T01", "C01T01"),
                ("C01T02B01", "小河村党支部", "branch", "C01T02", "C01T02"),
                ("C01T02B02", "小河村党支部", "branch", "C01T02", "C01T02"),
                ("C01T02B03", "大河村党支部", "branch", "C01T02", "C01T02")]:
            cur.execute("INSERT INTO orgs(code, name, level, parent_code, path, county_code, township_code)"
                        " VALUES (?, ?, ?, ?, ?, 'C01', ?)",
                        [code, name, level, parent, f"/{code}/", township]).fetchall()

    store.write(work)
    assert orgs.labels(store, ["C01T01B01", "C01T02B01", "C01T02B02", "C01T02B03", "C01T01"]) == {
        "C01T01B01": "小河村党支部（柳林镇）",  # the only 小河村 of 柳林镇
        "C01T02B01": "小河村党支部（梅林镇，C01T02B01）",  # two in 梅林镇: the code tells them apart
        "C01T02B02": "小河村党支部（梅林镇，C01T02B02）",
        "C01T02B03": "大河村党支部", "C01T01": "柳林镇"}
    assert unique([("wangf", "王芳"), ("wangf2", "王芳"), ("lil", "李莉")]) == {
        "wangf": "王芳（wangf）", "wangf2": "王芳（wangf2）", "lil": "李莉"}


PICKERS = [("pages/quick_entry.py", "qe_branch"), ("pages/attendance.py", "att_branch"),
           ("pages/appraisal.py", "ap_branch"), ("pages/review.py", "rv_branch"),
           ("pages/results.py", "res_branch"), ("pages/publicity.py", "pub_branch"),
           ("pages/overview.py", "f_branch"), ("pages/coverage.py", "f_branch"), ("pages/compare.py", "f_branch"),
           ("pages/distribution.py", "f_branch"), ("pages/trends.py", "f_branch")]


@pytest.mark.parametrize("path,key", PICKERS)
def test_a_same_named_branch_stays_chosen_across_reruns(page, twins, path, key):
    at = page(path)
    picker = at.selectbox(key=key)
    shown = [o for o in picker.options if o.startswith(twins[1])]
    assert len(shown) == 2 and len(set(picker.options)) == len(picker.options)  # unique labels
    # a selectbox sends its choice back as the label: with two equal labels the second one
    # wins, whichever was chosen
    for code in (TWIN, FIRST):
        at.selectbox(key=key).set_value(code).run()
        assert not at.exception, at.exception
        assert at.selectbox(key=key).value == code
        at.run()
        assert at.selectbox(key=key).value == code


def test_switching_branch_between_schemes_on_quick_entry(page, twins):
    """It raised ``KeyError: None``: a branch whose scheme has no item a recorder enters (a
    star scheme scored from appraisal grids alone) left the item picker empty, and the
    item kept from the other branch's scheme is not one of the new ones either."""
    from core.auth import User as Who
    from core.scheme_assignments import assign_scheme

    store = Store(twins[0])
    assign_scheme(store, Who("admin", "管理员", "admin", "C01"), "C01T01B03", "party-stars-quota",
                  dt.date(TODAY.year, 1, 1), reason="测试：只有评议、没有日常积分项目的方案")
    scheme, _ = scheme_for(store, TWIN, TODAY)
    stars, _ = scheme_for(store, "C01T01B03", TODAY)
    store.close()
    assert not [i for i in stars.items.values() if "member" in i.kinds and not i.automatic]
    at = page("pages/quick_entry.py")
    at.selectbox(key="qe_branch").set_value(FIRST).run()
    at.selectbox(key="qe_item").set_value("late_dues").run()  # an item of party-q100-3to1 only
    at.selectbox(key="qe_branch").set_value(TWIN).run()
    assert not at.exception, at.exception
    assert "late_dues" not in scheme.items and at.selectbox(key="qe_item").value in scheme.items
    at.selectbox(key="qe_branch").set_value("C01T01B03").run()
    assert not at.exception, at.exception
    assert any("没有可为该成员录入的积分项目" in i.value for i in at.info)
    at.selectbox(key="qe_branch").set_value(FIRST).run()
    assert not at.exception, at.exception
    first, _ = scheme_for(Store(twins[0]), FIRST, TODAY)
    assert at.selectbox(key="qe_item").value in first.items


@pytest.mark.parametrize("path,prefix", [("pages/results.py", "res"), ("pages/publicity.py", "pub")])
def test_period_pickers_offer_the_published_periods_named_with_their_dates(page, twins, path, prefix):
    at = page(path)
    at.selectbox(key=f"{prefix}_branch").set_value(FIRST).run()
    store = Store(twins[0])
    scheme, _ = scheme_for(store, FIRST, TODAY)
    store.close()
    current = cycle_of(scheme.cycle_start, TODAY)
    cycles = at.selectbox(key=f"{prefix}_cycle")
    # a 七一 cycle: '2025—2026年度（2025-07-01至2026-06-30）'
    assert cycles.options == [cycle_label(scheme, c) for c in (current, current - 1, current - 2)]
    assert cycles.options[0] == f"{current}—{current + 1}年度（{current}-07-01至{current + 1}-06-30）"
    at.selectbox(key=f"{prefix}_cycle").set_value(current - 1).run()
    periods = at.selectbox(key=f"{prefix}_period")
    # party-q100-3to1 publishes its quarters and the cycle: in cycle order, the cycle last
    assert periods.options == ["第1季度（7—9月）", "第2季度（10—12月）", "第3季度（1—3月）", "第4季度（4—6月）", "全年"]
    assert periods.options == [period_name(scheme, current - 1, p) for p in ("Q1", "Q2", "Q3", "Q4", "cycle")]
    # another scheme's periods when the branch changes: party-village-3type publishes months
    at.selectbox(key=f"{prefix}_branch").set_value(TWIN).run()
    assert not at.exception, at.exception
    assert at.selectbox(key=f"{prefix}_period").options[0] == "1月" or "1月" in at.selectbox(
        key=f"{prefix}_period").options[0]
    assert at.selectbox(key=f"{prefix}_period").options[-1] == "全年"


def test_publicity_resets_to_the_new_branchs_current_period(page, twins):
    at = page("pages/publicity.py")
    at.selectbox(key="pub_branch").set_value(FIRST).run()
    store = Store(twins[0])
    scheme, _ = scheme_for(store, "C01T01B03", TODAY)
    store.close()
    current = cycle_of(scheme.cycle_start, TODAY)
    at.selectbox(key="pub_cycle").set_value(current - 2).run()
    at.selectbox(key="pub_period").set_value("Q2").run()
    at.selectbox(key="pub_branch").set_value("C01T01B03").run()  # party-q100-3to1 too, no 公示 open
    assert not at.exception, at.exception
    # back to the current cycle and today's quarter (a 七一 cycle: Jul–Sep is Q1)
    quarter = f"Q{(TODAY.month - 7) % 12 // 3 + 1}"
    assert (at.selectbox(key="pub_cycle").value, at.selectbox(key="pub_period").value) == (current, quarter)


def test_review_ticks_do_not_follow_a_branch_change(page, twins):
    from core.services import review

    store = Store(twins[0])
    waiting = [b for b in (FIRST, TWIN, "C01T01B03", "C01T01B04", "C01T01B05")
               if review.review_queue(store, ADMIN, branch_code=b)]
    labels = orgs.labels(store, waiting)
    store.close()
    assert len(waiting) >= 2
    at = page("pages/review.py")
    at.selectbox(key="rv_branch").set_value(waiting[0]).run()
    next(c for c in at.checkbox if c.label.startswith("全选")).check().run()
    assert next(b for b in at.button if b.label.startswith("批量通过")).label.startswith(f"批量通过 {labels[waiting[0]]}的")
    assert not next(b for b in at.button if b.label.startswith("批量通过")).label.endswith("的 0 条记录")
    at.selectbox(key="rv_branch").set_value(waiting[1]).run()
    assert not at.exception, at.exception
    # the other branch starts with nothing ticked, and the button names it
    assert next(b for b in at.button if b.label.startswith("批量通过")).label == f"批量通过 {labels[waiting[1]]}的 0 条记录"
    assert not next(c for c in at.checkbox if c.label.startswith("全选")).value


def test_results_member_picker_accepts_pinyin_initials(page, twins):
    store = Store(twins[0])
    # a party member: the branch's households (H…, first by id) are the village track's results
    mid, name, initials = store.one("SELECT id, name, initials FROM members WHERE branch_code = ? AND status = 'active'"
                                    " AND kind = 'member' ORDER BY id LIMIT 1", [FIRST])
    same = {r[0] for r in store.all("SELECT id FROM members WHERE branch_code = ? AND starts_with(initials, ?)",
                                    [FIRST, initials])}
    store.close()
    at = page("pages/results.py")
    at.selectbox(key="res_branch").set_value(FIRST).run()
    assert at.selectbox(key="res_subject").value is None  # nothing preselected
    at.text_input(key="res_subject_query").input(initials).run()
    assert not at.exception, at.exception
    options = at.selectbox(key="res_subject").options
    # only members whose initials start so (张三 for zs), the one looked for among them
    assert f"{name}（{mid}）" in options and {o.rsplit("（", 1)[1].rstrip("）") for o in options} <= same
    at.selectbox(key="res_subject").set_value(mid).run()
    assert not at.exception, at.exception
    assert "说明" in at.dataframe[-1].value.columns
