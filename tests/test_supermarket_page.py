"""AppTest of the 积分超市 page on a small world (tests/market_world.py), DuckDB."""

from __future__ import annotations

import pytest

from core.auth import add_user
from core.store import open_store
from tests.apptest_page import run_page
from tests.conftest import ROOT
from tests.market_world import ADMIN, CLERK, SECRETARY, build


@pytest.fixture
def page(tmp_path, monkeypatch):
    path = tmp_path / "market.duckdb"
    store = open_store(str(path))  # the Store the page itself uses in this process
    goods = build(store)
    for u in (CLERK, SECRETARY):
        add_user(store, u.username, "a-long-password-1", u.role, u.org_code, u.display_name)
    monkeypatch.setenv("JIFEN_DB", str(path))
    monkeypatch.chdir(ROOT)

    def run(user, **state):
        return run_page("pages/supermarket.py", user, **state)

    return run, store, goods


def told(widget):
    """The value this run sent the browser for the widget, or None when it sent none: the browser
    then goes on showing what it showed before, whatever the page now works on."""
    proto = widget.proto
    if not proto.set_value:
        return None
    return proto.value if widget.type == "text_input" else proto.raw_value


def text_of(at) -> str:
    return " ".join(str(e.value) for kind in ("info", "error", "success", "caption", "warning")
                    for e in getattr(at, kind))


def test_counter_exchange_from_search_to_confirm(page):
    run, store, goods = page
    at = run(CLERK, sm_request_key="sm-test-1")
    # a recorder exchanges but does not manage goods: no catalogue tab
    assert [t.label for t in at.tabs] == ["兑换", "兑换记录", "报表"]
    # no search yet: 一村's households by name, 李二户 H02 first (li < wang < zhang)
    assert at.selectbox(key="sm_subject").value == "H02"
    at.text_input(key="sm_subject_query").input("zdh").run()
    # "zdh" finds 张大户 H01 alone (李二户's initials are leh): the page works on H01 and must tell
    # the browser so. It told it nothing when the kept H02 was deleted, and the browser went on
    # showing 李二户（一组15号，H02） over H01's balance, through the exchange (the clerk journey).
    assert at.selectbox(key="sm_subject").value == "H01"
    assert told(at.selectbox(key="sm_subject")) == "张大户（一组12号，H01）"
    # the page counts to the real today (2026 or later): this year's points are 0, the balance
    # and the cumulative 30 carry over (village-4class)
    assert [(m.label, m.value) for m in at.metric] == [("可用余额（分）", "30"), ("本年积分（分）", "0"),
                                                       ("累计积分（分）", "30")]
    at.number_input(key=f"sm_qty_{goods['C01T01B01', 'SOAP']}_sm-test-1").set_value(2).run()
    assert "本次兑换 10 分：兑换前余额 30 分，兑换后余额 20 分" in text_of(at)
    at.button(key="sm_confirm_sm-test-1").click().run()
    assert not at.exception
    assert "已兑换 10 分，张大户（一组12号，H01） 兑换后余额 20 分" in text_of(at)
    assert store.scalar("SELECT count(*) FROM exchanges") == 1
    assert at.metric[0].value == "20"
    assert at.selectbox(key="sm_subject").value == "H01"  # the same household after the exchange
    # 兑换记录: undo it with a reason → the points and the soap come back
    made = store.scalar("SELECT id FROM exchanges")
    at.selectbox(key="sm_undo_pick").set_value(made)
    at.text_input(key="sm_undo_reason").input("数量点错").run()
    at.button(key="sm_undo").click().run()
    assert f"已撤销兑换（编号 {made}），积分和库存已退回" in text_of(at)
    assert at.metric[0].value == "30"


def test_counter_shows_the_refusal_and_writes_nothing(page):
    run, store, goods = page
    at = run(CLERK, sm_request_key="sm-test-2", sm_subject_query="二组")  # 王三户 H03, balance 10
    at.number_input(key=f"sm_qty_{goods['C01T01B01', 'RICE']}_sm-test-2").set_value(1).run()
    assert "可用余额 10 分，本次兑换需 25 分，兑换后余额将为负数" in text_of(at)
    assert not [b for b in at.button if b.key == "sm_confirm_sm-test-2"]  # nothing to confirm
    assert store.scalar("SELECT count(*) FROM exchanges") == 0


def test_catalogue_restock_and_reports(page):
    run, store, goods = page
    rice = goods["C01T01B01", "RICE"]
    at = run(SECRETARY, sm_stock_pick=rice)
    assert [t.label for t in at.tabs] == ["兑换", "兑换记录", "报表", "商品与库存"]
    at.number_input(key="sm_restock_qty").set_value(5)
    at.text_input(key="sm_restock_note").input("镇里配送")
    at.button(key="sm_restock").click().run()
    assert "已入库 5，现有库存 15" in text_of(at)
    assert "兑换率" in " ".join(str(d.value) for d in at.dataframe)


def test_another_village_restarts_the_search_and_the_picker_in_the_browser(page):
    run, store, _ = page
    add_user(store, ADMIN.username, "a-long-password-1", ADMIN.role, ADMIN.org_code, ADMIN.display_name)
    at = run(ADMIN, sm_branch="C01T01B01")
    at.text_input(key="sm_subject_query").input("h0").run()  # H01–H03 by their numbers
    at.selectbox(key="sm_subject").set_value("H03").run()
    assert at.metric[0].value == "10"  # 王三户: public_order ×2 in 2025 = 10, carried over
    at.selectbox(key="sm_branch").set_value("C01T01B02").run()
    # 二村: the search box is emptied and the browser told so (it kept showing "h0", which the
    # next run then searched 二村 for); the picker restarts on 二村's first resident by name,
    # 陈村民 R02 (chen < liu), and tells the browser so instead of leaving 王三户 on screen
    assert told(at.text_input(key="sm_subject_query")) == ""
    assert told(at.selectbox(key="sm_subject")) == "陈村民（9号，R02）"
    # R02 under village-zhangji: only the automatic base 100 this year, nothing spent →
    # balance 100, this year 100, no cumulative (cleared each year)
    assert [(m.label, m.value) for m in at.metric] == [("可用余额（分）", "100"), ("本年积分（分）", "100")]
