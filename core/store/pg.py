"""The server engine: PostgreSQL through psycopg 3 and its connection pool.

Several app processes share one server, so nothing here relies on a lock inside the
process: each write is one transaction on a pooled connection, retried when PostgreSQL
reports a serialisation failure or a deadlock, or when a unique index refuses a row that
a concurrent write added between this write's check and its insert (the retried check
then sees it). ``data_version`` is a row in the database, bumped as the last statement of
each write, so the next rerun in any process sees a write made in another.

A cursor here offers what a DuckDB cursor offers the services (see ``core.store.base``):
``execute`` returns the cursor, a statement without a result fetches its row count (as
DuckDB does), ``register`` copies a frame into a temporary table, ``sql(...).pl()`` gives
a Polars frame typed from the result's column types.
"""

from __future__ import annotations

import atexit
import os
import re
import threading
from contextlib import contextmanager
from typing import Any, Iterator

import polars as pl
import psycopg
from psycopg import errors as pg_errors
from psycopg.types.string import TextLoader
from psycopg_pool import ConnectionPool, PoolTimeout

from core.store import pg_arrow
from core.store.base import STREAM_BATCH, Store
from core.store.bulk import LARGE
from core.store.dialect import to_pg
from core.store.errors import StoreUnavailable
from core.store.migrations import migrate

# MERGE (an import adding to its months' rollups, core.services.rollups) came in PostgreSQL 15
MIN_SERVER_VERSION = 150000
_MIGRATION_LOCK = 4_242_001  # pg_advisory_lock key: one process migrates, the others wait
_RETRY = (pg_errors.SerializationFailure, pg_errors.DeadlockDetected, pg_errors.UniqueViolation)
# A large read (core.store.bulk) joins a county's events, 0.8M rows, to a temporary table of its
# subjects, which has no statistics; with the outer branch bounds (for DuckDB's zone maps) the
# events' estimate falls tenfold where other counties share the table. At L (ten counties, the
# table in branch order) PostgreSQL then merged on the branch alone, comparing 30M pairs: 5.4 s
# for the events query, against 0.36 s by a hash join. Large reads plan without merge joins.
_LARGE_READ = ("enable_mergejoin", "off")
_UNIQUE_RETRIES = 2  # a check-then-insert race settles on the first retry; more is a real duplicate

# result column type (PostgreSQL oid) -> Polars dtype, so an empty result is typed too
_DTYPES: dict[int, Any] = {
    16: pl.Boolean, 20: pl.Int64, 21: pl.Int16, 23: pl.Int32, 26: pl.Int64,
    25: pl.String, 1042: pl.String, 1043: pl.String, 114: pl.String, 3802: pl.String, 705: pl.String,
    700: pl.Float32, 701: pl.Float64, 1082: pl.Date, 1114: pl.Datetime("us"),
    1184: pl.Datetime("us", "UTC"), 1186: pl.Duration("us"),
    1009: pl.List(pl.String), 1015: pl.List(pl.String), 1016: pl.List(pl.Int64), 1007: pl.List(pl.Int32),
    1022: pl.List(pl.Float64),
}


def _polars_dtype(column) -> Any:
    if column.type_code == 1700:  # numeric: a declared scale stays decimal, an aggregate's is unknown
        return pl.Decimal(38, column.scale) if column.scale is not None else pl.Float64
    return _DTYPES.get(column.type_code)


def _statement(sql: str, params) -> tuple[str, list | None]:
    """``sql`` in PostgreSQL's dialect, with its parameters or None: without parameters
    psycopg reads no placeholders, so a ``%`` in the text stays as it is."""
    params = list(params) if params else None
    return (to_pg(sql), params) if params else (to_pg(sql, with_params=False), None)


def _schema(columns) -> dict[str, Any]:
    return {c.name: _polars_dtype(c) for c in columns}


def _pg_type(dtype) -> str:
    if dtype == pl.String or dtype == pl.Null or dtype == pl.Categorical:
        return "VARCHAR"
    if dtype.is_integer():
        return "BIGINT"
    if dtype.is_float():
        return "DOUBLE PRECISION"
    if dtype == pl.Boolean:
        return "BOOLEAN"
    if dtype == pl.Date:
        return "DATE"
    if isinstance(dtype, pl.Datetime):
        return "TIMESTAMP"
    if isinstance(dtype, pl.Decimal):
        return f"NUMERIC({dtype.precision or 38}, {dtype.scale})"
    raise TypeError(f"cannot register a {dtype} column on PostgreSQL")


