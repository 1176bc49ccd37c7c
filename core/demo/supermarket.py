"""Demo 积分超市: each village with a household scheme gets a stocked shelf of everyday goods
(大米、食用油、洗衣粉、毛巾… the seed's list, with village-shop prices) and a season of
exchanges by its households that never overdraw.

Balances come from the engine (the village's case at the season's start): a household spends
at most half of what it held then. A penalty entered later in the season could still leave
an exchange over the points held on its day, which the engine refuses; so the village is
evaluated once more afterwards and any exchange it names is dropped, until it evaluates.
Rows are written directly in one transaction per village (the counter service would build
a case per exchange: seconds for a demo that must add at most ~1 s).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

import polars as pl

from core.cycles import cycle_bounds, cycle_of
from core.demo.frames import insert_frame
from core.engine.case import CaseError
from core.engine.evaluate import evaluate
from core.services.case import build_case
from core.scheme_assignments import scheme_for
from core.store import Store
from core.supermarket.rules import LIVE_EXCHANGES_SQL, subsidy_rate, yuan_per_point

# code, name, unit, price in points: 每1积分按人民币1元计算 (seed 000)
SHELF = [
    ("DM", "大米（5斤）", "袋", 25), ("SYY", "食用油（1.8升）", "桶", 25), ("XYF", "洗衣粉", "袋", 12),
    ("XJJ", "洗洁精", "瓶", 8), ("XZ", "香皂", "块", 5), ("MJ", "毛巾", "条", 10), ("YG", "牙膏", "支", 8),
    ("WSZ", "卫生纸", "提", 20), ("JY", "酱油", "瓶", 10), ("SY", "食盐", "袋", 3),
]
SEASON_DAYS = 90
SHARE = 0.45  # of the households that hold points, those who come to the counter this season
CENT = Decimal("0.01")


def _villages(store: Store, today: dt.date) -> list[str]:
    """Villages with a household (village-track) scheme in force today."""
    return [r[0] for r in store.all(
        "SELECT DISTINCT sa.org_code FROM scheme_assignments sa JOIN orgs o ON o.code = sa.org_code"
        " WHERE sa.track = 'village' AND sa.from_date <= ? AND o.level = 'branch' ORDER BY 1", [today])]


def _at(day: dt.date) -> dt.datetime:
    """The rows carry the day they were made (not the clock), so both stores hold the same rows."""
    return dt.datetime.combine(day, dt.time(10, 0))


def _clerk(store: Store, village: str) -> str:
    row = store.one("SELECT username FROM users WHERE org_code = ? AND role IN ('recorder', 'secretary')"
                    " ORDER BY role, username LIMIT 1", [village])
    return row[0] if row else "admin"


def _balances(store: Store, village: str, cycle: int, day: dt.date, today: dt.date) -> dict[str, Decimal]:
    """The engine's balance on ``day`` of each household that may exchange."""
    scheme, case = build_case(store, village, cycle, today=today, upto=day, track="village")
    out = evaluate(scheme, case, explain=False)
    return {r["subject"]: Decimal(str(r["balance"])) for r in out["results"]
                          if r.get("balance") is not None and r.get("redeemable")}


