"""AppTest of the 积分超市 page on a small world (tests/market_world.py), DuckDB."""

from __future__ import annotations

import pytest

from core.auth import add_user
from core.store import open_store
from tests.apptest_page import run_page
from tests.conftest import ROOT
from tests.market_world import CLERK, SECRETARY, build


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


def text_of(at) -> str:
    return " ".join(str(e.value) for kind in ("info", "error", "success", "caption", "warning")
                    for e in getattr(at, kind))


def test_counter_exchange_from_search_to_confirm(page):
    run, store, goods = page
    at = run(CLERK, sm_request_key="sm-test-1", sm_subject_query="zdh")
    # a recorder exchanges but does not manage goods: no catalogue tab
    assert [t.label for t in at.tabs] == ["兑换", "兑换记录", "报表"]
    assert at.selectbox(key="sm_subject").value == "H01"
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
