"""兑换 at the 积分超市 counter, and its undo.

One transaction writes the exchange rows (one per goods line), their stock moves and the
audit. Every refusal is a Chinese sentence saying why, raised before anything is written:
the balance would go negative, a quantity is over stock or not a positive whole number, the
subject has a ``no_redeem`` veto, the scheme's exchange window is closed, a goods item is
inactive or of another village, the subject is outside the user's scope.

The balance is the engine's (``balance.subject_balance``), computed before the write. On
PostgreSQL two counters may exchange for one household at once: the write locks the
household's ``members`` row, then checks that no exchange of theirs appeared since the
balance was computed; if one did, the balance is computed again and the check repeated.
A request key makes a double click one exchange (the lines share the key: ``key``,
``key#2`` …, since PostgreSQL keeps each key unique).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from core import audit, bounds
from core.auth import require, scope_for
from core.decimals import fmt
from core.services.entry_rules import EntryError, MemberRow, member_row, require_active
from core.store import Store
from core.store.locks import lock_rows
from core.supermarket.balance import subject_balance
from core.supermarket.goods import _move, goods_rows, list_goods
from core.supermarket.rules import MarketRuleError, window_closed

CENT = Decimal("0.01")
ATTEMPTS = 5


@dataclass(frozen=True)
class Receipt:
    ids: tuple[int, ...]
    points: Decimal
    before: Decimal  # the balance before the exchange
    after: Decimal


class _Stale(Exception):
    """Another exchange of the same subject committed after the balance was computed."""


def _last_exchange(run, subject_id: str) -> int:
    return int(run("SELECT coalesce(max(id), 0) FROM exchanges WHERE subject_id = ?", [subject_id])[0][0])


def _resolve(store: Store, subject: MemberRow, lines) -> list[tuple[dict, int]]:
    """[(goods, qty)] from (goods id or code, qty) pairs; refuses a bad quantity, unknown,
    inactive or another village's goods."""
    if not lines:
        raise EntryError("请选择要兑换的商品")
    if not isinstance(lines, (list, tuple)) or any(not isinstance(line, (list, tuple)) or len(line) != 2
                                                   for line in lines):
        raise EntryError("兑换清单应为每行一种商品及其数量")
    mine = list_goods(store, subject.branch_code)
    by_code = {g["code"]: g for g in mine}
    by_id = {g["id"]: g for g in mine}
    out = []
    for i, (ref, qty) in enumerate(lines, start=1):
        goods = by_code.get(ref) if isinstance(ref, str) else by_id.get(ref)
        if goods is None:
            other = store.one("SELECT g.name, o.name FROM goods g JOIN orgs o ON o.code = g.org_code"
                              " WHERE " + ("g.code = ?" if isinstance(ref, str) else "g.id = ?"), [ref])
            if other is not None:
                raise EntryError(f"第 {i} 行：商品「{other[0]}」属于{other[1]}，不能为本村（{subject.branch_code}）的"
                                 f"{subject.name}兑换")
            raise EntryError(f"第 {i} 行：未找到商品 {ref}")
        if not goods["active"]:
            raise EntryError(f"第 {i} 行：商品「{goods['name']}」已停用，不能兑换")
        if isinstance(qty, float) and qty != int(qty):
            raise EntryError(f"第 {i} 行「{goods['name']}」的数量应为正整数，填写的是 {qty}")
        amount = bounds.count(qty, f"第 {i} 行「{goods['name']}」的数量")
        out.append((goods, int(amount)))
    return out


def _check_stock(cur, picked: list[tuple[dict, int]]) -> dict[int, dict]:
    now = goods_rows(cur, [g["id"] for g, _ in picked])
    wanted: dict[int, int] = {}
    for goods, qty in picked:
        wanted[goods["id"]] = wanted.get(goods["id"], 0) + qty
    for goods_id, qty in wanted.items():
        goods = now[goods_id]
        if qty > goods["stock"]:
            raise EntryError(f"「{goods['name']}」库存只有 {goods['stock']}{goods['unit'] or ''}，"
                             f"兑换 {qty}{goods['unit'] or ''} 超出库存，不予兑换")
    return now


