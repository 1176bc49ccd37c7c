"""`scheme list|assign`: the shipped schemes, and which one a township or branch uses from a
date on, so that a CLI-only installation can assign schemes before importing points (the
积分方案 page does the same through ``assign_scheme``)."""

from __future__ import annotations

import datetime as dt

from core.auth import PermissionDenied, ScopeError
from core.cli import acting_user, db_option, fail, open_db
from core.scheme import list_schemes
from core.scheme_assignments import NoSchemeError, assign_scheme


def register(sub) -> None:
    p = sub.add_parser("scheme", help="积分方案：列出可用方案、为乡镇或支部设置方案")
    verbs = p.add_subparsers(dest="scheme_command", required=True)
    v = verbs.add_parser("list", help="列出可用的积分方案（编号和名称）")
    v.set_defaults(func=scheme_list)
    v = verbs.add_parser("assign", help="为乡镇（或个别支部）设置积分方案，从某日起执行")
    v.add_argument("org", help="组织编码，如 C01T01")
    v.add_argument("scheme", help="方案编号，如 party-q100-3to1（见 scheme list）")
    v.add_argument("--from", dest="from_date", required=True, help="启用日期，如 2025-07-01")
    v.add_argument("--reason", default="", help="说明（记入操作日志）")
    v.add_argument("--as", dest="as_user", required=True, help="以哪个用户的身份操作（记入操作日志）")
    db_option(v)
    v.set_defaults(func=scheme_assign)


def scheme_list(args) -> int:
    for scheme in list_schemes():
        print(f"{scheme.id}\t{scheme.name}")
    return 0


def scheme_assign(args) -> int:
    try:
        from_date = dt.date.fromisoformat(args.from_date)
    except ValueError:
        return fail(ValueError(f"--from：日期应写成 2025-07-01，不是「{args.from_date}」"))
    if args.scheme not in {s.id for s in list_schemes()}:
        return fail(ValueError(f"未知方案「{args.scheme}」；可用的方案见 python -m core scheme list"))
    store = open_db(args)
    try:
        user = acting_user(store, args.as_user)
        name = store.scalar("SELECT name FROM orgs WHERE code = ?", [args.org])
        if name is None:
            return fail(ValueError(f"未知组织编码：{args.org}"))
        assign_scheme(store, user, args.org, args.scheme, from_date, reason=args.reason)
    except (ValueError, NoSchemeError, PermissionDenied, ScopeError) as exc:
        return fail(exc)
    finally:
        store.close()
    print(f"已设置：{name}（{args.org}）自 {from_date:%Y-%m-%d} 起使用方案 {args.scheme}")
    return 0
