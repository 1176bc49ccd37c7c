"""The demo's 积分超市 part on a small world: goods stocked, exchanges that never overdraw
(the engine evaluates every village), deterministic, the same rows on both engines."""

from __future__ import annotations

from core.demo import supermarket as demo
from core.services.case import build_case
from core.engine.evaluate import evaluate
from core.supermarket.goods import list_goods
from tests.market_world import TODAY


def _world(store):
    """Orgs, households and their points as tests/market_world.py, without its goods."""
    from tests import market_world

    saved = market_world.GOODS
    market_world.GOODS = {}
    try:
        market_world.build(store)
    finally:
        market_world.GOODS = saved


def test_demo_goods_and_exchanges(store, monkeypatch):
    _world(store)
    monkeypatch.setattr(demo, "SHARE", 1.0)  # every household holding points comes to the counter
    counts = demo.generate(store, 2026, "S", TODAY, lambda m: None)
    # two villages × 10 goods; on 2025-08-22 (the season's start) H01 holds 30, H02 0, H03 10,
    # R01 115, R02 100: all but H02 exchange, each at most half of it
    assert counts["goods"] == 20
    shelf = list_goods(store, "C01T01B01")
    assert {g["name"] for g in shelf} == {name for _, name, _, _ in demo.SHELF}
    assert all(30 - 2 * 3 <= g["stock"] <= 80 for g in shelf)  # 30..80 restocked, a few exchanged
    rows = store.all("SELECT subject_id, date, points, amount, subsidy FROM exchanges ORDER BY id")
    assert len(rows) == counts["exchanges"]
    for subject, day, points, amount, subsidy in rows:
        assert subsidy * 2 == amount and points == amount  # 1 point = 1 yuan, subsidy 50%
    for village in ("C01T01B01", "C01T01B02"):
        scheme, case = build_case(store, village, 2025, today=TODAY, track="village")
        results = evaluate(scheme, case)["results"]  # raises if an exchange overdrew on its day
        assert all(r["balance"] >= 0 for r in results)
    spent = {sid: sum(r[2] for r in rows if r[0] == sid) for sid, *_ in rows}
    held = {"H01": 30, "H03": 10, "R01": 115, "R02": 100}
    assert set(spent) <= set(held) and all(spent[sid] <= held[sid] / 2 for sid in spent)
    # same seed, same rows on both engines (the rows carry their days, not the clock)
    assert counts == {"goods": 20, "exchanges": 7}
    assert store.all("SELECT count(DISTINCT made_at) FROM exchanges") == [(len({r[1] for r in rows}),)]
