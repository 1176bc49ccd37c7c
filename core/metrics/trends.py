"""Trends: entries and points per month, participation per month, and the average total
at each quarter end of a cycle (a running tally), by branch or for the whole selection."""

from __future__ import annotations

import datetime as dt

import polars as pl

from core.auth.scope import Scope
from core.metrics import activity, scores
from core.metrics.filters import Filter, branch_codes, branch_where
from core.scheme_assignments import TRACKS, Assignments
from core.store import Store

MAX_BRANCHES_FOR_QUARTERS = 60  # quarterly running tallies re-evaluate; keep them to a township


def _year(flt: Filter) -> tuple[dt.date, dt.date]:
    year = int(flt.period[:4])
    return dt.date(year, 1, 1), min(dt.date(year, 12, 31), flt.today)


def _item_points(store: Store, codes: list[str], cycle: int, today: dt.date) -> tuple[list, list]:
    """Parameters for the two small lookup tables of fixed-value items (range items carry their
    points on the event): branch → its set of schemes, and each set's items with their points.
    A set is the schemes (with their overrides) governing the branch in ``cycle`` on every
    track; an item code two of them share (``volunteer``, in party and village schemes) takes
    the party value, as the rollup's rows do not say whose events they are. Branches share a
    few sets, so the lookups stay small (one row per branch and item made PostgreSQL's query
    40 ms slower at M)."""
    tracks = Assignments.of_tracks(store, codes, TRACKS)  # the party track first
    sets: dict[tuple, int] = {}  # a set of schemes → its number
    links: list[tuple[str, int]] = []
    rows: list[tuple[int, str, float]] = []
    for branch in codes:
        found = [f for f in (tracks[track].for_cycle(branch, cycle, today) for track in TRACKS) if f]
        key = tuple(a.scheme_key(scheme) for scheme, a in found)
        if key not in sets:
            sets[key] = len(sets)
            points: dict[str, float] = {}
            for scheme, _ in found:
                for code, item in scheme.items.items():
                    if item.points is not None:
                        points.setdefault(code, float(item.points))
            rows += [(sets[key], code, value) for code, value in points.items()]
        links.append((branch, sets[key]))
    return [[b for b, _ in links], [n for _, n in links]], [list(column) for column in zip(*rows)] or [[], [], []]


def monthly_points(store: Store, scope: Scope, flt: Filter, by_branch: bool = False) -> pl.DataFrame:
    """month, [branch, name], entries, points (net, effective events; fixed items at the
    scheme's value, range items as entered, × count)."""
    where, params = branch_where(scope, flt)
    start, end = _year(flt)
    links, items = _item_points(store, branch_codes(store, scope, flt), flt.cycle, flt.today)
    group = ", b.code AS branch, b.name" if by_branch else ""
    keys = ", b.code, b.name" if by_branch else ""
    # PostgreSQL rounds only NUMERIC to a given number of places, hence the cast before round.
    # The counting events come summed per (month, branch, item) from the ``event_months``
    # rollup (entered points apart from the units of fixed-value items; every write keeps it,
    # ``rollups.refresh_effective``): summing a year's 750k events on each read took 1.6–2.8 s
    # on PostgreSQL at M. Only those few rows meet the lookups, unnested from array parameters.
    return store.frame(f"""
    WITH b AS (SELECT b.code, b.name FROM orgs b WHERE {where}),
    bs AS (SELECT unnest(?::VARCHAR[]) AS branch, unnest(?::INTEGER[]) AS schemes),
    ip AS (SELECT unnest(?::INTEGER[]) AS schemes, unnest(?::VARCHAR[]) AS item, unnest(?::DOUBLE[]) AS points),
    ev AS (SELECT n.month, n.branch_code, n.item, n.counted AS entries, n.counted_points AS entered,
                  n.counted_units AS fixed
           FROM event_months n
           WHERE n.month BETWEEN ? AND ? AND n.counted > 0 AND n.branch_code IN (SELECT code FROM b))
    SELECT ev.month{group}, sum(ev.entries)::BIGINT AS entries,
           CAST(round(CAST(sum(coalesce(ev.entered, 0) + coalesce(ev.fixed * ip.points, 0)) AS NUMERIC(18, 3)), 1)
                AS DOUBLE) AS points
    FROM ev JOIN b ON b.code = ev.branch_code
    LEFT JOIN bs ON bs.branch = ev.branch_code
    LEFT JOIN ip ON ip.schemes = bs.schemes AND ip.item = ev.item
    GROUP BY ev.month{keys} ORDER BY ev.month{keys}""", params + links + items + [start, end])


def monthly_participation(store: Store, scope: Scope, flt: Filter, by_branch: bool = False) -> pl.DataFrame:
    """month, [branch, name], base, participants, rate (%) over the filter's year."""
    frame = activity.participation(store, scope, flt.with_period(flt.period[:4]), by_month=True)
    frame = frame.with_columns(pl.col("month").cast(pl.Date))
    if by_branch:
        return frame.sort("month", "branch")
    return (frame.group_by("month").agg(pl.col("base").sum(), pl.col("participants").sum()).sort("month")
            .with_columns(rate=(pl.col("participants") * 100 / pl.col("base")).round(1)))


def quarter_ends(flt: Filter) -> list[dt.date]:
    """Calendar quarter ends from the cycle's start (07-01 of the cycle year, the later of
    the two starts the schemes use) that have passed, plus today for a running quarter."""
    ends, year, month = [], flt.cycle, 9
    while len(ends) < 4:
        end = dt.date(year, month + 1, 1) - dt.timedelta(days=1) if month < 12 else dt.date(year, 12, 31)
        if end > flt.today:
            ends.append(flt.today)
            break
        ends.append(end)
        year, month = (year + 1, 3) if month == 12 else (year, month + 3)
    return ends


def quarterly_average(store: Store, scope: Scope, flt: Filter, by_branch: bool = False) -> pl.DataFrame | None:
    """quarter end, [branch], average total: the running tally at each quarter end.
    None when the selection is too large to re-evaluate four times (pick a township)."""
    codes = branch_codes(store, scope, flt)
    if len(codes) > MAX_BRANCHES_FOR_QUARTERS:
        return None
    parts = []
    for end in quarter_ends(flt):
        res, _ = scores.results(store, codes, flt.cycle, flt.today, upto=end)
        res = scores.with_category(res, flt.category).filter(pl.col("total").is_not_null())
        keys = ["branch"] if by_branch else []
        agg = res.group_by(keys).agg(average=pl.col("total").mean().round(1)) if keys else \
            res.select(average=pl.col("total").mean().round(1))
        parts.append(agg.with_columns(quarter_end=pl.lit(end)))
    return pl.concat(parts, how="diagonal") if parts else None
