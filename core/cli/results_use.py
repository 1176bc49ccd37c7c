"""``candidates`` and ``cases``: the 结果运用 lists as JSON, thin over core.results_use.

    python -m core candidates --org C01T01 --cycle 2025 [--as zhen01]
    python -m core cases --org C01T01 [--cycle 2025] [--overdue] [--today 2026-03-10] [--as zhen01]

``--org`` is a branch or a township (all its branches; ``--branch`` is the same option).
Without ``--as`` the command reads as the county (the tree's root) does; with it, within
that user's scope (a branch outside it is refused and audited, as on the page).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from core import bounds
from core.auth import PermissionDenied, ScopeError, User
from core.cli import acting_user, db_option, fail, open_db
from core.results_use.candidates import candidates
from core.results_use.cases import list_cases
from core.scheme_assignments import NoSchemeError
from core.services.entry_rules import EntryError

CLI_USER = "cli"
TODAY_HELP = "按哪一天计算（默认今天），如 2026-03-10"


def _acting(store, args) -> User:
    if args.as_user:
        return acting_user(store, args.as_user)
    root = store.scalar("SELECT code FROM orgs WHERE parent_code IS NULL ORDER BY path LIMIT 1")
    if root is None:
        raise EntryError("数据库中还没有组织")
    return User(CLI_USER, "命令行", "admin", root)


def _run(args, work) -> int:
    try:
        if args.cycle is not None:
            bounds.cycle(args.cycle)
    except EntryError as exc:
        return fail(exc)
    try:
        today = dt.date.fromisoformat(args.today) if args.today else dt.date.today()
    except ValueError:
        return fail(EntryError(f"--today 应为 2026-03-10 这样的日期，实为 {args.today}"))
    store = open_db(args, must_exist=True)
    try:
        if store.scalar("SELECT 1 FROM orgs WHERE code = ?", [args.org]) is None:
            return fail(EntryError(f"未知组织编码：{args.org}"))
        out = work(store, _acting(store, args), today)
    except (EntryError, NoSchemeError, PermissionDenied, ScopeError) as exc:
        return fail(exc)
    finally:
        store.close()
    print(json.dumps(out, ensure_ascii=False, indent=2, default=str))
    return 0


def run_candidates(args) -> int:
    def work(store, user, today):
        chosen, struck = candidates(store, user, args.org, args.cycle, today)
        return {"org": args.org, "cycle": args.cycle, "candidates": [dataclasses.asdict(c) for c in chosen],
                "struck_out": [dataclasses.asdict(c) for c in struck]}
    return _run(args, work)


def run_cases(args) -> int:
    def work(store, user, today):
        found = list_cases(store, user, args.org, today, cycle=args.cycle, overdue=args.overdue)
        return {"org": args.org, "today": today.isoformat(), "overdue_only": args.overdue,
                "cases": [{**dataclasses.asdict(c), "kind_name": c.kind_name, "state_text": c.state_text(today),
                           "overdue_days": c.overdue_days(today)} for c in found]}
    return _run(args, work)


def register(sub) -> None:
    p = sub.add_parser("candidates", help="评先评优推荐名单（支部或乡镇），JSON")
    p.add_argument("--org", "--branch", dest="org", required=True, help="党支部或乡镇编码，如 C01T01B01、C01T01")
    p.add_argument("--cycle", required=True, type=int, help="积分周期（起始年份），如 2025")
    p.add_argument("--today", default=None, help=TODAY_HELP)
    p.add_argument("--as", dest="as_user", default=None, metavar="USER", help="以该用户的管辖范围查询")
    db_option(p)
    p.set_defaults(func=run_candidates)
    p = sub.add_parser("cases", help="处置案件（谈心谈话、整改、转化期、支部建议、党委决定），JSON")
    p.add_argument("--org", "--branch", dest="org", required=True, help="党支部或乡镇编码")
    p.add_argument("--cycle", type=int, default=None, help="只看某积分周期的案件")
    p.add_argument("--overdue", action="store_true", help="只看逾期（转化期已满、尚未作出决定）")
    p.add_argument("--today", default=None, help=TODAY_HELP)
    p.add_argument("--as", dest="as_user", default=None, metavar="USER", help="以该用户的管辖范围查询")
    db_option(p)
    p.set_defaults(func=run_cases)
