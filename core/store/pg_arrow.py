"""Large PostgreSQL results as Polars frames through ADBC's libpq driver.

ADBC reads a result as a binary COPY and decodes it into Arrow in C, so no Python object
is made per value. Measured on one county at M (the case builder's 790,540 events, 9
columns; CPU of this process, the machine shared): psycopg's ``fetchall`` with NUMERIC as
text and the frame built from its rows 1.6-1.8 s; psycopg's COPY, text or binary, read
block by block 1.2-1.6 s for the bytes alone (one Python call per row, before any parsing);
ADBC 0.65-0.72 s with the frame. See ``core.store.pg._Result.pl`` for when it is used.

Two things ADBC does differently are handled here. NUMERIC comes as an opaque value, so
the query is wrapped to send NUMERIC (and JSON) as its text, which Polars casts exactly as
the psycopg path does. And it has connections of its own, where the psycopg cursor's
temporary tables do not exist: a query's registered frames are copied into temporary
tables of the ADBC connection first (ingested) and dropped after.

The driver manager's own statements are used, not its DB-API module: that module imports
``pyarrow.dataset``, which imports pandas, and the evaluation helper (which reads through here
and has no other use for either) held 80 MB more for them. Polars takes the result's Arrow
stream, and the statement takes a frame's, through the Arrow PyCapsule interface.
"""

from __future__ import annotations

import threading
from typing import Any

import polars as pl

try:  # an optional speed-up: without the driver every frame is read through psycopg
    import adbc_driver_manager as adbc
    import adbc_driver_postgresql
except ImportError:  # pragma: no cover - the project installs it
    adbc = None

_TEMPORARY = {"adbc.ingest.mode": "adbc.ingest.mode.replace", "adbc.ingest.temporary": "true"}

# Result column types (PostgreSQL oids) ADBC decodes to the values psycopg gives: booleans,
# integers, text, floats, dates, timestamps; NUMERIC, JSON and JSONB are sent as text.
# Anything else (arrays, time zones, intervals, OIDs, unknown) stays on psycopg.
PLAIN = {16, 20, 21, 23, 25, 1043, 700, 701, 1082, 1114}
AS_TEXT = {1700, 114, 3802}


def usable(columns) -> bool:
    """Whether a result with these (psycopg) columns can be read through ADBC."""
    names = [c.name for c in columns]
    return (adbc is not None and bool(columns) and len(set(names)) == len(names)
            and all(c.type_code in PLAIN or c.type_code in AS_TEXT for c in columns))


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _ingestable(frame: pl.DataFrame) -> pl.DataFrame:
    # the psycopg side registers these as VARCHAR (``pg._pg_type``); Arrow's null and
    # dictionary types have no PostgreSQL column type for ADBC to create
    return frame.with_columns(pl.col(c).cast(pl.String) for c, t in frame.schema.items()
                              if t == pl.Null or t == pl.Categorical)


class Unavailable(Exception):
    """ADBC could not connect where psycopg did (say its bundled libpq lacks an auth method)."""


class _Connection:
    """One ADBC connection (autocommit, as the driver opens it) and its statements."""

    def __init__(self, conninfo: str):
        self._database = adbc_driver_postgresql.connect(conninfo)
        try:
            self._connection = adbc.AdbcConnection(self._database)
        except Exception:
            self._database.close()
            raise

    def _statement(self, sql: str | None = None):
        statement = adbc.AdbcStatement(self._connection)
        if sql is not None:
            statement.set_sql_query(sql)
        return statement

    def run(self, sql: str) -> None:
        statement = self._statement(sql)
        try:
            statement.execute_update()
        finally:
            statement.close()

    def read(self, sql: str) -> pl.DataFrame:
        statement = self._statement(sql)
        try:
            stream, _ = statement.execute_query()
            return pl.DataFrame(stream)
        finally:
            statement.close()

    def ingest(self, name: str, frame: pl.DataFrame) -> None:
        """``frame`` as the temporary table ``name`` (replacing one of that name)."""
        statement = self._statement()
        try:
            statement.set_options(**{"adbc.ingest.target_table": name, **_TEMPORARY})
            statement.bind_stream(frame)
            statement.execute_update()
        finally:
            statement.close()

    def close(self) -> None:
        try:
            self._connection.close()
        finally:
            self._database.close()


class ArrowReader:
    """A store's idle ADBC connections (each used by one read at a time), opened on demand.
    If the first cannot be opened, ``usable`` turns false and every read goes through psycopg;
    a later failure sends only that read there."""

    def __init__(self, conninfo: str, size: int):
        self._conninfo, self._size = conninfo, size
        self._idle: list[_Connection] = []
        self._lock = threading.Lock()
        self._closed = False
        self.usable = True
        self._connected = False  # a connection has been opened: ADBC can reach this server

    def _get(self) -> tuple[_Connection, bool]:
        """(a connection, whether it waited idle: the server may have dropped it since)."""
        with self._lock:
            if self._idle:
                return self._idle.pop(), True
        try:
            conn = _Connection(self._conninfo)
        except Exception as exc:  # noqa: BLE001 - any driver error: psycopg reads this one instead
            # Only a first connection's failure means ADBC cannot reach the server (an auth
            # method its libpq lacks). Once it could, a failure passes: the server's connection
            # limit reached (an app process holds up to twice JIFEN_PG_POOL at once), a restart.
            if not self._connected:
                self.usable = False
            raise Unavailable(str(exc)) from exc
        self._connected = True
        return conn, False

    def _put(self, conn) -> None:
        with self._lock:
            if not self._closed and len(self._idle) < self._size:
                self._idle.append(conn)
                return
        conn.close()

    def frame(self, sql: str, columns, schema: dict[str, Any], temps: dict[str, pl.DataFrame]) -> pl.DataFrame:
        """``sql`` (parameters already inlined) as a frame of exactly ``schema``, with ``temps``
        as temporary tables."""
        select = ", ".join(f"CAST({_ident(c.name)} AS TEXT) AS {_ident(c.name)}" if c.type_code in AS_TEXT
                           else _ident(c.name) for c in columns)
        query = f"SELECT {select} FROM ({sql}) AS adbc_result"
        conn, waited = self._get()
        try:
            frame = self._read(conn, query, temps)
        except adbc.OperationalError:
            if not waited:
                raise
            # An idle connection the server has dropped (a restart, an idle timeout): so has
            # every other one kept since, and the read is done once more on a new one.
            self._discard_idle()
            conn, _ = self._get()
            frame = self._read(conn, query, temps)
        return frame.with_columns(pl.col(name).cast(dtype) for name, dtype in schema.items())

    def _read(self, conn: _Connection, sql: str, temps: dict[str, pl.DataFrame]) -> pl.DataFrame:
        """``sql`` on ``conn``, kept for the next read if it succeeds, closed if it fails."""
        try:
            for name, data in temps.items():
                conn.ingest(name, _ingestable(data))
                conn.run(f"ANALYZE {_ident(name)}")  # as ``PgCursor.register`` does, for the same plan
            frame = conn.read(sql)
            for name in temps:
                conn.run(f"DROP TABLE IF EXISTS {_ident(name)}")
        except BaseException:
            conn.close()
            raise
        self._put(conn)
        return frame

    def _discard_idle(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self._discard_idle()
