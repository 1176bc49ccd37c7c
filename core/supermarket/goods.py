"""The 积分超市's goods catalogue per village, and its stock.

Stock is never a stored number: it is the sum of the goods' ``stock_moves`` (restock,
stock-taking, exchange, undo), so every change of stock has a row saying who and why.
A stock-taking writes the correcting move (counted − stock) with its reason.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from core import audit, bounds
from core.auth import require, scope_for
from core.scheme_assignments import NoSchemeError, scheme_for
from core.services.entry_rules import EntryError
from core.store import Store
from core.store.locks import lock_rows
from core.supermarket.rules import SPENDING_TRACKS, MarketRuleError, subsidy_rate, yuan_per_point

CODE_MAX = 20
STOCK_MAX = 100_000  # one restock or count of a village shop; more is a typo
MOVE_NAMES = {"restock": "入库", "stocktake": "盘点", "exchange": "兑换", "undo": "撤销兑换"}

# Each goods row with its stock (the sum of its moves).
GOODS_SQL = """
SELECT g.id, g.org_code, g.code, g.name, g.unit, g.price_points, g.unit_price, g.subsidy_rate, g.active,
       coalesce((SELECT sum(m.qty) FROM stock_moves m WHERE m.goods_id = g.id), 0) AS stock
FROM goods g
"""
_FIELDS = ("id", "org_code", "code", "name", "unit", "price", "unit_price", "subsidy_rate", "active", "stock")


def goods_rows(cur, ids: list[int]) -> dict[int, dict]:
    """Goods by id, read inside a write (their stock as the transaction sees it)."""
    return {r[0]: _row(r) for r in cur.execute(GOODS_SQL + " WHERE g.id = ANY(?)", [list(ids)]).fetchall()}


def _row(row) -> dict:
    goods = dict(zip(_FIELDS, row))
    goods["stock"] = int(goods["stock"])
    goods["active"] = bool(goods["active"])
    return goods


def list_goods(store: Store, org_code: str, *, active_only: bool = False) -> list[dict]:
    """The village's goods by code, each with ``price`` (points), ``unit_price`` (yuan),
    ``subsidy_rate`` and ``stock``."""
    where = " WHERE g.org_code = ?" + (" AND g.active" if active_only else "")
    return [_row(r) for r in store.all(GOODS_SQL + where + " ORDER BY g.code", [org_code])]


def goods_row(store: Store, goods_id: int) -> dict:
    rows = store.all(GOODS_SQL + " WHERE g.id = ?", [goods_id])
    if not rows:
        raise EntryError(f"未找到商品（编号 {goods_id}）")
    return _row(rows[0])


def market_defaults(store: Store, org_code: str, today: dt.date) -> tuple[Decimal, Decimal]:
    """(yuan per point, subsidy share) of the organisation's spending scheme; 1 and 50%
    where it has none yet (a catalogue may be set up before the scheme is assigned)."""
    for track in SPENDING_TRACKS:
        try:
            scheme, _ = scheme_for(store, org_code, today, track)
        except NoSchemeError:
            continue
        try:
            return yuan_per_point(scheme), subsidy_rate(scheme)
        except MarketRuleError as exc:
            raise EntryError(str(exc)) from None
    return Decimal(1), Decimal("0.5")


def _clean(values: dict, *, partial: bool = False) -> dict:
    if not isinstance(values, dict):
        raise EntryError("请填写商品的编码、名称、单位和兑换积分")
    out = {}
    if "code" in values or not partial:
        out["code"] = bounds.text(values.get("code"), "商品编码", required=True, max_len=CODE_MAX, multiline=False)
    if "name" in values or not partial:
        out["name"] = bounds.text(values.get("name"), "商品名称", required=True, max_len=bounds.NAME_MAX,
                                  multiline=False)
    if "unit" in values or not partial:
        out["unit"] = bounds.text(values.get("unit"), "单位", max_len=10, multiline=False) or None
    for key, what in (("price", "兑换积分"), ("unit_price", "单价（元）")):
        if key == "price" and not partial and values.get(key) in (None, ""):
            raise EntryError("请填写兑换积分")
        if values.get(key) not in (None, ""):
            value = bounds.number(values.get(key), what)
            if value <= 0:
                raise EntryError(f"{what}应大于 0，填写的是 {value}")
            out[key] = value
    if values.get("subsidy_rate") not in (None, ""):
        try:
            rate = Decimal(str(values.get("subsidy_rate"))).quantize(Decimal("0.0001"))
        except (InvalidOperation, ValueError):
            raise EntryError(f"补助比例应为数字（如 0.5 表示 50%），填写的是 {values.get('subsidy_rate')}") from None
        if not rate.is_finite() or not 0 <= rate <= 1:
            raise EntryError(f"补助比例应在 0 到 1 之间（如 0.5 表示 50%），填写的是 {rate}")
        out["subsidy_rate"] = rate
    return out


def _check_org(store: Store, user, org_code: str) -> None:
    require(user, "manage_goods")
    org_code = bounds.text(org_code, "组织编码", required=True, max_len=bounds.NAME_MAX, multiline=False)
    if store.scalar("SELECT level FROM orgs WHERE code = ?", [org_code]) is None:
        raise EntryError(f"未找到组织 {org_code}")
    scope_for(store, user).check_org(store, org_code)


def _mine(store: Store, user, goods_id) -> dict:
    require(user, "manage_goods")
    goods = goods_row(store, bounds.record_id(goods_id, "商品编号"))
    scope_for(store, user).check_org(store, goods["org_code"])
    return goods


def add_goods(store: Store, user, org_code: str, values: dict, today: dt.date | None = None) -> int:
    """Add a goods item to the village's catalogue; ``values``: code, name, unit, price
    (points), unit_price (yuan; default price × yuan per point), subsidy_rate (default the
    scheme's), stock (an opening restock). Returns the goods id."""
    today = today or dt.date.today()
    _check_org(store, user, org_code)
    clean = _clean(values)
    per_point, rate = market_defaults(store, org_code, today)
    unit_price = clean.get("unit_price", clean["price"] * per_point)
    rate = clean.get("subsidy_rate", rate)
    opening = 0
    if values.get("stock") not in (None, "", 0, "0"):
        opening = int(bounds.count(values.get("stock"), "期初库存", maximum=STOCK_MAX))

    def work(cur) -> int:
        if cur.execute("SELECT 1 FROM goods WHERE org_code = ? AND code = ?", [org_code, clean["code"]]).fetchone():
            raise EntryError(f"商品编码 {clean['code']} 已存在，请换一个编码")
        goods_id = cur.execute(
            "INSERT INTO goods(org_code, code, name, unit, price_points, unit_price, subsidy_rate, created_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [org_code, clean["code"], clean["name"], clean["unit"], clean["price"], unit_price, rate,
             user.username]).fetchone()[0]
        audit.record(cur, user.username, "goods.add", entity="goods", entity_id=goods_id, org_code=org_code,
                     after={**clean, "unit_price": unit_price, "subsidy_rate": rate, "stock": opening})
        if opening:
            _move(cur, user, goods_id, org_code, "restock", opening, today, "期初库存")
        return goods_id

    return store.write(work)


