"""Backup and restore of the whole database.

DuckDB refuses a second process even read-only, so a backup runs inside the process
that holds the file (the app, or the CLI when the app is stopped): EXPORT DATABASE under
the write lock gives a consistent copy. A restore imports into a new, empty file.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from pathlib import Path

import duckdb

from core import audit
from core.store import Store
from core.store.duck import CONFIG as _CONFIG


class BackupError(ValueError):
    pass


def backup(store: Store, dest: str | Path, username: str = "system") -> Path:
    """Export every table to ``dest`` (a new folder of Parquet files plus schema.sql/load.sql)."""
    dest = Path(dest).resolve()  # shown to the admin and kept in the audit row: say exactly where
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"备份目录已存在且不为空：{dest}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    # The audit row goes in first so that the backup itself records that it was taken.
    store.write(lambda cur: audit.record(cur, username, "backup", entity="database", reason=str(dest)))
    with store._lock:
        with store.cursor() as cur:
            cur.execute(f"EXPORT DATABASE {_quote(dest)} (FORMAT parquet)").fetchall()
    return dest


def backup_root(store: Store) -> Path:
    """Where backups go: ``JIFEN_BACKUP_DIR`` if set, else a ``backups`` folder next to the
    database file, so a backup is found beside the data it copies (absolute, to be shown)."""
    configured = os.environ.get("JIFEN_BACKUP_DIR")
    root = Path(configured) if configured else store.path.parent / "backups"
    return root.resolve()


def default_backup_dir(store: Store, now: dt.datetime | None = None) -> Path:
    """A new folder under ``backup_root`` named for the time; a second backup within the same
    second gets a suffix rather than being refused."""
    base = backup_root(store) / (now or dt.datetime.now()).strftime("jifen-%Y%m%d-%H%M%S")
    dest, n = base, 1
    while dest.exists():
        n += 1
        dest = base.with_name(f"{base.name}-{n}")
    return dest


def list_backups(store: Store) -> list[Path]:
    """The backup folders under ``backup_root``, newest first."""
    root = backup_root(store)
    if not root.is_dir():
        return []
    return sorted((p for p in root.iterdir() if (p / "schema.sql").exists()), key=lambda p: p.name, reverse=True)


def zip_bytes(folder: str | Path) -> bytes:
    """A backup folder as one zip (for the admin's download); unzipped, it restores as is."""
    folder = Path(folder)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, Path(folder.name) / path.relative_to(folder))
    return buffer.getvalue()


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
        # A restored copy must not let old browsers back in: its login sessions are ended.
        if con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'sessions'").fetchone()[0]:
            con.execute("UPDATE sessions SET revoked_at = current_localtimestamp(), revoke_reason = 'restored'"
                        " WHERE revoked_at IS NULL").fetchall()
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