def _existing(cur, request_key: str | None) -> list[int]:
    if not request_key:
        return []
    return [r[0] for r in cur.execute(
        "SELECT id FROM exchanges WHERE request_key = ? OR starts_with(request_key, ?) ORDER BY id",
        [request_key, request_key + "#"]).fetchall()]


def quote(store: Store, user, subject_id: str, lines, today: dt.date | None = None) -> Receipt:
    """What the exchange would cost and leave, with every refusal checked, writing nothing
    (the counter shows it before the clerk confirms)."""
    return _prepare(store, user, subject_id, lines, today)[0]


def _prepare(store: Store, user, subject_id: str, lines, today: dt.date | None):
    require(user, "exchange")
    subject_id = bounds.text(subject_id, "对象编号", required=True, max_len=bounds.NAME_MAX, multiline=False)
    scope_for(store, user).check_member(store, subject_id)
    subject = member_row(store, subject_id)
    require_active(subject)
    day = today or dt.date.today()
    picked = _resolve(store, subject, lines)
    with store.cursor() as cur:
        _check_stock(cur, picked)
    seen = _last_exchange(store.all, subject.id)
    held = subject_balance(store, subject, day)
    try:
        closed = window_closed(held.scheme, day)
    except MarketRuleError as exc:
        raise EntryError(str(exc)) from None
    if closed:
        raise EntryError(closed)
    if held.balance is None:
        raise EntryError(f"{subject.name} 本周期没有可用积分（免于积分管理），不能兑换")
    if not held.redeemable:
        raise EntryError(f"{subject.name} 有一票否决事项（积分照常累计，但不参与积分兑换），不予兑换")
    cost = sum((g["price"] * q for g, q in picked), Decimal(0))
    if cost > held.balance:
        raise EntryError(f"{subject.name} 可用余额 {fmt(held.balance)} 分，本次兑换需 {fmt(cost)} 分，"
                         f"兑换后余额将为负数，不予兑换")
    return Receipt((), cost, held.balance, held.balance - cost), subject, picked, day, seen


def exchange(store: Store, user, subject_id: str, lines, today: dt.date | None = None,
             request_key: str | None = None, note: str = "") -> Receipt:
    """Exchange ``lines`` [(goods id or code, qty)] for the subject's points; returns the
    receipt (the exchange ids, points, balance before and after)."""
    note = bounds.text(note, "备注")
    for _ in range(ATTEMPTS):
        with store.cursor() as cur:
            done = _existing(cur, request_key)
        if done:
            return _receipt_of(store, done, today)
        receipt, subject, picked, day, seen = _prepare(store, user, subject_id, lines, today)
        try:
            ids = store.write(lambda cur: _write(cur, user, subject, picked, day, seen, request_key, note))
        except _Stale:
            continue
        return Receipt(tuple(ids), receipt.points, receipt.before, receipt.after)
    raise EntryError("该户同时有其他兑换正在办理，请稍后重试")


def _write(cur, user, subject: MemberRow, picked, day: dt.date, seen: int, request_key, note: str) -> list[int]:
    done = _existing(cur, request_key)
    if done:
        return done
    lock_rows(cur, "members", [subject.id])  # a second counter's exchange for this household waits here
    lock_rows(cur, "goods", sorted({g["id"] for g, _ in picked}))
    if _last_exchange(lambda q, p: cur.execute(q, p).fetchall(), subject.id) != seen:
        raise _Stale()
    now = _check_stock(cur, picked)
    ids = []
    for n, (goods, qty) in enumerate(picked, start=1):
        points = goods["price"] * qty
        amount = (goods["unit_price"] * qty).quantize(CENT, ROUND_HALF_UP)
        subsidy = (amount * goods["subsidy_rate"]).quantize(CENT, ROUND_HALF_UP)
        key = None if not request_key else (request_key if n == 1 else f"{request_key}#{n}")
        exchange_id = cur.execute(
            "INSERT INTO exchanges(subject_id, org_code, goods_id, qty, points, amount, subsidy, date, note, made_by,"
            " request_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [subject.id, goods["org_code"], goods["id"], qty, points, amount, subsidy, day, note or None,
             user.username, key]).fetchone()[0]
        _move(cur, user, goods["id"], goods["org_code"], "exchange", -qty, day, None, exchange_id)
        audit.record(cur, user.username, "exchange.make", entity="exchange", entity_id=exchange_id,
                     org_code=subject.branch_code, member_id=subject.id,
                     after={"goods": goods["code"], "name": goods["name"], "qty": qty, "points": points,
                            "amount": amount, "subsidy": subsidy, "date": day,
                            "stock": now[goods["id"]]["stock"] - qty})
        now[goods["id"]]["stock"] -= qty
        ids.append(exchange_id)
    return ids


