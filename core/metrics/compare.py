"""Branch comparison: one row per branch joining score statistics with participation,
attendance and entry activity, plus the five-number summary behind the box plot."""

from __future__ import annotations

import polars as pl

from core.auth.scope import Scope
from core.metrics import activity, scores
from core.metrics.filters import Filter, branch_codes
from core.store import Store


def score_stats(res: pl.DataFrame) -> pl.DataFrame:
    """branch, scored, average, median, and the share (%) of each grade as ``grade:<name>``."""
    stats = res.filter(pl.col("total").is_not_null()).group_by("branch").agg(
        scored=pl.len(), average=pl.col("total").mean().round(1), median=pl.col("total").median().round(1))
    graded = res.filter(pl.col("grade").is_not_null())
    if graded.height:
        shares = (graded.group_by("branch", "grade").len()
                  .with_columns(share=(pl.col("len") * 100 / pl.col("len").sum().over("branch")).round(1))
                  .pivot(on="grade", index="branch", values="share")
                  .rename(lambda c: c if c == "branch" else f"grade:{c}"))
        stats = stats.join(shares, on="branch", how="full", coalesce=True)
    return stats


def box_stats(res: pl.DataFrame) -> pl.DataFrame:
    """branch, min, q1, median, q3, max of the totals (what a box plot draws)."""
    return (res.filter(pl.col("total").is_not_null()).group_by("branch").agg(
        min=pl.col("total").min(), q1=pl.col("total").quantile(0.25), median=pl.col("total").median(),
        q3=pl.col("total").quantile(0.75), max=pl.col("total").max()).sort("branch"))


def branch_table(store: Store, scope: Scope, flt: Filter) -> pl.DataFrame:
    """Everything the comparison table shows, one row per branch in the filter."""
    res, _ = scores.results(store, branch_codes(store, scope, flt), flt.cycle, flt.today)
    res = scores.with_category(res, flt.category)
    part = activity.participation(store, scope, flt).select("branch", "name", "base", participation="rate")
    att = activity.attendance(store, scope, flt).select("branch", attendance="rate")
    ent = activity.entries(store, scope, flt).select("branch", "entries", "days_since")
    table = (part.join(att, on="branch", how="left").join(ent, on="branch", how="left")
             .join(score_stats(res), on="branch", how="left"))
    return table.with_columns(
        per_member=pl.when(pl.col("base") > 0).then((pl.col("entries") / pl.col("base")).round(1)).otherwise(None))


def box_by_filter(store: Store, scope: Scope, flt: Filter) -> pl.DataFrame:
    res, _ = scores.results(store, branch_codes(store, scope, flt), flt.cycle, flt.today)
    return box_stats(scores.with_category(res, flt.category))
