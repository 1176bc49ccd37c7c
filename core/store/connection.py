"""One DuckDB connection per process; a cursor per unit of work; one write path.

DuckDB lets only one process open the file, and concurrent updates of a row raise
a TransactionException, so every write goes through ``Store.write``: a process-wide
lock, a fresh cursor, BEGIN/COMMIT, and a retry on transaction conflicts.
"""

from __future__ import annotations

import atexit
import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

import duckdb

from core.store.migrations import migrate

T = TypeVar("T")

_CONFIG = {
    # Only core_functions, icu, json and parquet are bundled and there is no internet.
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}
# DuckDB's buffer pool defaults to 80% of RAM and counts against the app's memory; a
# county's dashboards fit well inside this, and larger work spills to disk.
DEFAULT_MEMORY_LIMIT = "512MB"
_RETRIES = 5


class TransactionConflict(RuntimeError):
    """A write still conflicted after all retries."""


def default_db_path() -> Path:
    return Path(os.environ.get("JIFEN_DB") or "data/jifen.duckdb")


class Store:
    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else default_db_path()
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.con = duckdb.connect(str(self.path), config=dict(
            _CONFIG, memory_limit=os.environ.get("JIFEN_DB_MEMORY", DEFAULT_MEMORY_LIMIT)))
        self._lock = threading.RLock()
        self._closed = False
        migrate(self.con)
        atexit.register(self.close)

    # -- reads -------------------------------------------------------------
    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor for one unit of read work (cursors are cheap and thread-safe to hand out)."""
        return self.con.cursor()

    def all(self, sql: str, params: list | tuple | None = None) -> list[tuple]:
        with self.cursor() as cur:
            return cur.execute(sql, params or []).fetchall()

    def one(self, sql: str, params: list | tuple | None = None) -> tuple | None:
        with self.cursor() as cur:
            return cur.execute(sql, params or []).fetchone()

    def scalar(self, sql: str, params: list | tuple | None = None) -> Any:
        row = self.one(sql, params)
        return row[0] if row else None

    def frame(self, sql: str, params: list | tuple | None = None):
        """A Polars frame for ``sql``."""
        with self.cursor() as cur:
            return cur.sql(sql, params=list(params or [])).pl()

    # -- writes ------------------------------------------------------------
    def write(self, work: Callable[[duckdb.DuckDBPyConnection], T], *, bump: bool = True) -> T:
        """Run ``work(cur)`` in one transaction under the process-wide write lock.

        The work must be idempotent up to its own commit: on a transaction conflict the
        whole unit is rolled back and run again. ``bump=False`` is for bookkeeping that no
        page shows (a session's last-seen time): it leaves ``data_version``, and so every
        page cache, alone.
        """
        last: Exception | None = None
        with self._lock:
            for attempt in range(_RETRIES):
                cur = self.con.cursor()
                try:
                    cur.execute("BEGIN TRANSACTION")
                    result = work(cur)
                    if bump:
                        cur.execute(
                            "UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) "
                            "WHERE key = 'data_version'"
                        )
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
        raise TransactionConflict(f"写入冲突，重试{_RETRIES}次后仍失败：{last}")

    def data_version(self) -> int:
        """Bumped by every write: page caches key on it."""
        return int(self.scalar("SELECT value FROM meta WHERE key = 'data_version'"))

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


_stores: dict[str, Store] = {}
_stores_lock = threading.Lock()


def open_store(path: str | Path | None = None) -> Store:
    """The process's Store for ``path`` (one connection per file per process)."""
    key = str(Path(path) if path is not None else default_db_path())
    with _stores_lock:
        store = _stores.get(key)
        if store is None or store._closed:
            store = _stores[key] = Store(key)
        return store


@contextmanager
def temporary_store() -> Iterator[Store]:
    store = Store(":memory:")
    try:
        yield store
    finally:
        store.close()
