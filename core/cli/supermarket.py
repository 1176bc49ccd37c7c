"""积分超市 verbs for support staff and scripts:

    python -m core exchange --subject H000012 --goods RICE --qty 2 --as jilu01
    python -m core balance  --subject H000012
    python -m core goods    --org C01T01B01

``exchange`` exits 2 with the reason on stderr when refused (balance, stock, veto, window,
quantity, scope); ``balance`` prints JSON with ``balance`` and ``cumulative``; ``goods``
prints a JSON list of ``{code, name, price, stock}`` (plus unit, unit price, subsidy share
and whether the goods is active).
"""

from __future__ import annotations

import datetime as dt
import json

from core.auth import PermissionDenied, ScopeError
from core.cli import acting_user, db_option, fail, open_db
from core.scheme_assignments import NoSchemeError
from core.services.case import plain_number
from core.services.entry_rules import EntryError
from core.supermarket.balance import balance
from core.supermarket.exchange import exchange
from core.supermarket.goods import list_goods

REFUSED = (EntryError, NoSchemeError, PermissionDenied, ScopeError)


def _today(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise EntryError(f"--date 应为日期，如 2025-07-01：{text}") from None


def register(sub) -> None:
    p = sub.add_parser("exchange", help="积分超市：为一户（一人）兑换商品（被拒绝时退出码 2 并说明原因）")
    p.add_argument("--subject", required=True, help="户（对象）编号")
    p.add_argument("--goods", required=True, help="商品编码（本村商品目录中的编码）")
    p.add_argument("--qty", required=True, help="数量（正整数）")
    p.add_argument("--as", dest="as_user", required=True, help="以哪个用户的身份办理（记入操作日志）")
    p.add_argument("--date", default=None, help="兑换日期（默认今天），如 2025-07-01")
    p.add_argument("--request-key", default=None, help="请求标识：同一标识重复提交只兑换一次")
    db_option(p)
    p.set_defaults(func=run_exchange)

    p = sub.add_parser("balance", help="积分超市：一户（一人）的可用余额与累计积分（JSON）")
    p.add_argument("--subject", required=True, help="户（对象）编号")
    p.add_argument("--date", default=None, help="按哪一天计算（默认今天），如 2025-07-01")
    db_option(p)
    p.set_defaults(func=run_balance)

    p = sub.add_parser("goods", help="积分超市：一个村的商品目录与库存（JSON）")
    p.add_argument("--org", required=True, help="村（支部）编码")
    db_option(p)
    p.set_defaults(func=run_goods)


def run_exchange(args) -> int:
    store = open_db(args, must_exist=True)
    try:
        user = acting_user(store, args.as_user)
        qty = args.qty
        receipt = exchange(store, user, args.subject, [(args.goods, qty)], today=_today(args.date),
                           request_key=args.request_key)
    except REFUSED as exc:
        return fail(exc)
    finally:
        store.close()
    print(json.dumps({"exchanges": list(receipt.ids), "points": plain_number(receipt.points),
                      "balance_before": plain_number(receipt.before), "balance": plain_number(receipt.after)},
                     ensure_ascii=False))
    return 0


def run_balance(args) -> int:
    store = open_db(args, must_exist=True)
    try:
        # the command line is support staff with the database in hand: no user scope
        result = balance(store, None, args.subject, _today(args.date))
    except REFUSED as exc:
        return fail(exc)
    finally:
        store.close()
    print(json.dumps(result.as_json(), ensure_ascii=False))
    return 0


def run_goods(args) -> int:
    store = open_db(args, must_exist=True)
    try:
        if store.scalar("SELECT 1 FROM orgs WHERE code = ?", [args.org]) is None:
            return fail(ValueError(f"未知组织编码：{args.org}"))
        rows = list_goods(store, args.org)
    finally:
        store.close()
    print(json.dumps([{"code": g["code"], "name": g["name"], "price": plain_number(g["price"]), "stock": g["stock"],
                       "unit": g["unit"], "unit_price": plain_number(g["unit_price"]),
                       "subsidy_rate": plain_number(g["subsidy_rate"]), "active": g["active"]} for g in rows],
                     ensure_ascii=False))
    return 0
