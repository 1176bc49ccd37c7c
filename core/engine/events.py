"""Filtering and aggregating point events with Polars.

Everything per event happens here, vectorised: cycle and approval filters,
frequencies (once per month / per cycle), category "highest only" rules,
ratings and fraud, and the sums per quarter. The rest of the engine sees a
few rows per (subject, component): one per quarter for the items no item or
category cap targets, one per (item, quarter) for the capped ones, so Python
work grows with subjects, not with events or groups.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from core.decimals import SCALE, scaled
from core.engine.case import Case
from core.engine.event_lines import event_lines
from core.engine.minimums import add_shortfalls
from core.scheme.model import Scheme

PRIOR = 0  # bucket for events of earlier cycles in a cumulative scheme
BUCKETS = 5  # PRIOR and the four quarters


@dataclass(frozen=True)
class ComponentEvents:
    """One subject's counted points in one items component, in hundredths.

    ``buckets`` rows are (item, bucket, positive, negative) sorted by bucket and
    item; item is None for the sum of all items that no item or category cap
    targets, which reach the component total unchanged. ``lines`` explain the
    groups (empty without the explanation)."""

    buckets: tuple[tuple[str | None, int, int, int], ...]
    lines: list[str]
    prior: int = 0  # a cumulative scheme: earlier cycles' points, never in this cycle's total
    # a points supermarket: (date, counted hundredths) of each event, so an exchange can be
    # checked against the points held on its day (core/engine/supermarket.py)
    dated: tuple[tuple[date, int], ...] = ()


def _item_table(scheme: Scheme) -> pl.DataFrame:
    items = list(scheme.items.values())
    capped = {c.ref for c in scheme.caps if c.level in ("item", "category")}
    rank = {code: n for n, code in enumerate(sorted(scheme.items))}
    return pl.DataFrame(
        {
            "item": [i.code for i in items],
            "_item": [rank[i.code] for i in items],
            "_comp": [i.component for i in items],
            "_key": [i.code if i.code in capped or i.category in capped else None for i in items],
            "_unit": [None if i.points is None else scaled(i.points) for i in items],
            "_freq": [i.frequency for i in items],
            "_cat": [i.category for i in items],
            "_max_cat": [scheme.categories[i.category].combine == "max" for i in items],
        },
        schema={"item": pl.String, "_item": pl.Int64, "_comp": pl.String, "_key": pl.String, "_unit": pl.Int64,
                "_freq": pl.String, "_cat": pl.String, "_max_cat": pl.Boolean},
    )


def _rating_ok(scheme: Scheme) -> pl.Expr:
    expr = pl.lit(True)
    for item in scheme.items.values():
        if item.earn_ratings is not None:
            ok = pl.col("rating").is_in(list(item.earn_ratings)).fill_null(False)
            expr = pl.when(pl.col("item") == item.code).then(ok).otherwise(expr)
    return expr


def _mark_counted(df: pl.DataFrame) -> pl.DataFrame:
    """Only the best event of a once-per slot counts; in a "max" category only
    the best of the cycle counts (同类别不重复加分). Fraud is never credited.

    Only the rows of a once-per item or a "max" category, fraud aside, compete; every other
    row counts as it stands. Sorting and ranking those few alone, not all the case's events,
    saves most of the time on a county (its 750k 走访 events have no limit)."""
    once = pl.col("_freq").is_in(["once_per_month", "once_per_cycle"])
    contested = (once | pl.col("_max_cat")) & ~pl.col("fraud")
    free = df.filter(~contested).with_columns(pl.lit(True).alias("_counted"))
    rows = df.filter(contested).with_columns(
        pl.when(~once).then(-1 - pl.col("row"))  # a "max" category's item without a limit: its own slot
        .when(pl.col("_freq") == "once_per_month").then(pl.col("_month"))
        .otherwise(pl.col("_cycle") * 100)
        .alias("_slot"),
    ).sort(["_sid", "value", "date", "row"], descending=[False, True, False, False])
    first_in_slot = pl.int_range(pl.len()).over(["_sid", "item", "_slot"]) == 0
    rows = rows.with_columns(first_in_slot.alias("_counted"))
    best_in_cat = pl.int_range(pl.len()).over(["_sid", "_cat", "_cycle", "_counted"]) == 0
    rows = rows.with_columns((pl.col("_counted") & (~pl.col("_max_cat") | best_in_cat)).alias("_counted"))
    return pl.concat([free, rows.drop("_slot")])


def aggregate_events(
    scheme: Scheme, case: Case, start: date, end: date, with_lines: bool, annual: bool = True,
) -> tuple[dict[str, dict[str, ComponentEvents]], list[tuple[str, str, int]]]:
    """Points per subject and items component, and (subject, warning code,
    event count) notes. ``annual`` False (a period before the cycle ends) shows the
    scheme's minimum counts so far without deducting (core/engine/minimums.py)."""
    ids = sorted(case.subjects)
    subjects = [case.subjects[sid] for sid in ids]
    info = pl.DataFrame(
        {
            "subject": ids,
            "_sid": range(len(ids)),  # integer keys that sort like the ids
            "_exempt": [s.exempt for s in subjects],
            "_approved": [s.approved_on for s in subjects],
        },
        schema={"subject": pl.String, "_sid": pl.Int64, "_exempt": pl.Boolean, "_approved": pl.Date},
    )
    base_month = start.year * 12 + start.month - 1
    df = (
        case.events.join(info, on="subject", how="left")
        .filter(~pl.col("_exempt"))
        .with_columns(
            (pl.col("date") > pl.lit(end)).alias("_late"),
            (pl.col("date") < pl.lit(start)).alias("_early"),
            (pl.col("_approved").is_not_null() & (pl.col("date") < pl.col("_approved"))).alias("_unapproved"),
        )
        .with_columns(
            (pl.col("_late") | (pl.col("_early") & pl.lit(not scheme.cumulative))).alias("_outside")
        )
    )
    notes: list[tuple[str, str, int]] = []
    flagged = df.filter(pl.col("_outside") | pl.col("_unapproved")).group_by("_sid").agg(  # the few set aside
        pl.col("_outside").sum().alias("event_outside_cycle"),
        (pl.col("_unapproved") & ~pl.col("_outside")).sum().alias("event_before_approval"),
    )
    for sid, outside, unapproved in flagged.sort("_sid").iter_rows():
        if outside:
            notes.append((ids[sid], "event_outside_cycle", outside))
        if unapproved:
            notes.append((ids[sid], "event_before_approval", unapproved))

    items = _item_table(scheme)
    month = pl.col("date").dt.year().cast(pl.Int64) * 12 + pl.col("date").dt.month().cast(pl.Int64) - 1 - base_month
    kept = df.filter(~pl.col("_outside") & ~pl.col("_unapproved"))
    df = (
        kept
        .join(items, on="item", how="left")
        .with_columns(month.alias("_month"))  # once: each use of ``month`` would read the dates again
        .with_columns(
            (pl.col("_month") // 12).alias("_cycle"),
            pl.when(pl.col("_month") < 0).then(PRIOR).otherwise(pl.col("_month") // 3 + 1).alias("bucket"),
            pl.coalesce("points", "_unit").alias("_each"),
            _rating_ok(scheme).alias("_rated"),
        )
    )
    fraud_factor = scheme.fraud_factor
    if fraud_factor is not None:
        fraud_value = (pl.col("_each").abs() * pl.col("count") * int(fraud_factor * 100)) // (100 * SCALE)
    else:
        fraud_value = pl.lit(0, dtype=pl.Int64)
    once = pl.col("_freq").is_in(["once_per_month", "once_per_cycle"])
    df = df.with_columns(
        pl.when(pl.col("fraud")).then(fraud_value)
        .when(~pl.col("_rated")).then(0)
        .when(once).then(pl.col("_each"))
        .otherwise(_times(pl.col("_each"), pl.col("count")))
        .alias("value"),
    )
    limited = any(i.frequency.startswith("once") or scheme.categories[i.category].combine == "max"
                  for i in scheme.items.values())
    if limited:
        df = _mark_counted(df)
    else:
        df = df.with_columns(pl.lit(True).alias("_counted"))
    for code, count in (
        ("unrated_warning", ~pl.col("_rated") & ~pl.col("fraud")),
        ("fraud", pl.col("fraud")),
    ):
        hits = df.filter(count).group_by("_sid", "item").agg(pl.len()).sort("_sid", "item")
        for sid, item, n in hits.iter_rows():
            warn = scheme.items[item].unrated_warning if code == "unrated_warning" else (
                "fraud" if fraud_factor is not None else "fraud_ignored")
            if warn:
                notes.append((ids[sid], warn, n))

    value = pl.when(pl.col("_counted")).then(pl.col("value")).otherwise(0)
    df = df.with_columns(value.clip(lower_bound=0).alias("pos"), value.clip(upper_bound=0).alias("neg"))
    dated = _dated(df, value) if scheme.supermarket is not None else {}
    if with_lines:
        df = _groups(df, items)
    sums = (
        df.group_by(["_sid", "_comp", "bucket", "_key"])
        .agg(pl.col("pos").sum(), pl.col("neg").sum())
        .sort(["_sid", "_comp", "bucket", "_key"])
        .group_by(["_sid", "_comp"], maintain_order=True)
        .agg("_key", "bucket", "pos", "neg")
    )
    if with_lines:
        sums = sums.join(event_lines(scheme, df), on=["_sid", "_comp"], how="left", maintain_order="left")
    else:
        sums = sums.with_columns(pl.lit([], dtype=pl.List(pl.String)).alias("lines"))
    points: dict[str, dict[str, ComponentEvents]] = {}
    columns = (sums[name].to_list() for name in ("_sid", "_comp", "_key", "bucket", "pos", "neg", "lines"))
    for sid, comp, keys, buckets, pos, neg, lines in zip(*columns):
        rows = tuple(zip(keys, buckets, pos, neg))
        # `total` is this cycle's points; earlier cycles only feed `cumulative` and `balance`
        prior = sum(p + n for _, bucket, p, n in rows if bucket == PRIOR)
        current = tuple(row for row in rows if row[1] != PRIOR)
        points.setdefault(ids[sid], {})[comp] = ComponentEvents(current, lines, prior, dated.get((sid, comp), ()))
    add_shortfalls(scheme, case.subjects, kept, start, points, annual=annual)
    return points, notes


def _times(each: pl.Expr, count: pl.Expr) -> pl.Expr:
    """Points × count, both in hundredths, back to hundredths: exact for whole counts and for
    5 points × 1.5 hours; a finer product is rounded half away from zero (as ROUND_HALF_UP)."""
    product = each * count
    return product.sign() * ((product.abs() + SCALE // 2) // SCALE)


def _dated(df: pl.DataFrame, value: pl.Expr) -> dict[tuple[int, str], tuple[tuple[date, int], ...]]:
    """(subject index, component) → the counted events' (date, hundredths), by date."""
    rows = (
        df.select("_sid", "_comp", "date", value.alias("_v"))
        .filter(pl.col("_v") != 0)
        .sort("date")
        .group_by(["_sid", "_comp"], maintain_order=True)
        .agg("date", "_v")
    )
    return {(sid, comp): tuple(zip(days, values)) for sid, comp, days, values in rows.iter_rows()}


def _groups(df: pl.DataFrame, items: pl.DataFrame) -> pl.DataFrame:
    """One row per (subject, item, bucket, fraud) with what its explanation
    line needs, sorted by subject, bucket, item and fraud (one integer key)."""
    n = items.height
    group = ((pl.col("_sid") * BUCKETS + pl.col("bucket")) * n + pl.col("_item")) * 2 + pl.col("fraud").cast(pl.Int64)
    day = pl.when(pl.col("_counted")).then(pl.col("date").dt.to_string("%Y-%m-%d"))
    key = pl.col("_group")
    return (
        df.select(group.alias("_group"), "pos", "neg", "_counted", "count", "date")
        .sort("date")
        .group_by("_group")
        .agg(
            pl.col("pos").sum(),
            pl.col("neg").sum(),
            pl.col("_counted").sum().alias("counted"),
            (~pl.col("_counted")).sum().alias("skipped"),
            pl.when(pl.col("_counted")).then(pl.col("count")).otherwise(0).sum().alias("units"),
            day.alias("dates"),
        )
        .sort("_group")
        .with_columns(
            pl.col("dates").list.join("、"),  # without the dates of events not counted
            (key // (2 * n * BUCKETS)).alias("_sid"),
            (key // (2 * n) % BUCKETS).alias("bucket"),
            (key // 2 % n).alias("_item"),
            (key % 2 == 1).alias("fraud"),
        )
        .join(items.select("_item", "item", "_comp", "_key"), on="_item", how="left", maintain_order="left")
    )
