"""The store interface: one class, two engines.

``Store(target)`` opens DuckDB for a file path (or nothing: ``JIFEN_DB`` or the default
file) and PostgreSQL for a ``postgresql://`` URL. Services, metrics, the engine and the
pages only use what this class offers:

- reads: ``all``, ``one``, ``scalar``, ``frame`` (a Polars frame), ``stream`` (batches of
  rows, for a table too large to hold) and ``cursor()`` for a unit of read work;
- the one write path, ``write(work)``: ``work(cur)`` runs in one transaction, is retried
  on a conflict, and bumps ``data_version`` (kept in the database, so every process's page
  caches see every process's writes);
- on a cursor: ``execute(sql, params).fetchall()/fetchone()``, ``executemany``,
  ``register(name, frame)``/``unregister(name)`` to use a frame as a table, and
  ``sql(sql, params=...).pl()``.

SQL is written once, with ``?`` placeholders, in the subset both engines run; the few
spellings that differ are translated in ``core.store.dialect``.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

from core.store.errors import TransactionConflict

T = TypeVar("T")
RETRIES = 8
STREAM_BATCH = 50_000


def is_server_url(target: object) -> bool:
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def default_target() -> str:
    """``JIFEN_DB`` (a file or a ``postgresql://`` URL), else the default DuckDB file."""
    return os.environ.get("JIFEN_DB") or "data/jifen.duckdb"


def target_key(target: str | Path | None) -> str:
    target = default_target() if target is None else target
    return str(target) if is_server_url(str(target)) else str(Path(target))


class Store:
    """Base of both engines; ``Store(target)`` returns the engine the target names."""

    backend = "?"
    path: Path | None = None  # the DuckDB file (None on a server)
    url: str | None = None  # a database server, which other processes may open too (None: a DuckDB file)

    def __new__(cls, target: str | Path | None = None, **kwargs):
        if cls is Store:
            key = target_key(target)
            if is_server_url(key):
                from core.store.pg import PgStore
                cls = PgStore
            else:
                from core.store.duck import DuckStore
                cls = DuckStore
        return super().__new__(cls)

    # -- reads -------------------------------------------------------------
    def cursor(self):
        raise NotImplementedError

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

    def stream(self, sql: str, params: list | tuple | None = None,
               batch: int = STREAM_BATCH) -> Iterator[list[tuple]]:
        """The rows of ``sql`` in lists of at most ``batch``, read from the engine as they are
        consumed: a whole table without holding it (migrate's checksums). DuckDB's result
        streams as it is fetched; PostgreSQL overrides this with a server-side cursor."""
        with self.cursor() as cur:
            result = cur.execute(sql, params or [])
            while rows := result.fetchmany(batch):
                yield rows

    # -- writes ------------------------------------------------------------
    def write(self, work: Callable[[Any], T], *, bump: bool = True) -> T:
        """Run ``work(cur)`` in one transaction, the one write path of both engines.

        The work must be idempotent up to its own commit: on a conflict the engine reports
        as passing (``_retryable``) the whole unit is rolled back and run again.
        ``bump=False`` is for bookkeeping that no page shows (a session's last-seen time):
        it leaves ``data_version``, and so every page cache, alone.
        """
        tried: list[BaseException] = []
        with self._writer():
            for attempt in range(RETRIES):
                with self._unit() as cur:
                    try:
                        cur.execute("BEGIN TRANSACTION")
                        result = work(cur)
                        if bump:
                            cur.execute(BUMP_SQL)
                        cur.execute("COMMIT")
                        return result
                    except BaseException as exc:
                        try:
                            cur.execute("ROLLBACK")
                        except Exception:  # noqa: BLE001 - the transaction may already be gone
                            pass
                        if not self._retryable(exc, tried):
                            raise
                        tried.append(exc)
                time.sleep(0.02 * (attempt + 1))
        raise TransactionConflict(f"写入冲突，重试{RETRIES}次后仍失败：{tried[-1]}")

    def _writer(self):
        """Held around all attempts of one write (DuckDB: the process's write lock)."""
        raise NotImplementedError

    def _unit(self):
        """A context giving the cursor of one attempt's transaction."""
        raise NotImplementedError

    def _retryable(self, exc: BaseException, tried: list[BaseException]) -> bool:
        """Whether ``exc`` is a conflict worth running the unit again for."""
        raise NotImplementedError

    def data_version(self) -> int:
        """Bumped by every write: page caches key on it."""
        return int(self.scalar("SELECT value FROM meta WHERE key = 'data_version'"))

    def refresh_statistics(self, tables: tuple[str, ...] = (), written: int | None = None) -> None:
        """After a bulk load (demo, migrate, restore, a large import): let the planner see the
        new rows now rather than when autovacuum comes round (PostgreSQL; DuckDB keeps its
        statistics as it writes). Only ``tables`` if given (an import: the ones it wrote),
        else every table; with ``written`` (the rows an import added or changed), only those
        of them that autovacuum would analyse for that many changes."""

    def checkpoint(self) -> None:
        """Make the file hold every commit (DuckDB); a server needs nothing."""

    @contextmanager
    def bulk_memory(self):
        """Within it, room for a bulk load's large transactions (DuckDB's buffer pool raised;
        a server manages its own memory)."""
        yield

    def close(self) -> None:
        raise NotImplementedError

    def describe(self) -> str:
        """Where the data is, for messages and the audit (a server URL without its password)."""
        raise NotImplementedError


BUMP_SQL = ("UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) "
            "WHERE key = 'data_version'")
