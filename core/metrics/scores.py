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
from concurrent.futures import ThreadPoolExecutor
from collections import OrderedDict

import polars as pl

from core.cycles import cycle_bounds, quarter_of
from core.engine import evaluate
from core.engine.case import CaseError
from core.services.case import group_by_scheme, read_cases
from core.store import Store

_CACHE: OrderedDict[tuple, tuple[pl.DataFrame, pl.DataFrame]] = OrderedDict()
_CACHE_SIZE = 64
_LOCK = threading.Lock()
_MAX_DROPPED = 200  # rows refused by the engine that are set aside before giving up on a group

RESULT_SCHEMA = {"branch": pl.String, "subject": pl.String, "category": pl.String, "scheme": pl.String,
                 "total": pl.Float64, "grade": pl.String, "stars": pl.Int64, "rank": pl.Int64,
                 "flags": pl.List(pl.String)}
SKIPPED = "skipped_row"  # a case row the engine refused (e.g. a category the scheme lacks)
WARNING_SCHEMA = {"branch": pl.String, "code": pl.String, "message": pl.String, "scheme": pl.String}


def _drop(case: dict, error: CaseError) -> str | None:
    """Set aside the row the engine named; return its subject (None if it cannot be found)."""
    part = error.field.split(".")[0]
    if error.row is None or part not in case:
        return None
    if part == "events":
        subject = case["events"]["subject"][error.row]
        case["events"] = pl.concat([case["events"][:error.row], case["events"][error.row + 1:]])
        return subject
    row = case[part].pop(error.row)
    if part == "subjects":
        gone = row["id"]
        case["events"] = case["events"].filter(pl.col("subject") != gone)
        for other in ("scores", "vetoes", "history"):
            case[other] = [r for r in case[other] if r["subject"] != gone]
        return gone
    return row.get("subject")


def _evaluate_group(scheme, case: dict) -> tuple[dict | None, list[tuple[str | None, str]]]:
    """The engine's output, setting aside rows it refuses one at a time (each becomes a
    warning naming the member), so one member's bad data does not blank a county."""
    dropped: list[tuple[str | None, str]] = []
    while True:
        try:
            return evaluate(scheme, case, explain=False), dropped
        except CaseError as exc:
            subject = _drop(case, exc)
            dropped.append((subject, str(exc)))
            if subject is None or len(dropped) > _MAX_DROPPED:
                return None, dropped


def evaluate_branches(store: Store, branch_codes, cycle: int, today: dt.date,
                      upto: dt.date | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(results, warnings) computed now (uncached): one engine call per scheme group."""
    groups, _ = group_by_scheme(store, list(branch_codes), cycle, today)
    cases = read_cases(store, groups, cycle, upto=upto, frames=True)
    for group, case in zip(groups, cases):
        if upto is not None:  # the quarter to date (SCHEMES.md "Period results"): nothing not yet due counts
            case["period"] = quarter_of(group.scheme.cycle_start, min(upto, cycle_bounds(group.scheme.cycle_start,
                                                                                        cycle)[1]))
    # Two groups at a time: one group's Polars work (which releases the GIL) runs while the
    # other's Python scoring holds it, so a county's evaluate uses a second core.
    branch_ofs = [{s["id"]: s["branch"] for s in case["subjects"]} for case in cases]  # before a row is set aside
    with ThreadPoolExecutor(max_workers=2) as pool:
        evaluated = list(pool.map(lambda pair: _evaluate_group(pair[0].scheme, pair[1]), zip(groups, cases)))
    results, warnings = [], []
    for group, branch_of, (output, dropped) in zip(groups, branch_ofs, evaluated):
        warnings += [{"branch": branch_of.get(subject, group.branches[0]), "code": SKIPPED,
                      "message": f"成员 {subject or ''} 的记录未计入：{message}", "scheme": group.scheme.id}
                     for subject, message in dropped]
        if output is None:
            continue
        results += [{**{k: r.get(k) for k in RESULT_SCHEMA}, "scheme": group.scheme.id,
                     "total": r["total"] if r["total"] is not None else r.get("subtotal")}
                    for r in output["results"] if not r.get("exempt")]
        warnings += [{"branch": w.get("branch"), "code": w.get("code"), "message": w.get("message"),
                      "scheme": group.scheme.id} for w in output["warnings"]]
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
