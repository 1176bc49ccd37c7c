"""`backup` and `restore`."""

from __future__ import annotations

from pathlib import Path

from core.backup import BackupError, backup, default_backup_dir, restore
from core.cli import fail
from core.store import Store, default_db_path


def register(sub) -> None:
    p = sub.add_parser("backup", help="备份整个数据库到一个目录（应用需先停止，或在系统管理页面备份）")
    p.add_argument("--db", type=Path, default=None)
    p.add_argument("--to", type=Path, default=None,
                   help="备份目录（默认 JIFEN_BACKUP_DIR，未设置时为数据库旁的 backups/jifen-时间）")
    p.set_defaults(func=run_backup)
    p = sub.add_parser("restore", help="从备份目录恢复为一个新的数据库文件")
    p.add_argument("src", type=Path, help="备份目录")
    p.add_argument("--db", type=Path, default=None, help="要创建的数据库文件（不能已存在）")
    p.set_defaults(func=run_restore)


def run_backup(args) -> int:
    store = Store(args.db or default_db_path())
    try:
        dest = backup(store, args.to or default_backup_dir(store), username="cli")
    except BackupError as exc:
        return fail(exc)
    finally:
        store.close()
    print(f"已备份到：{Path(dest).resolve()}")
    return 0


def run_restore(args) -> int:
    try:
        path = restore(args.src, args.db or default_db_path())
    except BackupError as exc:
        return fail(exc)
    Store(path).close()  # applies any migration newer than the backup
    print(f"已恢复数据库：{path}")
    return 0
