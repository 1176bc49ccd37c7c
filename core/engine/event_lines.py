"""Explanation lines for counted events, built as Polars string expressions.

One line per (subject, item, quarter, fraud) group, e.g.
``第1季度 缺席三会一课 −2 × 3 次 = −6（2025-07-03、…）`` (item names, never codes). Amounts are
integer hundredths; Python formats each distinct amount once with
``core.decimals.signed`` and never touches a group.
"""

from __future__ import annotations

import polars as pl

from core.decimals import SCALE, fmt, signed, unscaled
from core.scheme.model import Scheme

SKIP_REASON = {"once_per_month": "每月只计一次", "once_per_cycle": "每周期只计一次"}
WHERE = {0: "往年累计", 1: "第1季度", 2: "第2季度", 3: "第3季度", 4: "第4季度"}  # by bucket; 0 = earlier cycles


def _text_table(scheme: Scheme) -> pl.DataFrame:
    items = list(scheme.items.values())
    return pl.DataFrame(
        {
            "item": [i.code for i in items],
            "_name": [i.name for i in items],
            "_is_range": [i.is_range for i in items],
            "_per_unit": [i.frequency == "per_unit" for i in items],
            "_each_text": [None if i.points is None else signed(i.points) for i in items],
            "_skip_text": [
                "同类别只计最高一项" if scheme.categories[i.category].combine == "max"
                else SKIP_REASON.get(i.frequency, "未计")
                for i in items
            ],
        },
        schema={"item": pl.String, "_name": pl.String, "_is_range": pl.Boolean, "_per_unit": pl.Boolean,
                "_each_text": pl.String, "_skip_text": pl.String},
    )


def event_lines(scheme: Scheme, groups: pl.DataFrame) -> pl.DataFrame:
    """(_sid, _comp, lines) from groups with item, bucket, fraud, pos, neg,
    counted, skipped, units and dates (the counted dates joined by 、), in the
    order the lines are listed."""
    fraud, ranged = pl.col("fraud"), pl.col("_is_range")
    by_units = pl.col("_per_unit") | (pl.col("units") != pl.col("counted") * SCALE)
    lead = pl.when(fraud).then(pl.lit(" 虚报 ")).otherwise(pl.lit(" "))
    each = pl.when(fraud | ranged).then(pl.lit("")).otherwise(pl.concat_str(pl.col("_each_text"), pl.lit(" × ")))
    times = (pl.when(fraud | ranged | ~by_units).then(pl.col("counted").cast(pl.Int64).cast(pl.String))
             .otherwise(_units(groups)))
    then = (
        pl.when(fraud).then(pl.lit(" 次，按规则扣 "))
        .when(ranged).then(pl.lit(" 次，共 "))
        .when(by_units).then(pl.lit(" = "))
        .otherwise(pl.lit(" 次 = "))
    )
    dates = pl.when(pl.col("dates") != "").then(pl.concat_str(pl.lit("（"), pl.col("dates"), pl.lit("）")))
    skipped = pl.when(pl.col("skipped") > 0).then(
        pl.concat_str(pl.lit("；另有 "), pl.col("skipped").cast(pl.String), pl.lit(" 次不计（"),
                      pl.col("_skip_text"), pl.lit("）"))
    )
    line = pl.concat_str(
        pl.col("bucket").replace_strict(WHERE, return_dtype=pl.String), lead,
        pl.col("_name"), pl.lit(" "),
        each, times, then, _amounts(groups),
        dates.otherwise(pl.lit("")), skipped.otherwise(pl.lit("")),
    )
    return (
        groups.join(_text_table(scheme), on="item", how="left", maintain_order="left")
        .select("_sid", "_comp", line.alias("lines"))
        .group_by(["_sid", "_comp"], maintain_order=True)
        .agg("lines")
    )


def _units(groups: pl.DataFrame) -> pl.Expr:
    """Each group's units (hundredths: 1.5 hours of service) as text, 150 → "1.5"."""
    values = groups.select(pl.col("units").unique()).to_series().to_list()
    return pl.col("units").replace_strict({v: fmt(unscaled(v)) for v in values}, return_dtype=pl.String)


def _amounts(groups: pl.DataFrame) -> pl.Expr:
    """Each group's signed amount, formatted by Python once per distinct value."""
    amount = pl.col("pos") + pl.col("neg")
    values = groups.select(amount.unique()).to_series().to_list()
    return amount.replace_strict({v: signed(unscaled(v)) for v in values}, return_dtype=pl.String)
