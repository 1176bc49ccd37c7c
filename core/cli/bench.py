"""`bench`: time the dashboards on a demo database and print one JSON object.

``--backend postgres`` runs on PostgreSQL (``--db`` a URL, else a throwaway cluster);
``--backend both`` runs both stores on demos of one size and adds PostgreSQL / DuckDB per
figure (``ratio_pg_duckdb``).
"""

from __future__ import annotations

import json

from core.cli import db_target, fail
from core.store import is_server_url

BACKENDS = ("duckdb", "postgres", "both")


def register(sub) -> None:
    p = sub.add_parser("bench", help="统计看板性能测试（输出 JSON）")
    p.add_argument("--size", default="S", help="演示数据规模 S、M 或 L（未指定 --db 时生成）")  # checked by the demo (core/cli/db.py)
    p.add_argument("--db", type=db_target, default=None,
                   help="已有的数据库：DuckDB 文件或 postgresql:// 地址（不指定则生成临时演示库）")
    p.add_argument("--backend", choices=BACKENDS, default=None,
                   help="存储引擎：duckdb、postgres（未指定 --db 时启动临时服务器）或 both（两者各测一遍并给出比值）")
    p.add_argument("--runs", type=int, default=5, help="每项重复次数（取中位数）")
    p.set_defaults(func=bench)


def bench(args) -> int:
    from core import demo
    try:
        demo.check_size(args.size)
    except ValueError as exc:
        return fail(exc)
    runs = max(1, args.runs)
    on_server = args.db is not None and is_server_url(str(args.db))
    backend = args.backend or ("postgres" if on_server else "duckdb")
    if backend == "both" and args.db is not None:
        return fail(ValueError("--backend both 会为两种引擎各生成演示库，不能与 --db 同用"))
    if backend != "both" and args.db is not None and on_server != (backend == "postgres"):
        return fail(ValueError(f"--db {args.db} 与 --backend {backend} 不一致"))
    from core.bench import run, run_both  # imported late (after the checks): it pulls in pandas, sqlite and AppTest
    if backend == "both":
        out = run_both(args.size, runs)
    else:
        out = run(args.size, args.db, runs, backend=backend)
    print(json.dumps(out, ensure_ascii=False))
    return 0
