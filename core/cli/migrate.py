"""`migrate --from FILE --to URL`: move a DuckDB file into an empty PostgreSQL database
(the copying and checking live in core.store.transfer; this verb only prints)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from core.cli import fail, probe_server, progress, server_label
from core.store import is_server_url
from core.store.transfer import TransferError, open_pair, transfer


def register(sub) -> None:
    p = sub.add_parser("migrate", help="把 DuckDB 数据库文件迁移到一个空的 PostgreSQL 数据库（逐表核对行数和校验值）")
    p.add_argument("--from", dest="source", type=Path, required=True, help="源 DuckDB 文件，如 data/jifen.duckdb（应用需先停止）")
    p.add_argument("--to", dest="target", required=True,
                   help="目标 PostgreSQL 地址 postgresql://用户@主机:端口/库名（须为空库；不存在的表会自动建立）")
    p.set_defaults(func=run)


def run(args) -> int:
    try:
        if is_server_url(args.target) and args.source.is_file():  # (a missing source: open_pair says so)
            probe_server(args.target)  # a server that does not answer: at once, not after the pool's wait
        source, target = open_pair(args.source, args.target)
    except TransferError as exc:
        return fail(exc)
    try:
        checks = transfer(source, target, progress=progress)
    except TransferError as exc:
        return fail(exc)
    finally:
        source.close()
        target.close()
    print(table(checks))
    rows = sum(c.target_rows for c in checks)
    print(f"迁移完成：{len(checks)} 张表、{rows} 行，行数和校验值全部一致。"
          f"现在把 JIFEN_DB 设为 {server_label(args.target)}（带上密码）即可使用服务器数据库。")
    return 0


def table(checks) -> str:
    head = ("数据表", "源行数", "目标行数", "源校验值", "目标校验值", "结果")
    body = [(c.table, str(c.source_rows), str(c.target_rows), c.source_sum[:12], c.target_sum[:12],
             "一致" if c.ok else "不一致") for c in checks]
    widths = [max(_width(r[i]) for r in [head, *body]) for i in range(len(head))]
    lines = []
    for r in [head, *body]:
        cells = [cell + " " * (w - _width(cell)) if i in (0, 3, 4, 5) else " " * (w - _width(cell)) + cell
                 for i, (cell, w) in enumerate(zip(r, widths))]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _width(text: str) -> int:
    # a Chinese character takes two columns in a terminal
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