def _configure(conn: psycopg.Connection) -> None:
    # JSON columns come back as text, as DuckDB gives them: callers parse what they need.
    for name in ("json", "jsonb"):
        conn.adapters.register_loader(name, TextLoader)


class _Result:
    """What ``cur.sql(...)`` returns: ``.pl()`` and ``.fetchall()``."""

    def __init__(self, cur: "PgCursor", sql: str, params):
        self._cur, self._sql, self._params = cur, sql, params

    def pl(self) -> pl.DataFrame:
        """The rows as a frame typed from the result's column types.

        A query marked large (``core.store.bulk``) whose columns are of plain types is
        read through ADBC outside a write (``core.store.pg_arrow``: binary COPY decoded
        into Arrow in C; the case builder's 790k events at M 1.7 s → 0.7 s of this
        process's CPU), after a ``LIMIT 0`` run that gives the column types and NUMERIC
        scales. Inside a write, ADBC's own connection would not see the write, so the rows
        come through psycopg, as do small frames (ADBC's extra round trips cost them more
        than it saves).

        On psycopg, NUMERIC arrives as its text and is cast by Polars in one go: building
        800,000 Python Decimals and handing them to Polars cost more than the query (2.7 s
        → 1.7 s), and text → Decimal(38, scale) is exact. A cursor of its own on the same
        connection (temporary tables stay visible) keeps the other reads' Decimals.
        """
        raw = self._cur._conn.cursor()
        raw.adapters.register_loader("numeric", TextLoader)
        sql, params = _statement(self._sql, self._params)
        idle = self._cur._conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE  # not in a write
        reader = self._cur._store.arrow if idle and self._sql in LARGE else None
        if reader is not None and reader.usable:
            raw.execute(f"SELECT * FROM ({sql}) AS described LIMIT 0", params)
            columns = raw.description or []
            if pg_arrow.usable(columns):
                literal = psycopg.ClientCursor(self._cur._conn).mogrify(sql, params) if params else sql
                try:
                    # only the registered frames the query names are copied to ADBC's connection
                    temps = {name: data for name, data in self._cur._frames.items()
                             if re.search(rf"\b{re.escape(name)}\b", sql)}
                    frame = reader.frame(literal, columns, _schema(columns), temps)
                    raw.close()
                    return frame
                except pg_arrow.Unavailable:
                    pass
        large = self._sql in LARGE
        if large:
            raw.execute(f"SET {_LARGE_READ[0]} = {_LARGE_READ[1]}")
        try:
            raw.execute(sql, params)
            columns = raw.description or []
            rows = raw.fetchall()
        finally:  # a failed write's rollback undoes the SET itself
            if large and self._cur._conn.info.transaction_status != psycopg.pq.TransactionStatus.INERROR:
                raw.execute(f"RESET {_LARGE_READ[0]}")
            raw.close()
        numeric = {c.name: _polars_dtype(c) for c in columns if c.type_code == 1700}
        schema = {c.name: pl.String if c.name in numeric else _polars_dtype(c) for c in columns}
        if all(dtype is not None for dtype in schema.values()):
            frame = pl.DataFrame(rows, schema=schema, orient="row", strict=False)
        else:
            frame = pl.DataFrame(rows, schema=[c.name for c in columns], orient="row", infer_schema_length=None)
        return frame.with_columns(pl.col(name).cast(dtype) for name, dtype in numeric.items())

    def fetchall(self) -> list[tuple]:
        return self._cur.execute(self._sql, self._params).fetchall()