def _receipt_of(store: Store, ids: list[int], today: dt.date | None) -> Receipt:
    """The receipt of an exchange already made (a double click): its points, and the
    balance now with the balance it left from."""
    subject_id, points = store.one("SELECT min(subject_id), coalesce(sum(points), 0) FROM exchanges"
                                   " WHERE id = ANY(?)", [ids])
    after = subject_balance(store, member_row(store, subject_id), today or dt.date.today()).balance
    return Receipt(tuple(ids), Decimal(points), after + Decimal(points), after)


def undo(store: Store, user, exchange_id: int, reason: str, today: dt.date | None = None) -> int:
    """撤销 a mistaken exchange: a reversal row (the points come back to the balance) and an
    ``undo`` stock move (the goods back on the shelf); an exchange is undone at most once.
    Returns the reversal's id."""
    require(user, "exchange")
    exchange_id = bounds.record_id(exchange_id, "兑换记录编号")
    reason = bounds.text(reason, "撤销理由", required=True)
    row = store.one("SELECT subject_id, org_code, goods_id, qty, points, amount, subsidy, reverses"
                    " FROM exchanges WHERE id = ?", [exchange_id])
    if row is None:
        raise EntryError(f"未找到兑换记录 {exchange_id}")
    subject_id, org_code, goods_id, qty, points, amount, subsidy, reverses = row
    scope_for(store, user).check_member(store, subject_id)
    if reverses is not None:
        raise EntryError(f"记录 {exchange_id} 本身是撤销记录，不能再撤销")
    day = today or dt.date.today()

    def work(cur) -> int:
        lock_rows(cur, "exchanges", [exchange_id])  # two undos of one exchange: the second sees the first
        if cur.execute("SELECT 1 FROM exchanges WHERE reverses = ?", [exchange_id]).fetchone():
            raise EntryError(f"兑换记录 {exchange_id} 已撤销过，不能重复撤销")
        undo_id = cur.execute(
            "INSERT INTO exchanges(subject_id, org_code, goods_id, qty, points, amount, subsidy, date, reverses, note,"
            " made_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [subject_id, org_code, goods_id, -qty, -points, -amount, -subsidy, day, exchange_id, reason,
             user.username]).fetchone()[0]
        _move(cur, user, goods_id, org_code, "undo", qty, day, reason, undo_id)
        audit.record(cur, user.username, "exchange.undo", entity="exchange", entity_id=undo_id, org_code=org_code,
                     member_id=subject_id, before={"exchange": exchange_id, "qty": qty, "points": points},
                     reason=reason)
        return undo_id

    return store.write(work)


def recent(store: Store, org_code: str, subject_id: str | None = None, limit: int = 30) -> list[dict]:
    """The latest exchanges of a village (or one subject), newest first, with whether each
    was undone, for the counter's list and its undo button."""
    where, params = "x.org_code = ?", [org_code]
    if subject_id:
        where, params = where + " AND x.subject_id = ?", params + [subject_id]
    rows = store.all(
        "SELECT x.id, x.date, m.name, g.name, x.qty, g.unit, x.points, coalesce(u.display_name, x.made_by),"
        " EXISTS (SELECT 1 FROM exchanges u WHERE u.reverses = x.id)"
        " FROM exchanges x JOIN members m ON m.id = x.subject_id JOIN goods g ON g.id = x.goods_id"
        " LEFT JOIN users u ON u.username = x.made_by"
        f" WHERE {where} AND x.reverses IS NULL ORDER BY x.id DESC LIMIT ?", params + [limit])
    return [{"id": i, "date": d, "subject": s, "goods": g, "qty": q, "unit": u or "", "points": p, "made_by": by,
             "undone": bool(undone)} for i, d, s, g, q, u, p, by, undone in rows]
