"""``monthly-report``: a township's 月报 for one month, as Excel.

    python -m core monthly-report --org C01T01 --month 2025-09 --out 月报.xlsx [--as zhen01]

``--as USER`` reports within that user's scope (else the whole tree). An unknown org, a bad
month, a wrong file type or an org outside the user's scope exits 2 with a Chinese message.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from core.auth import ScopeError, scope_for
from core.auth.scope import Scope
from core.cli import acting_user, db_option, fail, open_db
from core.metrics.monthly_report import report_bytes
from core.services.entry_rules import EntryError


def _month(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(f"{text}-01")
    except ValueError:
        raise EntryError(f"--month 应为年月，如 2025-09：{text}") from None


def run(args) -> int:
    if args.out.suffix.lower() != ".xlsx":
        return fail(ValueError(f"月报的输出文件应以 .xlsx 结尾：{args.out}"))
    if not args.out.parent.exists():
        return fail(ValueError(f"输出目录不存在：{args.out.parent}"))
    store = open_db(args, must_exist=True)
    try:
        month = _month(args.month)
        if store.scalar("SELECT count(*) FROM orgs WHERE code = ?", [args.org]) == 0:
            raise EntryError(f"未知组织：{args.org}")
        scope = Scope("cli", "admin", args.org, "/")
        if args.as_user:
            scope = scope_for(store, acting_user(store, args.as_user))
        data = report_bytes(store, scope, args.org, month)
    except (EntryError, ScopeError) as exc:
        return fail(exc)
    finally:
        store.close()
    args.out.write_bytes(data)
    print(f"已导出月报：{args.out}（{len(data):,} 字节）")
    return 0


def register(sub) -> None:
    p = sub.add_parser("monthly-report", help="导出乡镇月报（每月上报1次信息动态，Excel）")
    db_option(p)
    p.add_argument("--org", required=True, help="乡镇（或支部）编码")
    p.add_argument("--month", required=True, metavar="YYYY-MM", help="月份，如 2025-09")
    p.add_argument("--out", required=True, type=Path, help="输出文件（.xlsx）")
    p.add_argument("--as", dest="as_user", default=None, metavar="USER", help="以该用户的管辖范围导出")
    p.set_defaults(func=run)
