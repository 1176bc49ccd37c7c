"""Independent reads of one page, run at the same time.

Each read takes a connection (or DuckDB cursor) of its own, so the database works on them
together and a page waits for its slowest read rather than for their sum: at M, 25 rounds
each way interleaved, the 支部对比 table 97–101 → 75–77 ms and the alerts 75–79 → 56–59 ms on
PostgreSQL (medians), 60 → 50 and 64 → 47 ms on DuckDB.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
# at most this many at once: each holds one of the process's pooled connections (8 by default,
# ``JIFEN_PG_POOL``), which the other sessions' pages share
WORKERS = 4


def at_once(*reads: Callable[[], T]) -> list[T]:
    """Each read's value, in order; the first error a read raises is raised here."""
    with ThreadPoolExecutor(max_workers=min(len(reads), WORKERS)) as pool:
        return list(pool.map(lambda read: read(), reads))
