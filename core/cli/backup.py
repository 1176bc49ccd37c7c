"""`backup` and `restore`, on either store (see core.backup for how each is copied)."""

from __future__ import annotations

from pathlib import Path

from core.backup import BackupError, backup, default_backup_dir, restore
from core.cli import db_of, db_option, fail, open_db, server_label
from core.store import Store, is_server_url


def register(sub) -> None:
    p = sub.add_parser("backup", help="备份整个数据库到一个目录（DuckDB 文件需先停止应用，或在系统管理页面备份；"
                                      "PostgreSQL 可在运行中备份）")
    db_option(p)
    p.add_argument("--to", type=Path, default=None,
                   help="备份目录（默认 JIFEN_BACKUP_DIR，未设置时为数据库旁的 backups/jifen-时间）")
    p.set_defaults(func=run_backup)
    p = sub.add_parser("restore", help="从备份目录恢复为一个新的数据库（新文件，或服务器上新建的空数据库）")
    p.add_argument("src", type=Path, help="备份目录")
    db_option(p, help="要恢复到的数据库：不存在的 DuckDB 文件路径，或 postgresql://…/新建的空库"
                      "（默认取环境变量 JIFEN_DB，未设置时为 data/jifen.duckdb）")
    p.set_defaults(func=run_restore)


def run_backup(args) -> int:
    store = open_db(args, must_exist=True)
    try:
        dest = backup(store, args.to or default_backup_dir(store), username="cli")
    except BackupError as exc:
        return fail(exc)
    finally:
        store.close()
    print(f"已备份到：{Path(dest).resolve()}")
    return 0


def run_restore(args) -> int:
    target = db_of(args)
    try:
        restored = restore(args.src, target)
    except BackupError as exc:
        return fail(exc)
    Store(restored).close()  # applies any migration newer than the backup
    where = restored if not is_server_url(str(restored)) else server_label(str(restored))
    print(f"已恢复数据库：{where}")
    return 0

