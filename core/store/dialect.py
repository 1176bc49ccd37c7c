"""The few spellings PostgreSQL needs where DuckDB's differ.

Queries are written once with ``?`` placeholders (DuckDB's), in SQL both engines run:
``x = ANY(?)`` for a list parameter, ``generate_series``, ``extract``, explicit window
subqueries instead of QUALIFY. What remains is translated here, once per distinct query:

- ``?`` becomes psycopg's ``%s`` (outside string literals and quoted names), and a literal
  ``%`` is doubled so psycopg does not read it as a placeholder;
- ``COLLATE zh`` (DuckDB's ICU pinyin order) becomes PostgreSQL's ICU collation, and the
  type ``DOUBLE`` is spelt ``DOUBLE PRECISION``;
- in DDL, DuckDB's tolerated trailing comma before ``)`` is dropped.
"""

from __future__ import annotations

import re
from functools import lru_cache

PG_COLLATION = 'COLLATE "zh-x-icu"'


@lru_cache(maxsize=4096)
def to_pg(sql: str, with_params: bool = True) -> str:
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c in ("'", '"'):
            j = i + 1
            while j < n:
                if sql[j] == c:
                    if j + 1 < n and sql[j + 1] == c:  # '' or "" inside: an escaped quote
                        j += 2
                        continue
                    break
                j += 1
            chunk = sql[i:j + 1]
            out.append(chunk.replace("%", "%%") if with_params else chunk)
            i = j + 1
            continue
        if c == "-" and sql.startswith("--", i):
            j = sql.find("\n", i)
            j = n if j < 0 else j
            out.append(sql[i:j].replace("%", "%%") if with_params else sql[i:j])
            i = j
            continue
        if c == "?" and with_params:
            out.append("%s")
        elif c == "%" and with_params:
            out.append("%%")
        else:
            out.append(c)
        i += 1
    text = re.sub(r"COLLATE\s+zh\b", PG_COLLATION, "".join(out))
    return re.sub(r"\bDOUBLE\b(?!\s+PRECISION)", "DOUBLE PRECISION", text)


def ddl(statement: str, backend: str) -> str:
    """A migration statement for ``backend`` (DuckDB takes it as written)."""
    if backend != "postgres":
        return statement
    return re.sub(r",(\s*)\)", r"\1)", statement)