def generate(store: Store, seed: int, size: str, today: dt.date, say) -> dict[str, int]:
    villages = _villages(store, today)
    if not villages:
        return {}  # no village with a household scheme yet: nothing to stock
    say("积分超市：商品、入库与兑换")
    rng = random.Random(f"{seed}-{size}-supermarket")
    goods_count = exchanges = 0
    for village in villages:
        scheme, _ = scheme_for(store, village, today, "village")
        cycle = cycle_of(scheme.cycle_start, today)
        start = max(cycle_bounds(scheme.cycle_start, cycle)[0], today - dt.timedelta(days=SEASON_DAYS))
        held = _balances(store, village, cycle, start, today)
        per_point, rate = yuan_per_point(scheme), subsidy_rate(scheme)
        clerk = _clerk(store, village)
        days = max((today - start).days, 0)

        def work(cur, village=village, held=held, per_point=per_point, rate=rate, clerk=clerk, start=start,
                 days=days):
            shelf = []
            for code, name, unit, price in SHELF:
                gid = cur.execute(
                    "INSERT INTO goods(org_code, code, name, unit, price_points, unit_price, subsidy_rate, created_by,"
                    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    [village, code, name, unit, price, Decimal(price) * per_point, rate, clerk, _at(start)]
                ).fetchone()[0]
                shelf.append((gid, code, name, unit, Decimal(price)))
            stock = {gid: rng.randint(30, 80) for gid, *_ in shelf}
            for gid, qty in stock.items():
                cur.execute("INSERT INTO stock_moves(goods_id, org_code, kind, qty, date, note, made_by, made_at)"
                            " VALUES (?, ?, 'restock', ?, ?, '镇统一采购入库', ?, ?)",
                            [gid, village, qty, start, clerk, _at(start)]).fetchall()
            rows = []  # (subject, goods, qty, points, amount, subsidy, day)
            for subject in sorted(held):
                budget = held[subject] / 2  # never more than half of what was held at the season's start
                if budget < 3 or rng.random() > SHARE:
                    continue
                day = start + dt.timedelta(days=rng.randint(0, days))
                for gid, _code, _name, _unit, price in rng.sample(shelf, 3):
                    qty = int(min(budget // price, 2, stock[gid]))
                    if qty <= 0:
                        continue
                    points = price * qty
                    amount = (points * per_point).quantize(CENT, ROUND_HALF_UP)
                    rows.append((subject, gid, qty, points, amount, (amount * rate).quantize(CENT, ROUND_HALF_UP), day))
                    stock[gid] -= qty
                    budget -= points
            if not rows:
                return 0
            # one insert per table: the ids are reserved from the sequence (one writer, one transaction)
            first = cur.execute("SELECT nextval('exchange_seq')").fetchone()[0]
            if len(rows) > 1:
                cur.execute("SELECT max(nextval('exchange_seq')) FROM generate_series(1, ?) AS g(i)",
                            [len(rows) - 1]).fetchall()
            ids = list(range(first, first + len(rows)))
            insert_frame(cur, "exchanges", pl.DataFrame({
                "id": ids, "subject_id": [r[0] for r in rows], "org_code": [village] * len(rows),
                "goods_id": [r[1] for r in rows], "qty": [r[2] for r in rows],
                "points": [float(r[3]) for r in rows], "amount": [float(r[4]) for r in rows],
                "subsidy": [float(r[5]) for r in rows], "date": [r[6] for r in rows], "made_by": [clerk] * len(rows),
                "made_at": [_at(r[6]) for r in rows]}))
            insert_frame(cur, "stock_moves", pl.DataFrame({
                "goods_id": [r[1] for r in rows], "org_code": [village] * len(rows), "kind": ["exchange"] * len(rows),
                "qty": [-r[2] for r in rows], "date": [r[6] for r in rows], "exchange_id": ids,
                "made_by": [clerk] * len(rows), "made_at": [_at(r[6]) for r in rows]}))
            return len(rows)

        made = store.write(work)
        made -= _drop_overdrawn(store, village, cycle, today)
        goods_count += len(SHELF)
        exchanges += made
    return {"goods": goods_count, "exchanges": exchanges}


def _drop_overdrawn(store: Store, village: str, cycle: int, today: dt.date) -> int:
    """Drop the exchanges the engine refuses (over the points held on their day); how many."""
    dropped = 0
    while True:
        scheme, case = build_case(store, village, cycle, today=today, track="village")
        try:
            evaluate(scheme, case, explain=False)
            return dropped
        except CaseError as exc:
            if not exc.field.startswith("exchanges") or exc.row is None:
                raise
            bad = case["exchanges"][exc.row]

        def work(cur, bad=bad):
            xid = cur.execute(f"SELECT max(id) FROM ({LIVE_EXCHANGES_SQL}) x WHERE subject_id = ? AND date = ?",
                              [bad["subject"], bad["date"]]).fetchone()[0]
            cur.execute("DELETE FROM stock_moves WHERE exchange_id = ?", [xid]).fetchall()
            cur.execute("DELETE FROM exchanges WHERE id = ?", [xid]).fetchall()

        store.write(work)
        dropped += 1
