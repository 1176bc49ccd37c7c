"""The embedded engine: one DuckDB connection per process, a cursor per unit of work.

DuckDB lets only one process open the file, and concurrent updates of a row raise a
TransactionException, so every write goes through ``write``: a process-wide lock, a fresh
cursor, BEGIN/COMMIT, and a retry on transaction conflicts.
"""

from __future__ import annotations

import atexit
import os
import threading
import time
from pathlib import Path
from typing import Callable, TypeVar

import duckdb

from core.store.base import BUMP_SQL, RETRIES, Store, default_target
from core.store.errors import StoreUnavailable, TransactionConflict
from core.store.migrations import migrate

T = TypeVar("T")

CONFIG = {
    # Only core_functions, icu, json and parquet are bundled and there is no internet.
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}
# DuckDB's buffer pool defaults to 80% of RAM and counts against the app's memory; a
# county's dashboards fit well inside this, and larger work spills to disk.
DEFAULT_MEMORY_LIMIT = "512MB"


def connect(path: str | Path, **config) -> duckdb.DuckDBPyConnection:
    """Open the file, or say in Chinese that another process holds it."""
    try:
        return duckdb.connect(str(path), config=dict(CONFIG, **config))
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise StoreUnavailable(
                f"数据库文件 {path} 正被另一个程序（通常是正在运行的积分系统）使用。"
                "请先停止它，或在系统页面中操作（备份在系统内进行）。") from exc
        raise


class DuckStore(Store):
    backend = "duckdb"

    def __init__(self, target: str | Path | None = None):
        self.path = Path(default_target() if target is None else target)
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.con = connect(self.path, memory_limit=os.environ.get("JIFEN_DB_MEMORY", DEFAULT_MEMORY_LIMIT))
        self._lock = threading.RLock()
        self._closed = False
        migrate(self.con, self.backend)
        atexit.register(self.close)

    def describe(self) -> str:
        return str(self.path)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor for one unit of read work (cursors are cheap and thread-safe to hand out)."""
        return self.con.cursor()

    def write(self, work: Callable[[duckdb.DuckDBPyConnection], T], *, bump: bool = True) -> T:
        """Run ``work(cur)`` in one transaction under the process-wide write lock.

        The work must be idempotent up to its own commit: on a transaction conflict the
        whole unit is rolled back and run again. ``bump=False`` is for bookkeeping that no
        page shows (a session's last-seen time): it leaves ``data_version``, and so every
        page cache, alone.
        """
        last: Exception | None = None
        with self._lock:
            for attempt in range(RETRIES):
                cur = self.con.cursor()
                try:
                    cur.execute("BEGIN TRANSACTION")
                    result = work(cur)
                    if bump:
                        cur.execute(BUMP_SQL)
                    cur.execute("COMMIT")
                    return result
                except duckdb.TransactionException as exc:
                    last = exc
                    _rollback(cur)
                    time.sleep(0.02 * (attempt + 1))
                except BaseException:
                    _rollback(cur)
                    raise
                finally:
                    cur.close()
        raise TransactionConflict(f"写入冲突，重试{RETRIES}次后仍失败：{last}")

    def checkpoint(self) -> None:
        with self._lock:
            self.con.execute("CHECKPOINT").fetchall()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            with self._lock:
                self.con.execute("CHECKPOINT").fetchall()
        except duckdb.Error:
            pass
        self.con.close()
        atexit.unregister(self.close)


def _rollback(cur: duckdb.DuckDBPyConnection) -> None:
    try:
        cur.execute("ROLLBACK")
    except duckdb.Error:
        pass
