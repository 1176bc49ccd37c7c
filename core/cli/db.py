"""`init` and `demo`: create the database, fill it with demo data."""

from __future__ import annotations

import os
import time
from pathlib import Path

from core.cli import db_of, db_option, fail, open_db, progress
from core.store import Store, is_server_url


def _db_arg(parser) -> None:
    db_option(parser)


def register(sub) -> None:
    p = sub.add_parser("init", help="创建空数据库（已有则升级结构）")
    _db_arg(p)
    p.set_defaults(func=init)
    p = sub.add_parser("demo", help="生成演示数据（S：1个镇；M：1个县；L：10个县）")
    _db_arg(p)
    p.add_argument("--size", default="S", help="S、M 或 L")  # checked by the demo: importing it costs every verb 1.2 s
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--if-missing", action="store_true", help="数据库已存在时什么也不做")
    p.set_defaults(func=make_demo)


def init(args) -> int:
    store = open_db(args)
    version = store.scalar("SELECT max(version) FROM schema_migrations")
    store.close()
    print(f"数据库就绪：{store.describe()}（结构版本 {version}）")
    return 0


def _discard(building: Path) -> None:
    for leftover in (building, building.with_name(building.name + ".wal")):
        leftover.unlink(missing_ok=True)


def make_demo(args) -> int:
    from core import demo  # only this verb pays for the demo's imports (1.2 s of the CLI's 1.8 s start)
    try:
        demo.check_size(args.size)
    except ValueError as exc:
        return fail(exc)
    path = db_of(args)
    server = is_server_url(str(path))
    if args.if_missing and not server and path.exists():
        print(f"数据库已存在，跳过演示数据：{path}")
        return 0
    started = time.perf_counter()
    # A new file is built beside its name and renamed when complete: a build killed half way
    # (Ctrl+C, a closed terminal) leaves no half database that `make run` (--if-missing) would
    # then take for a finished one.
    building = None if server or path.exists() else path.with_name(path.name + ".building")
    if building is not None:
        _discard(building)
    store = open_db(args) if building is None else Store(building)
    # on a server the database always exists: "missing" means it holds no organisation yet
    if args.if_missing and server and store.scalar("SELECT count(*) FROM orgs"):
        store.close()
        print(f"数据库已有数据，跳过演示数据：{store.describe()}")
        return 0
    try:
        counts = demo.generate(store, args.size, seed=args.seed,
                               progress=progress)
    except ValueError as exc:
        store.close()  # before its files are removed (the close in ``finally`` then does nothing)
        if building is not None:  # nothing is left of a demo refused half way
            _discard(building)
        return fail(exc)
    finally:
        store.close()
    where = store.describe()
    if building is not None:
        os.replace(building, path)
        where = str(path)
    seconds = time.perf_counter() - started
    size = "" if server else f"，文件 {path.stat().st_size / 1e6 if path.exists() else 0:.1f} MB"
    summary = "，".join(f"{demo.COUNT_NAMES.get(k, k)} {v}" for k, v in counts.items())
    print(f"演示数据已生成（规模 {args.size}）：{summary}；用时 {seconds:.1f} 秒{size}：{where}")
    return 0
