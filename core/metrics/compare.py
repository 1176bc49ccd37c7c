"""Branch comparison: one row per branch joining score statistics with participation,
attendance and entry activity, plus the five-number summary behind the box plot."""

from __future__ import annotations

import polars as pl

from core.auth.scope import Scope
from core.metrics import activity, scores
from core.metrics.at_once import at_once
from core.metrics.distribution import scheme
from core.metrics.filters import Filter, branch_codes
from core.store import Store


def score_stats(res: pl.DataFrame) -> pl.DataFrame:
    """branch, rated (members with a result), scored (with a total), average, median, and the
    share (%) of each grade as ``grade:<name>``.

    A grade's share is over *every rated member* of the branch, not over those who got a
    grade: a star scheme names only its bottom band (1 star = 不合格), and 6 of 34 members
    with a 等次 must read as 17.6%, not 100%. A branch whose scheme has the grade but no member
    in it shows 0; one whose scheme has no such grade shows nothing (null)."""
    rated = res.group_by("branch").agg(rated=pl.len())
    stats = rated.join(res.filter(pl.col("total").is_not_null()).group_by("branch").agg(
        scored=pl.len(), average=pl.col("total").mean().round(1), median=pl.col("total").median().round(1)),
        on="branch", how="left").with_columns(pl.col("scored").fill_null(0))
    graded = res.filter(pl.col("grade").is_not_null())
    if graded.height:
        named = [g for sid in sorted(res["scheme"].unique()) for g in scheme(sid).grade_names]
        order = list(dict.fromkeys(named))  # the schemes' own order (优秀 before 合格), not code points
        grades = sorted(graded["grade"].unique(), key=lambda g: order.index(g) if g in order else len(order))
        shares = (graded.group_by("branch", "grade").len()
                  .join(rated, on="branch")
                  .with_columns(share=(pl.col("len") * 100 / pl.col("rated")).round(1))
                  .pivot(on="grade", index="branch", values="share")
                  .rename(lambda c: c if c == "branch" else f"grade:{c}"))
        has = {g: [b for b, sid in scores.branch_schemes(res).items() if g in scheme(sid).grade_names] for g in grades}
        stats = stats.join(shares, on="branch", how="left").with_columns(
            pl.when(pl.col("branch").is_in(has[g])).then(pl.col(f"grade:{g}").fill_null(0.0))
            .otherwise(pl.col(f"grade:{g}")) for g in grades).select(
            "branch", "rated", "scored", "average", "median", *(f"grade:{g}" for g in grades))
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
    part, att, ent = at_once(lambda: activity.participation(store, scope, flt),
                             lambda: activity.attendance(store, scope, flt),
                             lambda: activity.entries(store, scope, flt))
    part = part.select("branch", "name", "base", participation="rate")
    att = att.select("branch", attendance="rate")
    ent = ent.select("branch", "entries", "days_since")
    table = (part.join(att, on="branch", how="left").join(ent, on="branch", how="left")
             .join(score_stats(res), on="branch", how="left"))
    return table.with_columns(
        per_member=pl.when(pl.col("base") > 0).then((pl.col("entries") / pl.col("base")).round(1)).otherwise(None))


def box_by_filter(store: Store, scope: Scope, flt: Filter) -> pl.DataFrame:
    res, _ = scores.results(store, branch_codes(store, scope, flt), flt.cycle, flt.today)
    return box_stats(scores.with_category(res, flt.category))


# What each indicator divides by, for the page's column help; the headers say which period.
COLUMN_HELPS = {
    "base": "在册且未免评的党员，参与率和人均录入条数的分母",
    "participation": "有已审核积分记录或出席活动的党员 ÷ 党员数",
    "attendance": "三会一课、主题党日、支委会的出席人次 ÷ 应到人次",
    "per_member": "录入条数 ÷ 党员数",
    "days_since": "截至今天",
    "rated": "本年度有积分结果的党员（不含免于评星），等次占比的分母",
    "average": "有总分的党员的平均分；只评星级、无总分的方案不计",
}


def column_labels(period: str, cycle: str) -> dict[str, str]:
    """支部对比's indicators and their headers (the page and the township report share them):
    activity counts the period, scores the cycle, and each header says which."""
    return {"name": "支部", "base": f"党员数（{period}）", "participation": f"参与率（%，{period}）",
            "attendance": f"出勤率（%，{period}）", "entries": f"录入条数（{period}）",
            "per_member": f"人均录入条数（{period}）", "days_since": "距上次录入（天）",
            "rated": f"参评人数（{cycle}）", "average": f"平均分（{cycle}）", "median": f"中位数（{cycle}）"}
