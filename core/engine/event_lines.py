"""Explanation lines for counted events, built as Polars string expressions.

One line per (subject, item, quarter, fraud) group, e.g.
``Q1 缺席三会一课（miss_meeting）−2 × 3 次 = −6（2025-07-03、…）``. Amounts are
integer hundredths and are printed like ``core.decimals.signed``, so Python
never touches a group.
"""

from __future__ import annotations

import polars as pl

from core.decimals import SCALE, signed
from core.scheme.model import Scheme

SKIP_REASON = {"once_per_month": "每月只计一次", "once_per_cycle": "每周期只计一次"}


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


def signed_text(hundredths: pl.Expr) -> pl.Expr:
    """``signed(Decimal(n) / SCALE)`` for an integer column: +1.5, −2, +0.05, +0."""
    size = hundredths.abs()
    whole = (size // SCALE).cast(pl.String)
    cents = size % SCALE
    fraction = (
        pl.when(cents == 0).then(pl.lit(""))
        .when(cents % 10 == 0).then(pl.concat_str(pl.lit("."), (cents // 10).cast(pl.String)))
        .otherwise(pl.concat_str(pl.lit("."), cents.cast(pl.String).str.zfill(2)))
    )
    sign = pl.when(hundredths < 0).then(pl.lit("−")).otherwise(pl.lit("+"))
    return pl.concat_str(sign, whole, fraction)


def event_lines(scheme: Scheme, groups: pl.DataFrame) -> pl.DataFrame:
    """(subject, _comp, lines) from groups with item, bucket, fraud, pos, neg,
    counted, skipped, units and dates (the counted dates joined by 、)."""
    where = pl.when(pl.col("bucket") == 0).then(pl.lit("往年累计")).otherwise(
        pl.concat_str(pl.lit("Q"), pl.col("bucket").cast(pl.String))
    )
    label = pl.concat_str(pl.col("_name"), pl.lit("（"), pl.col("item"), pl.lit("）"))
    amount = signed_text(pl.col("pos") + pl.col("neg"))
    counted = pl.col("counted").cast(pl.String)
    units = pl.col("units").cast(pl.String)
    body = (
        pl.when(pl.col("fraud"))
        .then(pl.concat_str(where, pl.lit(" 虚报 "), label, counted, pl.lit(" 次，按规则扣 "), amount))
        .when(pl.col("_is_range"))
        .then(pl.concat_str(where, pl.lit(" "), label, counted, pl.lit(" 次，共 "), amount))
        .when(pl.col("_per_unit") | (pl.col("units") != pl.col("counted")))
        .then(pl.concat_str(where, pl.lit(" "), label, pl.col("_each_text"), pl.lit(" × "), units,
                            pl.lit(" = "), amount))
        .otherwise(pl.concat_str(where, pl.lit(" "), label, pl.col("_each_text"), pl.lit(" × "), counted,
                                 pl.lit(" 次 = "), amount))
    )
    dates = pl.when(pl.col("dates") != "").then(pl.concat_str(pl.lit("（"), pl.col("dates"), pl.lit("）")))
    skipped = pl.when(pl.col("skipped") > 0).then(
        pl.concat_str(pl.lit("；另有 "), pl.col("skipped").cast(pl.String), pl.lit(" 次不计（"),
                      pl.col("_skip_text"), pl.lit("）"))
    )
    line = pl.concat_str(body, dates.otherwise(pl.lit("")), skipped.otherwise(pl.lit("")))
    return (
        groups.join(_text_table(scheme), on="item", how="left")
        .select("subject", "_comp", "bucket", "item", "fraud", line.alias("lines"))
        .sort(["subject", "bucket", "item", "fraud"])
        .group_by(["subject", "_comp"], maintain_order=True)
        .agg("lines")
    )
