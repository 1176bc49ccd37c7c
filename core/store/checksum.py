"""Row counts and order-independent digests of every table, the same on both engines.

Used to check that two stores hold the same rows: a DuckDB file and a PostgreSQL database
built from the same demo seed (tests), or a store and its copy after a migration from one
engine to the other. The digest is computed in Python, not in SQL, because the engines'
own hash functions differ: each value is put in one canonical text form (a Decimal without
trailing zeros, a date/time in ISO form, JSON text re-serialised with sorted keys, ...),
each row becomes one line with its columns in name order, each line is hashed on its own,
and the digest is the sum of the rows' hashes modulo 2**256, so neither the physical row
order nor the column order of a table matters.

A sum, not a sort: the rows are read in batches (``store.stream``) and forgotten once
hashed, so a table of 20 million events is checked in bounded memory (sorting one line
per row took migrate past 11 GB at L). A sum, not XOR: XOR would cancel two equal rows.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import itertools
import json
import uuid
from typing import Any, Iterable

TABLES_SQL = (
    "SELECT table_name FROM information_schema.tables "
    "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' "
    "ORDER BY table_name"
)
COLUMNS_SQL = (
    "SELECT column_name, data_type FROM information_schema.columns "
    "WHERE table_schema = current_schema() AND table_name = ? "
    "ORDER BY column_name"
)


def table_names(store) -> list[str]:
    """The store's own tables (not views, not another schema's), by name."""
    return sorted(row[0] for row in store.all(TABLES_SQL))


def table_columns(store, table: str) -> list[tuple[str, str]]:
    """``(column, data type)`` of ``table``, by column name (the two engines may order them apart)."""
    return sorted((name, str(kind)) for name, kind in store.all(COLUMNS_SQL, [table]))


def _number(value) -> str:
    # 1, 1.0 and 1.00 are one number whatever the column's scale or integer width
    number = decimal.Decimal(value)
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def _datetime(value: dt.datetime) -> str:
    if value.tzinfo is not None:  # an aware time compares in UTC, without its zone
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value.isoformat(sep=" ", timespec="microseconds")


def _json(value: str) -> str:
    try:
        return json.dumps(json.loads(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    except ValueError:
        return value


# by exact type, the common case of every cell (a dict lookup, not a chain of isinstance)
_BY_TYPE = {
    str: lambda v: v,
    bool: lambda v: v,
    int: str,
    decimal.Decimal: _number,
    float: lambda v: repr(float(v)),
    dt.datetime: _datetime,
    dt.date: dt.date.isoformat,
    dt.time: lambda v: v.isoformat(timespec="microseconds"),
    dt.timedelta: lambda v: f"{v // dt.timedelta(microseconds=1)}us",
    uuid.UUID: str,
}


def canonical(value: Any, json_text: bool = False) -> Any:
    """One value in a form both engines give alike (None, a bool, a string, or a list/dict of them)."""
    if value is None:
        return None
    if json_text and isinstance(value, str):
        return _json(value)
    convert = _BY_TYPE.get(type(value))
    if convert is not None:
        return convert(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, decimal.Decimal)):
        return _number(value)
    if isinstance(value, float):
        return repr(float(value))
    if isinstance(value, dt.datetime):
        return _datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, (list, tuple)):
        return [canonical(v, json_text) for v in value]
    if isinstance(value, dict):
        return {str(k): canonical(v, json_text) for k, v in sorted(value.items())}
    return str(value)


_MODULUS = 1 << 256


def rows_checksum(rows: Iterable[tuple], json_columns: Iterable[int] = ()) -> tuple[int, str]:
    """``(count, 64 hex digits)`` of ``rows``, whatever their order.

    Each row becomes the ``repr`` of its canonical values (unambiguous for None, bools,
    strings and lists of them); each line's BLAKE2b-256 hash is read as a number and the
    numbers are summed modulo 2**256. ``rows`` is consumed once, row by row.
    """
    json_at = set(json_columns)
    by_type = _BY_TYPE
    blake2b, from_bytes = hashlib.blake2b, int.from_bytes
    count = total = 0
    for row in rows:
        cells = []
        for i, v in enumerate(row):
            if v is None:
                cells.append(None)
            elif i in json_at:
                cells.append(canonical(v, True))
            else:
                convert = by_type.get(type(v))
                cells.append(convert(v) if convert is not None else canonical(v))
        total += from_bytes(blake2b(repr(cells).encode("utf-8"), digest_size=32).digest(), "big")
        count += 1
    return count, f"{total % _MODULUS:064x}"


def table_checksum(store, table: str, exclude: Iterable[str] = ()) -> tuple[int, str]:
    """``(rows, digest)`` of one table, leaving out the ``exclude`` columns."""
    skip = set(exclude)
    columns = [(name, kind) for name, kind in table_columns(store, table) if name not in skip]
    if not columns:
        return int(store.scalar(f'SELECT count(*) FROM "{table}"')), rows_checksum(())[1]
    names = ", ".join(f'"{name}"' for name, _ in columns)
    json_at = [i for i, (_, kind) in enumerate(columns) if kind.lower() in ("json", "jsonb")]
    batches = store.stream(f'SELECT {names} FROM "{table}"')
    return rows_checksum(itertools.chain.from_iterable(batches), json_at)


def table_checksums(store, tables: Iterable[str] | None = None,
                    exclude: dict[str, Iterable[str]] | None = None) -> dict[str, tuple[int, str]]:
    """``{table: (row count, digest)}`` for every table of ``store`` (or those named).

    ``exclude`` maps a table (or ``"*"`` for every table) to columns left out of its
    digest, e.g. ``created_at`` filled by ``current_timestamp`` when two stores were built
    separately rather than copied.
    """
    exclude = exclude or {}
    every = set(exclude.get("*", ()))
    names = table_names(store) if tables is None else list(tables)
    return {table: table_checksum(store, table, every | set(exclude.get(table, ()))) for table in names}
