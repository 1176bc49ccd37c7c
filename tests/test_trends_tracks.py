"""趋势's 每月积分 values each branch's fixed-value items under the schemes that govern it, on
every track: a village's household points count at the village scheme's value (before, only
the party scheme was looked up, so a village's households added entries but no points)."""

from __future__ import annotations

from core.auth.scope import Scope
from core.metrics import trends
from core.metrics.filters import Filter
from tests.market_world import TODAY, market, market_template  # noqa: F401

TOWN = Scope("zhen01", "township", "C01T01", "/C01/C01T01/")


def test_village_points_count_at_the_village_schemes_value(market):
    store, _ = market
    flt = Filter(today=TODAY, cycle=2025, period="2025")
    frame = trends.monthly_points(store, TOWN, flt, by_branch=True)
    got = {(r["branch"], r["month"].month): (r["entries"], r["points"]) for r in frame.iter_rows(named=True)}
    # tests/market_world.py's 2025 events, under village-4class (一村) and village-zhangji (二村):
    # 一村 March: 张大户 brave_deed ×2 at 5 = 10; May: 王三户 public_order ×2 at 5 = 10.
    # 二村 March: 刘村民 mediate_dispute ×1 at 15 = 15.
    assert got == {("C01T01B01", 3): (1, 10.0), ("C01T01B01", 5): (1, 10.0), ("C01T01B02", 3): (1, 15.0)}
