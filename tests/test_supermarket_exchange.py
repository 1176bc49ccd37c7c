"""积分超市 counter: every refusal writes nothing, a double click is one exchange, an undo
restores stock and balance once, the catalogue's writes are audited."""

from __future__ import annotations

import datetime as dt
import pytest

from core.auth import PermissionDenied, ScopeError
from core.services.entry_rules import EntryError
from core.services.vetoes import add_veto
from core.supermarket import goods as goods_service
from core.supermarket.balance import balance
from core.supermarket.exchange import exchange, undo
from tests.market_world import ADMIN, CLERK, CLERK2, SECRETARY, TODAY, count_rows, market, market_template  # noqa: F401


def stock(store, goods_id):
    return goods_service.goods_row(store, goods_id)["stock"]


REFUSALS = [
    ([("RICE", 1)], "王三户 可用余额 10 分，本次兑换需 25 分，兑换后余额将为负数"),  # H03 holds 10 < 25
    ([("SOAP", 1), ("TOWEL", 1)], "可用余额 10 分，本次兑换需 13 分"),  # 5 + 8 = 13 > 10
    ([("SOAP", 11)], "「香皂」库存只有 10块，兑换 11块 超出库存"),
    ([("SOAP", 6), ("SOAP", 5)], "兑换 11块 超出库存"),  # the same goods on two lines
    ([("SOAP", 0)], "第 1 行「香皂」的数量应大于 0"),
    ([("SOAP", -1)], "应大于 0"),
    ([("SOAP", 1.5)], "正整数"),
    ([("SOAP", "两")], "应为数字"),
    ([], "请选择要兑换的商品"),
    ([("NOPE", 1)], "未找到商品"),
]


def test_refusals_write_nothing(market):
    store, _ = market
    before = count_rows(store)
    for lines, message in REFUSALS:
        with pytest.raises(EntryError, match=message):
            exchange(store, CLERK, "H03", lines, today=TODAY)
    assert count_rows(store) == before
    # exactly the balance is allowed: SOAP ×2 = 10 of 10 → 0
    assert exchange(store, CLERK, "H03", [("SOAP", 2)], today=TODAY).after == 0


def test_goods_of_another_village_and_inactive_goods_are_refused(market):
    store, goods = market
    before = count_rows(store)
    with pytest.raises(EntryError, match="属于二村"):
        exchange(store, CLERK, "H03", [(goods["C01T01B02", "SOAP"], 1)], today=TODAY)
    goods_service.set_active(store, SECRETARY, goods["C01T01B01", "SOAP"], False)
    after_disable = count_rows(store)
    assert after_disable["audit_log"] == before["audit_log"] + 1
    with pytest.raises(EntryError, match="已停用"):
        exchange(store, CLERK, "H03", [("SOAP", 1)], today=TODAY)
    assert count_rows(store) == after_disable


def test_no_redeem_veto_refuses(market):
    store, _ = market
    # law_violation (no_redeem) on R01: points still accrue, no exchange
    add_veto(store, ADMIN, "R01", "law_violation", dt.date(2025, 6, 1), "派出所通报", today=TODAY)
    before = count_rows(store)
    with pytest.raises(EntryError, match="一票否决"):
        exchange(store, CLERK2, "R01", [("SOAP", 1)], today=TODAY)
    assert count_rows(store) == before


def test_closed_window_refuses(market):
    store, _ = market
    from core.scheme_assignments import assign_scheme
    from tests.market_world import TOWNSHIP

    # the village opens its counter only on set days, through its assignment's overrides
    assign_scheme(store, TOWNSHIP, "C01T01B01", "village-4class", dt.date(2025, 1, 1),
                  overrides={"supermarket": {"windows": ["03-20..03-31", "12-20..01-10"]}}, reason="定期兑换")
    before = count_rows(store)
    with pytest.raises(EntryError, match="不在积分兑换时间内.*3月20日至3月31日、12月20日至1月10日"):
        exchange(store, CLERK, "H01", [("SOAP", 1)], today=TODAY)  # 11-20: closed
    assert count_rows(store) == before
    # 12-28 is inside 12-20..01-10 (a window over the new year): open
    assert exchange(store, CLERK, "H01", [("SOAP", 1)], today=dt.date(2025, 12, 28)).points == 5


