"""``export``: the files that go out, written to ``--out``.

    python -m core export ledger    --org C01T01B01 --cycle 2025 [--period Q1] --out 台账.xlsx
    python -m core export report    --org C01T01 --cycle 2025 [--period 2026Q1] --out 报表.xlsx|.csv
    python -m core export card      --org C01T01B01 --cycle 2025 [--period Q2] [--subject M000006] --out 积分卡.pdf
    python -m core export publicity --org C01T01B01 --cycle 2025 [--period Q1] --out 公示.pdf

``--as USER`` exports within that user's scope. Bad input (unknown org or member, wrong level,
bad period, no 公示, wrong file type, the CJK font missing) exits 2 with a Chinese message.
"""

from __future__ import annotations

from pathlib import Path

from core.auth import ScopeError, scope_for
from core.cli import acting_user, fail
from core.cli.case import common_args, open_db
from core.io import exports
from core.io.pdf import FontMissing
from core.scheme_assignments import NoSchemeError
from core.services.entry_rules import EntryError


def _bytes(store, args) -> bytes:
    scope = None
    if args.as_user:
        scope = scope_for(store, acting_user(store, args.as_user))
    if args.kind == "ledger":
        return exports.ledger_xlsx(store, args.org, args.cycle, args.period, scope)
    if args.kind == "report":
        return exports.report_xlsx(store, args.org, args.cycle, args.period, scope, csv=args.out.suffix.lower() == ".csv")
    if args.kind == "card":
        return exports.card_bytes(store, args.org, args.cycle, args.period or "cycle", args.subject, scope)
    return exports.publicity_pdf(store, args.org, args.cycle, args.period or "cycle", scope)


def run(args) -> int:
    suffixes = exports.SUFFIXES[args.kind]
    if args.out.suffix.lower() not in suffixes:
        return fail(ValueError(f"{exports.KINDS[args.kind]}的输出文件应以 {' 或 '.join(suffixes)} 结尾：{args.out}"))
    if args.subject and args.kind != "card":
        return fail(ValueError("--subject 只用于积分卡（card）"))
    if not args.out.parent.exists():
        return fail(ValueError(f"输出目录不存在：{args.out.parent}"))
    try:
        store = open_db(args)
    except NoSchemeError as exc:
        return fail(exc)
    try:
        data = _bytes(store, args)
    except (exports.ExportError, EntryError, NoSchemeError, ScopeError, FontMissing) as exc:
        return fail(exc)
    finally:
        store.close()
    args.out.write_bytes(data)
    print(f"已导出{exports.KINDS[args.kind]}：{args.out}（{len(data):,} 字节）")
    return 0


def register(sub) -> None:
    p = sub.add_parser("export", help="导出台账、乡镇报表、积分卡或公示（Excel/PDF）")
    p.add_argument("kind", choices=tuple(exports.KINDS), metavar="类型",
                   help="ledger（台账）、report（乡镇报表）、card（积分卡）、publicity（公示）")
    common_args(p)
    p.add_argument("--period", default=None, metavar="PERIOD",
                   help="台账、积分卡、公示：cycle、Q1..Q4、H1/H2、M1..M12（从周期起点算起）；"
                        "乡镇报表：统计期间 2026Q1、2026-03 或 2026（默认本季度）")
    p.add_argument("--subject", default=None, help="积分卡：成员或户的编号（不填则整个支部）")
    p.add_argument("--out", required=True, type=Path, help="输出文件（.xlsx / .csv / .pdf）")
    p.add_argument("--as", dest="as_user", default=None, metavar="USER", help="以该用户的管辖范围导出")
    p.set_defaults(func=run)