def edit_goods(store: Store, user, goods_id: int, values: dict) -> None:
    """Change a goods item's code, name, unit, price, unit price or subsidy share. Past
    exchanges keep the points and yuan they were made at (their own rows)."""
    goods = _mine(store, user, goods_id)
    clean = _clean(values, partial=True)
    names = {"code": "code", "name": "name", "unit": "unit", "price": "price_points", "unit_price": "unit_price",
             "subsidy_rate": "subsidy_rate"}
    changed = {k: v for k, v in clean.items() if goods[k] != v}
    if not changed:
        return

    def work(cur) -> None:
        if "code" in changed and cur.execute("SELECT 1 FROM goods WHERE org_code = ? AND code = ? AND id <> ?",
                                             [goods["org_code"], changed["code"], goods["id"]]).fetchone():
            raise EntryError(f"商品编码 {changed['code']} 已存在，请换一个编码")
        sets = ", ".join(f"{names[k]} = ?" for k in changed)
        cur.execute(f"UPDATE goods SET {sets} WHERE id = ?", [*changed.values(), goods["id"]]).fetchall()
        audit.record(cur, user.username, "goods.edit", entity="goods", entity_id=goods["id"],
                     org_code=goods["org_code"], before={k: goods[k] for k in changed}, after=changed)

    store.write(work)