def test_scope_and_role(market):
    store, _ = market
    before = count_rows(store)
    with pytest.raises(ScopeError):
        exchange(store, CLERK2, "H01", [("SOAP", 1)], today=TODAY)  # 二村's clerk, 一村's household
    from core.auth import User
    with pytest.raises(PermissionDenied):
        exchange(store, User("zhen01", "镇", "township", "C01T01"), "H01", [("SOAP", 1)], today=TODAY)
    # a scope refusal is audited (core.auth.scope), nothing else is written
    assert {k: v for k, v in count_rows(store).items() if k != "audit_log"} == \
           {k: v for k, v in before.items() if k != "audit_log"}


def test_exchange_writes_rows_moves_and_audit_and_a_double_click_is_one(market):
    store, goods = market
    rice, oil = goods["C01T01B01", "RICE"], goods["C01T01B01", "OIL"]
    # H01 holds 30 (cumulative); 25 + ... only 30: RICE 25 → 5 left
    before = count_rows(store)
    first = exchange(store, CLERK, "H01", [(rice, 1)], today=TODAY, request_key="k1")
    again = exchange(store, CLERK, "H01", [(rice, 1)], today=TODAY, request_key="k1")
    assert first.ids == again.ids and (first.before, first.after) == (30, 5) and again.after == 5
    after = count_rows(store)
    assert after["exchanges"] == before["exchanges"] + 1 and after["stock_moves"] == before["stock_moves"] + 1
    assert stock(store, rice) == 9 and stock(store, oil) == 10
    row = store.one("SELECT qty, points, amount, subsidy, made_by FROM exchanges WHERE id = ?", [first.ids[0]])
    assert row == (1, 25, 25, 12.5, "jilu01")  # subsidy 50% × 25 yuan = 12.50
    assert store.scalar("SELECT count(*) FROM audit_log WHERE action = 'exchange.make'") == 1


def test_undo_restores_stock_and_balance_once(market):
    store, goods = market
    soap = goods["C01T01B01", "SOAP"]
    receipt = exchange(store, CLERK, "H01", [("SOAP", 3)], today=TODAY)  # 30 − 15 = 15
    assert balance(store, ADMIN, "H01", TODAY).balance == 15 and stock(store, soap) == 7
    undo_id = undo(store, CLERK, receipt.ids[0], "点错了数量", today=TODAY)
    assert balance(store, ADMIN, "H01", TODAY).balance == 30 and stock(store, soap) == 10
    assert store.scalar("SELECT reverses FROM exchanges WHERE id = ?", [undo_id]) == receipt.ids[0]
    assert store.scalar("SELECT count(*) FROM audit_log WHERE action = 'exchange.undo'") == 1
    before = count_rows(store)
    with pytest.raises(EntryError, match="已撤销过"):
        undo(store, CLERK, receipt.ids[0], "再撤一次", today=TODAY)
    with pytest.raises(EntryError, match="本身是撤销记录"):
        undo(store, CLERK, undo_id, "撤销撤销", today=TODAY)
    with pytest.raises(EntryError, match="撤销理由"):
        undo(store, CLERK, receipt.ids[0], "  ", today=TODAY)
    assert count_rows(store) == before


