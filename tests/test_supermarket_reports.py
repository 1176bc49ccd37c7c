"""积分超市 reports by hand: 发放台账, subsidy by month, 兑换率 and 参与率."""

from __future__ import annotations

import datetime as dt
import io

import polars as pl

from core.supermarket import reports
from core.supermarket.exchange import exchange, undo
from tests.market_world import CLERK, market, market_template  # noqa: F401

YEAR = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))


def test_ledger_subsidy_and_rates(market):
    store, _ = market
    exchange(store, CLERK, "H01", [("RICE", 1)], today=dt.date(2025, 4, 1))  # 25 points = 25 yuan
    exchange(store, CLERK, "H03", [("SOAP", 1)], today=dt.date(2025, 5, 3))  # 5
    mistake = exchange(store, CLERK, "H03", [("SOAP", 1)], today=dt.date(2025, 5, 3))
    undo(store, CLERK, mistake.ids[0], "重复点击", today=dt.date(2025, 5, 3))  # not in the ledger
    rows = reports.ledger_rows(store, "C01T01B01", *YEAR)
    assert [(r["日期"], r["户（对象）"], r["门牌号"], r["商品"], r["数量"], r["积分"], r["金额（元）"], r["补助（元）"],
             r["经办人"]) for r in rows] == [
        ("2025-04-01", "张大户", "一组12号", "大米", 1, 25, 25, 12.5, "jilu01"),
        ("2025-05-03", "王三户", "二组3号", "香皂", 1, 5, 5, 2.5, "jilu01")]
    # subsidy owed = 50% × unit price × qty: April 25 × 0.5 = 12.5; May 5 × 0.5 = 2.5
    assert reports.by_month(store, "C01T01B01", *YEAR) == [
        {"月份": "2025-04", "兑换笔数": 1, "兑换户数": 1, "积分": 25, "金额（元）": 25, "应补助（元）": 12.5},
        {"月份": "2025-05", "兑换笔数": 1, "兑换户数": 1, "积分": 5, "金额（元）": 5, "应补助（元）": 2.5}]
    r = reports.rates(store, "C01T01B01", *YEAR)
    # 3 households; exchanged: H01, H03 → 2/3 = 66.7% ≥ 30%;
    # points in 2025: H01 (brave_deed), H03 (public_order) → 2/3 = 66.7%: under 70 (试点村), over 50 (其他村)
    assert (r["subjects"], r["exchanged"], r["participating"]) == (3, 2, 2)
    assert (r["redemption"], r["redemption_met"], r["participation"]) == (66.7, True, 66.7)
    assert r["participation_met"] == {"试点村": False, "其他村": True}
    book = pl.read_excel(io.BytesIO(reports.workbook(store, "C01T01B01", *YEAR)), sheet_id=0)
    assert list(book) == ["发放台账", "月度补助", "兑换率与参与率"] and book["发放台账"].height == 2


def test_rates_of_a_quiet_village(market):
    store, _ = market
    # 二村 in 2025: no exchange (0 of 2); R01 has mediate_dispute, R02 only the automatic base → 1 of 2 = 50%
    r = reports.rates(store, "C01T01B02", *YEAR)
    assert (r["redemption"], r["redemption_met"], r["participation"]) == (0.0, False, 50.0)
    assert r["participation_met"] == {"试点村": False, "其他村": True}