class PgCursor:
    """A pooled connection used as one DuckDB-like cursor; closing gives the connection back."""

    backend = "postgres"

    def __init__(self, store: "PgStore", conn: psycopg.Connection | None = None):
        self._store = store
        self._owned = conn is None  # a read inside a write borrows the write's connection
        try:
            self._conn = store.pool.getconn() if conn is None else conn
        except PoolTimeout as exc:  # as a server that cannot be reached at start (``PgStore``)
            raise StoreUnavailable(f"数据库服务器 {store.describe()} 在 {store.pool.timeout:g} 秒内没有可用的连接："
                                   "服务器未运行，或连接都在忙。请稍后重试。") from exc
        self._raw = self._conn.cursor()
        self._temps: list[str] = []
        self._frames: dict[str, pl.DataFrame] = {}  # the registered frames, for ADBC's connection (pg_arrow)

    # -- DuckDB-like API -------------------------------------------------------
    def _run(self, sql: str, params=None):
        self._raw.execute(*_statement(sql, params))
        return self._raw

    def execute(self, sql: str, params=None) -> "PgCursor":
        self._run(sql, params)
        return self

    def executemany(self, sql: str, seq) -> "PgCursor":
        self._raw.executemany(to_pg(sql), [list(p) for p in seq])
        return self

    @property
    def description(self):
        """The last result's columns, DB-API style (``d[0]`` is the name), as DuckDB gives them."""
        return self._raw.description

    def fetchall(self) -> list[tuple]:
        if self._raw.description is None:  # DuckDB answers a statement with its row count
            return [(self._raw.rowcount,)]
        return self._raw.fetchall()

    def fetchone(self) -> tuple | None:
        if self._raw.description is None:
            return (self._raw.rowcount,)
        return self._raw.fetchone()

    def sql(self, sql: str, params=None) -> _Result:
        return _Result(self, sql, params)

    def register(self, name: str, frame) -> None:
        """Copy ``frame`` (Polars or Arrow) into a temporary table ``name`` for this cursor."""
        if not isinstance(frame, pl.DataFrame):
            frame = pl.from_arrow(frame)
        self.unregister(name)
        columns = ", ".join(f'"{c}" {_pg_type(t)}' for c, t in frame.schema.items())
        self._raw.execute(f'CREATE TEMP TABLE "{name}" ({columns})')
        self._temps.append(name)
        self._frames[name] = frame
        if frame.height:
            data = frame.write_csv(include_header=False, null_value="\\N", datetime_format="%Y-%m-%d %H:%M:%S%.f")
            with self._raw.copy(f'COPY "{name}" FROM STDIN (FORMAT csv, NULL \'\\N\')') as copy:
                copy.write(data.encode("utf-8"))
            # a temporary table has no statistics until analysed, and the planner then guessed
            # the county's subjects joined to its events badly (5 s of an 8.8 s evaluate at M)
            self._raw.execute(f'ANALYZE "{name}"')

    def unregister(self, name: str) -> None:
        self._raw.execute(f'DROP TABLE IF EXISTS "{name}"')
        if name in self._temps:
            self._temps.remove(name)
        self._frames.pop(name, None)

    # -- lifetime --------------------------------------------------------------
    def close(self) -> None:
        if self._conn is None:
            return
        conn, self._conn = self._conn, None
        if not self._owned:
            self._raw.close()
            return
        try:
            if conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
                for name in self._temps:
                    conn.execute(f'DROP TABLE IF EXISTS "{name}"')
        except psycopg.Error:
            pass
        self._store.pool.putconn(conn)

    def __enter__(self) -> "PgCursor":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class PgStore(Store):
    backend = "postgres"
    path = None

    def __init__(self, target: str, pool_size: int | None = None):
        self.url = target
        size = pool_size or int(os.environ.get("JIFEN_PG_POOL", "8"))
        # JIT compiling cost a dashboard query 2.35 s of its 2.64 s at M (its estimate crossed the
        # JIT threshold); these are short queries, never worth compiling. Sorts of a year's
        # events spilled to disk at the default 4 MB work_mem. A custom plan for every call:
        # psycopg prepares a statement run 5 times, and after 5 more PostgreSQL may switch it to
        # a generic plan, blind to the parameters (a county's path, a period's dates); in a
        # long-lived app process the dashboards' queries then went from 20-60 ms to 1.5-3.5 s
        # (entries, attendance at M, from their 11th call on one connection).
        options = (f"-c jit=off -c work_mem={os.environ.get('JIFEN_PG_WORK_MEM', '64MB')}"
                   " -c plan_cache_mode=force_custom_plan")
        # ``check``: a pooled connection is tried (one round trip) before it is lent, so that after
        # a server restart each dead one is replaced instead of failing a page
        self.pool = ConnectionPool(target, min_size=1, max_size=size, kwargs={"autocommit": True, "options": options},
                                   configure=_configure, check=ConnectionPool.check_connection, open=False,
                                   name="jifen")
        self._closed = False
        self._local = threading.local()  # the connection of the write this thread has open
        # large frames' reads (``_Result.pl``), on connections of the same settings and no merge joins
        large = f"{options} -c {_LARGE_READ[0]}={_LARGE_READ[1]}"
        self.arrow = (pg_arrow.ArrowReader(psycopg.conninfo.make_conninfo(target, options=large), size)
                      if pg_arrow.adbc is not None and os.environ.get("JIFEN_PG_ADBC", "1") != "0" else None)
        try:
            self.pool.open(wait=True, timeout=float(os.environ.get("JIFEN_PG_TIMEOUT", "15")))
        except PoolTimeout as exc:
            self.pool.close()
            raise StoreUnavailable(f"无法连接数据库服务器 {self.describe()}，请检查服务器是否运行、地址与账号是否正确。") from exc
        self._require_version()
        self._migrate()
        atexit.register(self.close)

    def _require_version(self) -> None:
        with self.cursor() as cur:
            version = int(cur.execute("SHOW server_version_num").fetchall()[0][0])
        if version < MIN_SERVER_VERSION:
            self.pool.close()
            raise StoreUnavailable(f"数据库服务器 {self.describe()} 是 PostgreSQL {version // 10000}，"
                                   f"需要 {MIN_SERVER_VERSION // 10000} 或更高版本。")

    def _migrate(self) -> None:
        with self.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(?)", [_MIGRATION_LOCK]).fetchall()
            try:
                migrate(cur, self.backend)
            finally:
                cur.execute("SELECT pg_advisory_unlock(?)", [_MIGRATION_LOCK]).fetchall()

    def refresh_statistics(self, tables: tuple[str, ...] = (), written: int | None = None) -> None:
        # Without it a page right after `migrate` joined events by nested loops: 10 s, then
        # 1 s once autovacuum had analysed the tables. A county-wide import's own tables at M:
        # 0.8-1.0 s, against 1.2-2.4 s for every table. Of those, the ledger, its reviews and
        # the effective events (2M rows each) took 0.55 s, and 100k more rows leave their
        # statistics right (the planner scales its row counts by the table's pages): an import
        # analyses by autovacuum's own rule (threshold + scale factor × the rows last counted,
        # any table never analysed), only at once.
        with self.cursor() as cur:
            if written is not None and tables:
                tables = tuple(name for (name,) in cur.execute(
                    "SELECT c.relname FROM pg_class c WHERE c.oid IN (SELECT to_regclass(t) FROM unnest(CAST(? AS TEXT[])) t)"
                    " AND (c.reltuples < 0 OR ? > CAST(current_setting('autovacuum_analyze_threshold') AS FLOAT8)"
                    " + CAST(current_setting('autovacuum_analyze_scale_factor') AS FLOAT8) * c.reltuples)"
                    " ORDER BY c.relname", [list(tables), written]).fetchall())
                if not tables:
                    return
            cur.execute(" ".join(["ANALYZE", ", ".join(f'"{t}"' for t in tables)])).fetchall()

    def stream(self, sql: str, params=None, batch: int = STREAM_BATCH) -> Iterator[list[tuple]]:
        # psycopg's ordinary cursor receives the whole result before the first row; a named
        # (server-side) cursor hands it over ``batch`` rows at a time. It needs a transaction:
        # its own, or a savepoint in the write this thread has open (whose rows it then reads).
        with self.cursor() as cur, cur._conn.transaction(), cur._conn.cursor(name="jifen_stream") as named:
            named.execute(*_statement(sql, params))
            while rows := named.fetchmany(batch):
                yield rows

    def describe(self) -> str:
        info = psycopg.conninfo.conninfo_to_dict(self.url)
        info.pop("password", None)
        return f"postgresql://{info.get('user', '')}@{info.get('host', '')}:{info.get('port', 5432)}/{info.get('dbname', '')}"

    def cursor(self) -> PgCursor:
        """A cursor on a pooled connection; within a write, on that write's own connection.

        A service may read through the store while its write is open (a lookup inside
        ``work``). On a second pooled connection, 8 such writes at once would hold all 8
        connections and each wait for a ninth: the pool would deadlock. On the write's own
        connection the read also sees the write so far, as one unit of work should.
        """
        writing = getattr(self._local, "conn", None)
        return PgCursor(self, writing) if writing is not None else PgCursor(self)

    @contextmanager
    def _writer(self) -> Iterator[None]:
        # No lock: the server orders concurrent writes. A write inside a write would take a
        # second connection and a second transaction, not the one unit of work it means.
        if getattr(self._local, "conn", None) is not None:
            raise RuntimeError("store.write inside store.write: one unit of work is one transaction")
        yield

    @contextmanager
    def _unit(self) -> Iterator[PgCursor]:
        with PgCursor(self) as cur:
            self._local.conn = cur._conn  # reads inside the work use this connection (cursor())
            try:
                yield cur
            finally:
                self._local.conn = None

    def _retryable(self, exc: BaseException, tried: list[BaseException]) -> bool:
        if isinstance(exc, pg_errors.UniqueViolation):
            return sum(isinstance(e, pg_errors.UniqueViolation) for e in tried) < _UNIQUE_RETRIES
        return isinstance(exc, _RETRY)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.pool.close()
        if self.arrow is not None:
            self.arrow.close()
        atexit.unregister(self.close)