def test_restock_and_stocktake_are_audited(market):
    store, goods = market
    towel = goods["C01T01B01", "TOWEL"]
    assert goods_service.restock(store, SECRETARY, towel, 5, "镇里配送", today=TODAY) == 15
    # counted 12 of 15: a correcting move of −3 with its reason
    assert goods_service.stocktake(store, SECRETARY, towel, 12, "受潮损耗 3 条", today=TODAY) == -3
    assert stock(store, towel) == 12
    assert store.all("SELECT action, reason FROM audit_log WHERE action IN ('goods.restock', 'goods.stocktake')"
                     " ORDER BY id") == [("goods.restock", "镇里配送"), ("goods.stocktake", "受潮损耗 3 条")]
    before = count_rows(store)
    with pytest.raises(EntryError, match="盘点说明"):
        goods_service.stocktake(store, SECRETARY, towel, 11, "", today=TODAY)
    with pytest.raises(EntryError, match="整数"):
        goods_service.stocktake(store, SECRETARY, towel, 1.5, "半条", today=TODAY)
    with pytest.raises(PermissionDenied):
        goods_service.restock(store, CLERK, towel, 1, today=TODAY)  # a recorder exchanges, not stocks
    assert count_rows(store) == before


def test_catalogue_add_edit_defaults(market):
    store, goods = market
    gid = goods_service.add_goods(store, SECRETARY, "C01T01B01",
                                  {"code": "PASTE", "name": "牙膏", "unit": "支", "price": 6}, today=TODAY)
    row = goods_service.goods_row(store, gid)
    # village-4class: 1 point = 1 yuan → unit price 6; subsidy 50%; no opening stock
    assert (row["unit_price"], row["subsidy_rate"], row["stock"]) == (6, 0.5, 0)
    goods_service.edit_goods(store, SECRETARY, gid, {"price": 7, "name": "牙膏（大）"})
    row = goods_service.goods_row(store, gid)
    assert (row["price"], row["name"]) == (7, "牙膏（大）")
    before = count_rows(store)
    with pytest.raises(EntryError, match="已存在"):
        goods_service.add_goods(store, SECRETARY, "C01T01B01", {"code": "RICE", "name": "米", "price": 1})
    with pytest.raises(EntryError, match="兑换积分应大于 0"):
        goods_service.add_goods(store, SECRETARY, "C01T01B01", {"code": "X", "name": "X", "price": 0})
    with pytest.raises(ScopeError):
        goods_service.add_goods(store, SECRETARY, "C01T01B02", {"code": "X", "name": "X", "price": 1})
    assert {k: v for k, v in count_rows(store).items() if k != "audit_log"} == \
           {k: v for k, v in before.items() if k != "audit_log"}


def test_two_counters_at_once_never_overdraw(market):
    store, _ = market
    from concurrent.futures import ThreadPoolExecutor

    from core.decimals import fmt

    def attempt(_):
        try:
            return fmt(exchange(store, CLERK, "H03", [("SOAP", 2)], today=TODAY).after)  # 10 of H03's 10
        except EntryError as exc:
            return str(exc)

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(attempt, range(2)))
    # one exchange goes through (10 − 10 = 0); the other sees the balance 0 and is refused
    assert sorted(map(str, outcomes)) == ["0", "王三户 可用余额 0 分，本次兑换需 10 分，兑换后余额将为负数，不予兑换"]
    assert balance(store, ADMIN, "H03", TODAY).balance == 0


def test_window_rules():
    from dataclasses import replace

    from core.scheme import load_scheme
    from core.supermarket.rules import MarketRuleError, window_closed

    scheme = load_scheme("village-4class")
    assert window_closed(scheme, TODAY) is None  # no window: always open

    def windowed(*spans):
        return replace(scheme, supermarket={**scheme.supermarket, "windows": list(spans)})

    assert window_closed(windowed("11-20..11-20"), TODAY) is None  # both ends included
    assert window_closed(windowed("12-20..01-10"), dt.date(2026, 1, 10)) is None
    assert "不在积分兑换时间内" in window_closed(windowed("12-20..01-10"), dt.date(2026, 1, 11))
    for bad, message in (("03-20", "起..止"), ("13-01..13-05", "月-日"), ("02-30..03-01", "月-日")):
        with pytest.raises(MarketRuleError, match=message):
            window_closed(windowed(bad), TODAY)