def set_active(store: Store, user, goods_id: int, active: bool) -> None:
    """停用 (no longer offered at the counter; its history stays) or 启用 a goods item."""
    goods = _mine(store, user, goods_id)
    if goods["active"] == bool(active):
        return

    def work(cur) -> None:
        cur.execute("UPDATE goods SET active = ? WHERE id = ?", [bool(active), goods["id"]]).fetchall()
        audit.record(cur, user.username, "goods.enable" if active else "goods.disable", entity="goods",
                     entity_id=goods["id"], org_code=goods["org_code"], before={"active": goods["active"]},
                     after={"active": bool(active)})

    store.write(work)


def _move(cur, user, goods_id: int, org_code: str, kind: str, qty: int, day: dt.date, note: str | None,
          exchange_id: int | None = None) -> int:
    return cur.execute(
        "INSERT INTO stock_moves(goods_id, org_code, kind, qty, date, exchange_id, note, made_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [goods_id, org_code, kind, qty, day, exchange_id, note or None, user.username]).fetchone()[0]


def stock_in(cur, goods_id: int) -> int:
    return int(cur.execute("SELECT coalesce(sum(qty), 0) FROM stock_moves WHERE goods_id = ?",
                           [goods_id]).fetchone()[0])


def restock(store: Store, user, goods_id: int, qty, note: str = "", today: dt.date | None = None) -> int:
    """入库: add ``qty`` to the stock; returns the new stock."""
    goods = _mine(store, user, goods_id)
    amount = int(bounds.count(qty, "入库数量", maximum=STOCK_MAX))
    note = bounds.text(note, "备注")
    day = today or dt.date.today()

    def work(cur) -> int:
        before = stock_in(cur, goods["id"])
        move = _move(cur, user, goods["id"], goods["org_code"], "restock", amount, day, note)
        audit.record(cur, user.username, "goods.restock", entity="goods", entity_id=goods["id"],
                     org_code=goods["org_code"], before={"stock": before},
                     after={"stock": before + amount, "qty": amount, "move": move}, reason=note or None)
        return before + amount

    return store.write(work)


def stocktake(store: Store, user, goods_id: int, counted, reason: str, today: dt.date | None = None) -> int:
    """盘点: the counted quantity becomes the stock through a correcting move that carries
    the reason (损耗, 过期 …); returns the correction (0 when the count matches)."""
    goods = _mine(store, user, goods_id)
    if counted in (None, ""):
        raise EntryError("请填写盘点数量")
    value = bounds.number(counted, "盘点数量")
    if value < 0 or value != value.to_integral_value() or value > STOCK_MAX:
        raise EntryError(f"盘点数量应为 0 到 {STOCK_MAX} 之间的整数，填写的是 {value}")
    reason = bounds.text(reason, "盘点说明", required=True)
    day = today or dt.date.today()

    def work(cur) -> int:
        lock_rows(cur, "goods", [goods["id"]])  # an exchange at the counter meanwhile waits
        before = stock_in(cur, goods["id"])
        diff = int(value) - before
        if diff:
            _move(cur, user, goods["id"], goods["org_code"], "stocktake", diff, day, reason)
        audit.record(cur, user.username, "goods.stocktake", entity="goods", entity_id=goods["id"],
                     org_code=goods["org_code"], before={"stock": before}, after={"stock": int(value), "qty": diff},
                     reason=reason)
        return diff

    return store.write(work)


def moves(store: Store, goods_id: int, limit: int = 50) -> list[dict]:
    rows = store.all("SELECT date, kind, qty, note, made_by FROM stock_moves WHERE goods_id = ?"
                     " ORDER BY id DESC LIMIT ?", [goods_id, limit])
    return [{"date": d, "kind": MOVE_NAMES.get(k, k), "qty": q, "note": n, "made_by": by} for d, k, q, n, by in rows]
