"""`bench`: time the dashboards on a demo database and print one JSON object."""

from __future__ import annotations

import json
from pathlib import Path

from core.demo import SIZES


def register(sub) -> None:
    p = sub.add_parser("bench", help="统计看板性能测试（输出 JSON）")
    p.add_argument("--size", choices=SIZES, default="S", help="演示数据规模（未指定 --db 时生成）")
    p.add_argument("--db", type=Path, default=None, help="已有的数据库文件（不指定则生成临时演示库）")
    p.add_argument("--runs", type=int, default=5, help="每项重复次数（取中位数）")
    p.set_defaults(func=bench)


def bench(args) -> int:
    from core.bench import run  # imported late: it pulls in pandas, sqlite and AppTest
    print(json.dumps(run(args.size, args.db, max(1, args.runs)), ensure_ascii=False))
    return 0
