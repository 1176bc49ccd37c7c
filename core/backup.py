"""Backup and restore of the whole database.

DuckDB refuses a second process even read-only, so a backup runs inside the process
that holds the file (the app, or the CLI when the app is stopped): EXPORT DATABASE under
the write lock gives a consistent copy. A restore imports into a new, empty file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from core import audit
from core.store import Store
from core.store.connection import _CONFIG


class BackupError(ValueError):
    pass


def backup(store: Store, dest: str | Path, username: str = "system") -> Path:
    """Export every table to ``dest`` (a new folder of Parquet files plus schema.sql/load.sql)."""
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"备份目录已存在且不为空：{dest}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    # The audit row goes in first so that the backup itself records that it was taken.
    store.write(lambda cur: audit.record(cur, username, "backup", entity="database", reason=str(dest)))
    with store._lock:
        with store.cursor() as cur:
            cur.execute(f"EXPORT DATABASE {_quote(dest)} (FORMAT parquet)").fetchall()
    return dest


def default_backup_dir(root: str | Path = "data/backups") -> Path:
    return Path(root) / dt.datetime.now().strftime("jifen-%Y%m%d-%H%M%S")


def restore(src: str | Path, db_path: str | Path) -> Path:
    """Create ``db_path`` from a backup folder. Refuses to overwrite an existing database."""
    src, db_path = Path(src), Path(db_path)
    if not (src / "schema.sql").exists():
        raise BackupError(f"不是有效的备份目录（缺少 schema.sql）：{src}")
    if db_path.exists():
        raise BackupError(f"目标数据库已存在，为防止覆盖请先移走：{db_path}")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path), config=dict(_CONFIG))
    try:
        con.execute("IMPORT DATABASE " + _quote(src)).fetchall()
        con.execute("CHECKPOINT").fetchall()
    except duckdb.Error:
        con.close()
        db_path.unlink(missing_ok=True)
        raise
    con.close()
    return db_path


def _quote(path: Path) -> str:
    # EXPORT/IMPORT take a literal, not a parameter; the path is ours, quotes are escaped anyway.
    return "'" + str(path).replace("'", "''") + "'"
