"""The embedded engine: one DuckDB connection per process, a cursor per unit of work.

DuckDB lets only one process open the file, and concurrent updates of a row raise a
TransactionException, so every write goes through ``write``: a process-wide lock, a fresh
cursor, BEGIN/COMMIT, and a retry on transaction conflicts.
"""

from __future__ import annotations

import atexit
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

from core.store.base import Store, default_target
from core.store.errors import StoreUnavailable
from core.store.migrations import migrate

CONFIG = {
    # Only core_functions, icu, json and parquet are bundled and there is no internet.
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}
# DuckDB's buffer pool defaults to 80% of RAM and counts against the app's memory; a
# county's dashboards fit well inside this, and larger work spills to disk.
DEFAULT_MEMORY_LIMIT = "512MB"
# The demo's bulk load holds a county's ~2M uncommitted events beside the indexes of the
# counties before it: L (10 counties) overran 512 MB at its third county and built in 3 GB.
BULK_MEMORY_LIMIT = "3GB"


def connect(path: str | Path, **config) -> duckdb.DuckDBPyConnection:
    """Open the file, or say in Chinese that another process holds it."""
    try:
        return duckdb.connect(str(path), config=dict(CONFIG, **config))
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise StoreUnavailable(
                f"数据库文件 {path} 正被另一个程序（通常是正在运行的积分系统）使用。"
                "请先停止它，或在系统页面中操作（备份在系统内进行）。") from exc
        raise StoreUnavailable(f"无法打开数据库文件 {_shown(path)}：{_why(exc)}") from exc
    except duckdb.Error as exc:  # a path DuckDB cannot take at all (undecodable bytes in its name)
        raise StoreUnavailable(f"无法打开数据库文件 {_shown(path)}：路径中有无法识别的字符") from exc


def _why(exc: Exception) -> str:
    """Why a file did not open, in the user's words (a folder, not a database, no access)."""
    text = str(exc)
    if "Is a directory" in text:
        return "这是一个文件夹，请给出数据库文件的路径"
    if "not a valid DuckDB database" in text:
        return "这不是积分系统的数据库文件"
    if "Permission denied" in text:
        return "没有读写权限"
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def _shown(path) -> str:
    """The path as a message can print it (undecodable bytes shown as escapes)."""
    from core.bounds import printable  # late: core.bounds imports core.store, which imports this

    return printable(path)


class DuckStore(Store):
    backend = "duckdb"

    def __init__(self, target: str | Path | None = None):
        self.path = Path(default_target() if target is None else target)
        if str(self.path) != ":memory:":
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:  # a file where a folder should be, no permission
                why = "没有权限" if isinstance(exc, PermissionError) else "路径中有一段不是文件夹"
                raise StoreUnavailable(f"无法建立数据库所在的文件夹 {_shown(self.path.parent)}：{why}") from None
        self.memory_limit = os.environ.get("JIFEN_DB_MEMORY", DEFAULT_MEMORY_LIMIT)
        self.con = connect(self.path, memory_limit=self.memory_limit)
        self._lock = threading.RLock()
        self._closed = False
        migrate(self.con, self.backend)
        atexit.register(self.close)

    def describe(self) -> str:
        return str(self.path)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor for one unit of read work (cursors are cheap and thread-safe to hand out)."""
        return self.con.cursor()

    def _writer(self):
        return self._lock  # one writer per process, as DuckDB allows one process per file

    @contextmanager
    def _unit(self) -> Iterator[duckdb.DuckDBPyConnection]:
        cur = self.con.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def _retryable(self, exc: BaseException, tried: list[BaseException]) -> bool:
        return isinstance(exc, duckdb.TransactionException)

    def checkpoint(self) -> None:
        with self._lock:
            self.con.execute("CHECKPOINT").fetchall()

    @contextmanager
    def bulk_memory(self):
        with self._lock:
            self.con.execute(f"SET memory_limit = '{BULK_MEMORY_LIMIT}'").fetchall()
        try:
            yield
        finally:
            with self._lock:
                self.con.execute("SET memory_limit = ?", [self.memory_limit]).fetchall()

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

