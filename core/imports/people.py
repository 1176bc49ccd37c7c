"""Rows that name a person already in the system (scores, history): name, ID number, branch."""

from __future__ import annotations

import polars as pl

from core.imports.base import Column, Context, errors_where
from core.imports.resolve import id_card_column, match_members, resolve_branch, scope_members
from core.imports.roster import BRANCH, ID_CARD, PERSON
from core.io.reader import Table, clean_names, clean_text

COLUMNS = [PERSON, ID_CARD, BRANCH]
CYCLE = Column("cycle", "年度", ("考核年度", "评议年度", "年份", "周期"), True, "2024", width=8)


def find_people(ctx: Context, table: Table) -> tuple[pl.DataFrame, list]:
    """The table with ``branch_code`` and ``member_id`` (plus the member's kind, category and
    status), and the errors of rows whose person cannot be found."""
    frame, errors = resolve_branch(ctx, table.frame.with_columns(clean_names(pl.col("name")).alias("name")))
    frame, errs = id_card_column(frame, "id_card" in table.numeric, ctx.header("id_card"))
    errors += errs
    frame, errs = match_members(ctx, frame, scope_members(ctx))
    errors += errs
    errors.append(errors_where(frame, pl.col("name").is_null(), ctx.header("name"), f"「{ctx.header('name')}」不能为空"))
    return frame, errors


def cycles(ctx: Context, frame: pl.DataFrame, latest: int) -> tuple[pl.DataFrame, list]:
    """``cycle_v``: the year (2024, 2024年, 2024年度), between 2000 and ``latest``."""
    text = clean_text(pl.col("cycle"))
    frame = frame.with_columns(text.str.extract(r"^(\d{4})(?:年度?)?$").cast(pl.Int64, strict=False).alias("cycle_v"))
    errors = [errors_where(frame, pl.col("cycle").is_null(), ctx.header("cycle"), f"「{ctx.header('cycle')}」不能为空"),
              errors_where(frame, pl.col("cycle").is_not_null() & pl.col("cycle_v").is_null(), ctx.header("cycle"),
                           pl.format("「{}」不是年度（应写 2024）", pl.col("cycle"))),
              errors_where(frame, ~pl.col("cycle_v").is_between(2000, latest), ctx.header("cycle"),
                           pl.format(f"年度 {{}} 不在 2000～{latest} 之间", pl.col("cycle_v")))]
    return frame.with_columns(pl.when(pl.col("cycle_v").is_between(2000, latest)).then(pl.col("cycle_v"))
                              .alias("cycle_v")), errors
