"""Totals, grades and stars for dashboards, from an in-process results cache.

Evaluating a county on every page load is too slow, so results are kept in memory per
(database file, branches, cycle, cut-off, today, data_version). Every write bumps
``data_version``, so a stale entry is never read again; it simply ages out of the LRU.
An in-process cache (rather than a table) is used because writing a cache table would
itself bump ``data_version`` and invalidate what it had just stored.

Dashboards show the ledger's current view; the frozen 公示 snapshot of a finalised period
is what the results page shows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from dataclasses import replace

import polars as pl

from core.cycles import cycle_bounds, quarter_of
from core.metrics.group_eval import RESULT_SCHEMA, WARNING_SCHEMA, evaluate_read
from core.services.case import SchemeGroup, group_by_scheme, read_cases
from core.store import Store

_CACHE: OrderedDict[tuple, tuple[pl.DataFrame, pl.DataFrame]] = OrderedDict()
_CACHE_SIZE = 64
PART_BRANCHES = 40
_LOCK = threading.Lock()


def group_work(store: Store, groups: list, cycle: int, upto: dt.date | None) -> list:
    """(scheme, case, first branch) of each group, read as the dashboards evaluate it."""
    cases = read_cases(store, groups, cycle, upto=upto, frames=True)
    for group, case in zip(groups, cases):
        if upto is not None:  # the quarter to date (SCHEMES.md "Period results"): nothing not yet due counts
            case["period"] = quarter_of(group.scheme.cycle_start,
                                        min(upto, cycle_bounds(group.scheme.cycle_start, cycle)[1]))
    return [(group.scheme, case, group.branches[0]) for group, case in zip(groups, cases)]


def parts(group: SchemeGroup) -> list[SchemeGroup]:
    """A scheme group of many branches in parts of at most ``PART_BRANCHES`` consecutive ones.
    A branch's results are its own (ranks, quotas, flags and branch rules are per branch), so
    the parts give the group's results, in its order; the two processes of a county's
    evaluation (or 方案调整 simulation) can then share its largest group (the 78 branches of a
    750k-event scheme at M), and each holds one part's working memory at a time."""
    count = -(-len(group.branches) // PART_BRANCHES)
    step = -(-len(group.branches) // count) if count else 1
    return [replace(group, branches=group.branches[i:i + step]) for i in range(0, len(group.branches), step)]


def evaluate_branches(store: Store, branch_codes, cycle: int, today: dt.date,
                      upto: dt.date | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(results, warnings) computed now (uncached): one engine call per scheme group, the
    groups shared with the helper process (core/metrics/group_eval.py), which reads its own
    from a database server."""
    groups = [part for group in group_by_scheme(store, list(branch_codes), cycle, today)[0] for part in parts(group)]
    keys = [(str(store.path), g.scheme.id, tuple(g.branches), cycle, upto) for g in groups]
    # on a server the helper reads its groups itself (what group_eval._read needs)
    remote = (lambda indexes: ("rows", store.url, [groups[i] for i in indexes], cycle, upto)) if store.url else None
    results, warnings = [], []
    for rows, notes in evaluate_read(keys, lambda indexes: group_work(store, [groups[i] for i in indexes], cycle, upto),
                                     remote):
        results += rows
        warnings += notes
    return (pl.DataFrame(results, schema=RESULT_SCHEMA, strict=False),
            pl.DataFrame(warnings, schema=WARNING_SCHEMA, strict=False))


def results(store: Store, branch_codes: list[str], cycle: int, today: dt.date,
            upto: dt.date | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(results, warnings) of ``branch_codes`` for ``cycle``; with ``upto``, the result of the
    quarter holding that day, to date (its ``total`` is the subtotal where a part is 未评); cached."""
    codes = tuple(sorted(branch_codes))
    if not codes:
        return pl.DataFrame(schema=RESULT_SCHEMA), pl.DataFrame(schema=WARNING_SCHEMA)
    digest = hashlib.sha1("|".join(codes).encode()).hexdigest()
    key = (str(store.path), digest, cycle, today, upto, store.data_version())
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    value = evaluate_branches(store, codes, cycle, today, upto)
    with _LOCK:
        _CACHE[key] = value
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return value


def with_category(frame: pl.DataFrame, category: str | None) -> pl.DataFrame:
    return frame if not category else frame.filter(pl.col("category") == category)


def branch_schemes(frame: pl.DataFrame) -> dict[str, str]:
    """Branch → scheme id, as evaluated."""
    return dict(frame.select("branch", "scheme").unique().iter_rows())


def clear() -> None:
    with _LOCK:
        _CACHE.clear()
