"""AppTest of the 积分对象 selector on 积分结果 and 积分录入 for a village running its party
scheme and its household scheme (DuckDB, the small world of tests/village_world.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from core.auth import add_user
from core.services.review import approve
from core.store import Store, open_store
from tests import village_world as vw
from tests.conftest import page_runner


@pytest.fixture
def village_app(tmp_path, monkeypatch):
    path = tmp_path / "village.duckdb"
    store = Store(path)
    vw.build(store)
    add_user(store, "shuji01", "village-secretary-pw-2", "secretary", vw.BRANCH, "一村书记", actor="admin")
    store.close()
    return page_runner(path, monkeypatch, vw.SECRETARY), path


def test_results_page_switches_to_the_households(village_app):
    run, path = village_app
    store = open_store(str(path))
    from core.services.ledger import enter_event

    approve(store, vw.SECRETARY, [enter_event(store, vw.SECRETARY, "H01", "brave_deed", dt.date.today())])
    at = run("pages/results.py")
    picker = at.selectbox(key="res_track")
    assert picker.options == ["党员", "农户（乡村治理）"]
    assert "党员积分" in at.caption[0].value or "积分方案" in at.caption[0].value
    assert [m.label for m in at.metric][0] == "参评人数"
    picker.set_value("village").run()
    assert not at.exception, at.exception
    assert [m.label for m in at.metric][0] == "参评户数"
    assert "乡村治理积分制" in at.caption[0].value
    names = [row for row in at.dataframe[0].value["姓名"]]
    assert names[0] == "刘一户" and set(names) == {"刘一户", "陈二户", "杨三户", "黄四户"}
    labels = [b.label for b in at.get("download_button")]
    assert "户积分动态管理表（Excel）" in labels and "导出台账" not in labels


def test_quick_entry_offers_the_household_items_and_penalties(village_app):
    run, path = village_app
    at = run("pages/quick_entry.py")
    at.selectbox(key="qe_track").set_value("village").run()
    at.text_input(key="qe_member_query").input("1-01").run()  # by house number
    assert at.selectbox(key="qe_member").options == ["刘一户（H01）"]
    items = at.selectbox(key="qe_item")
    assert any("违反村规民约" in o for o in items.options) and not any("三会一课" in o for o in items.options)
    items.set_value("rule_violation").run()
    at.number_input[0].set_value(-3.0)
    next(t for t in at.text_input if t.label == "村集体决定").input("")
    next(b for b in at.button if b.label == "提交").click().run()
    assert any("村集体决定" in e.value for e in at.error)
    store = open_store(str(path))
    assert store.scalar("SELECT count(*) FROM events") == 0


def test_review_a_village_month_of_household_entries_in_one_go(village_app):
    run, path = village_app
    store = open_store(str(path))
    from core.services.ledger import enter_event

    today = dt.date.today()
    month = today.replace(day=1)
    last_month = (month - dt.timedelta(days=1)).replace(day=1)
    this = enter_event(store, vw.SECRETARY, "H01", "civility", month)
    earlier = enter_event(store, vw.SECRETARY, "H02", "civility", last_month)
    party = enter_event(store, vw.SECRETARY, "M01", "award_district", month)
    at = run("pages/review.py")
    at.selectbox(key="rv_track").set_value("village").run()
    at.selectbox(key="rv_month").set_value(month).run()
    assert not at.exception, at.exception
    # only this month's household record is listed (not last month's, not the party member's)
    tick = next(c for c in at.checkbox if c.label.startswith("全选"))
    assert "1 条记录" in tick.label
    tick.check().run()
    next(b for b in at.button if b.label.startswith("批量通过")).click().run()
    assert not at.exception, at.exception
    decided = dict(store.all("SELECT event_id, decision FROM event_reviews"))
    assert decided == {this: "approved"} and earlier not in decided and party not in decided
