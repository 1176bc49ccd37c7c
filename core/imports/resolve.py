"""Finding what a row names: its branch (by code, name or label, or the branch the import was
started for) and its member (by ID number, or by name when the name is unique in the branch).

Each lookup is one query for the whole scope and a join, never a query per row.
"""

from __future__ import annotations

import re
import unicodedata

import polars as pl

from core.idcard import check_digit, lost_digits, normalise_id
from core.imports.base import Context, errors_where
from core.io.reader import SHEET, clean_names, clean_text
from core.orgs import labels

BRANCH = "branch"  # the file's branch column (text as written)
SUFFIX = r"(党总支部|党总支|党支部|支部委员会|支部|村民委员会|居民委员会|村委会|居委会|社区居委会)$"


def scope_orgs(ctx: Context, level: str | None = None) -> pl.DataFrame:
    sql = ("SELECT code, name, level, kind, parent_code, path, coalesce(active, true) AS active FROM orgs"
           " WHERE starts_with(path, ?)")
    params = [ctx.scope.path]
    if level:
        sql += " AND level = ?"
        params.append(level)
    return ctx.store.frame(sql + " ORDER BY path", params)


def org_lookup(ctx: Context, level: str = "branch") -> dict[str, str | None]:
    """Text -> code for the orgs of ``level`` in scope: the code, the label and the name when
    the name is unique (a shared name maps to None: the row must say which one)."""
    orgs = scope_orgs(ctx, level)
    shown = labels(ctx.store, orgs["code"].to_list())
    out: dict[str, str | None] = {}
    names = orgs.group_by("name").len()
    unique = set(names.filter(pl.col("len") == 1)["name"].to_list())
    for code, name in zip(orgs["code"], orgs["name"]):
        out[name] = code if name in unique else None
    # '一村' for 一村党支部: a sheet or a cell often gives the village without the suffix
    short = orgs.with_columns(pl.col("name").str.replace(SUFFIX, "").alias("short")).filter(
        (pl.col("short") != pl.col("name")) & (pl.col("short").str.len_chars() >= 2))
    alone = set(short.group_by("short").len().filter(pl.col("len") == 1)["short"].to_list())
    for code, name in zip(short["code"], short["short"]):
        if name not in out:
            out[name] = code if name in alone else None
    for code in orgs["code"]:
        out[shown.get(code, code)] = code
        out[code] = code
    # cells are NFKC-folded on reading (（柳林镇） -> (柳林镇)): the folded keys match too
    return out | {unicodedata.normalize("NFKC", k): v for k, v in out.items()}


# The CLI adds how to choose the branch there (--org) when a file gets this error.
NO_BRANCH = "请填写所在支部，或在导入时选择支部"


def resolve_branch(ctx: Context, frame: pl.DataFrame, column: str = BRANCH) -> tuple[pl.DataFrame, list]:
    """Adds ``branch_code``: the row's branch column, else the branch the import is for."""
    lookup = org_lookup(ctx, "branch")
    default = ctx.org_code if ctx.org_code in lookup.values() else None
    if ctx.org_code is None and ctx.unit:
        # no branch chosen: a roster's note '填报单位：一村党支部' says where it goes
        default = lookup.get(re.sub(r"\s+", "", ctx.unit))
    text = clean_text(pl.col(column)).str.replace_all(r"\s+", "")
    keys = pl.DataFrame({"_branch_text": list(lookup), "branch_code": list(lookup.values())},
                        schema={"_branch_text": pl.String, "branch_code": pl.String})
    frame = frame.with_columns(text.alias("_branch_text")).join(keys, on="_branch_text", how="left",
                                                                maintain_order="left")
    # A workbook with a sheet per branch: a row with no branch of its own goes to the branch its
    # sheet is named after; a sheet named otherwise (一季度, 7月) leaves it to the import's branch.
    if SHEET in frame.columns:
        frame = frame.with_columns(clean_text(pl.col(SHEET)).str.replace_all(r"\s+", "").alias("_sheet_text")).join(
            keys.filter(pl.col("branch_code").is_not_null()).rename(
                {"_branch_text": "_sheet_text", "branch_code": "_sheet_branch"}),
            on="_sheet_text", how="left", maintain_order="left")
    else:
        frame = frame.with_columns(pl.lit(None, pl.String).alias("_sheet_text"),
                                   pl.lit(None, pl.String).alias("_sheet_branch"))
    frame = frame.with_columns(pl.when(pl.col("_branch_text").is_null()).then(
        pl.coalesce("_sheet_branch", pl.lit(default, pl.String))).otherwise(pl.col("branch_code")).alias("branch_code"))
    header = ctx.header(column)
    ambiguous = {k for k, v in lookup.items() if v is None}
    errors = [
        errors_where(frame, pl.col("_branch_text").is_null() & pl.col("branch_code").is_null(), header,
                     NO_BRANCH),
        errors_where(frame, pl.col("_branch_text").is_in(list(ambiguous)), header,
                     pl.format("有多个支部叫「{}」，请填写支部编码", pl.col("_branch_text"))),
        errors_where(frame, pl.col("_branch_text").is_not_null() & pl.col("branch_code").is_null()
                     & ~pl.col("_branch_text").is_in(list(ambiguous)), header,
                     pl.format("未找到支部「{}」（或不在您的管辖范围内）", pl.col("_branch_text"))),
        # a sheet named like a branch that is none (a typo, another township's) must not send
        # its rows to the import's branch unnoticed
        errors_where(frame, pl.col("_branch_text").is_null() & pl.col("_sheet_branch").is_null()
                     & pl.col("_sheet_text").str.contains(SUFFIX + r"|(村|社区)$").fill_null(False), header,
                     pl.format("工作表名「{}」像是支部名称，但未找到该支部（或不在您的管辖范围内）："
                               "请改正表名，或在表中填写所在支部", pl.col("_sheet_text"))),
    ]
    return frame.drop("_branch_text", "_sheet_text", "_sheet_branch"), errors


def id_card_column(frame: pl.DataFrame, numeric: bool, header: str, column: str = "id_card"
                   ) -> tuple[pl.DataFrame, list]:
    """Adds ``id_norm`` (the normalised number) and reports numbers that lost digits in Excel."""
    lost_message = "身份证号以数字保存，已丢失末几位，请把该列设为文本后重新填写"
    frame = frame.with_columns(
        pl.col(column).map_elements(normalise_id, return_dtype=pl.String).replace("", None).alias("id_norm"))
    # A 15-digit number survives being stored as a number (a double holds it exactly).
    old_id = pl.col("id_norm").str.contains(r"^\d{15}$")
    frame = frame.with_columns(
        (pl.col(column).is_not_null() & ~old_id.fill_null(False) & (pl.lit(numeric) | pl.col(column).map_elements(
            lost_digits, return_dtype=pl.Boolean))).alias("_lost"),
        pl.when(old_id).then(pl.col("id_norm").map_elements(upgrade_id, return_dtype=pl.String))
        .otherwise(pl.col("id_norm")).alias("id_norm"))
    errors = [errors_where(frame, pl.col("_lost"), header, lost_message)]
    return frame.with_columns(pl.when(pl.col("_lost")).then(None).otherwise(pl.col("id_norm")).alias("id_norm")
                              ).drop("_lost"), errors


def upgrade_id(old: str) -> str:
    """A 15-digit ID number (issued before 1999: 6-digit area, yymmdd, 3-digit sequence) as
    the 18-digit number it became (GB 11643-1999): '19' before the year, a check digit after."""
    first17 = old[:6] + "19" + old[6:]
    return first17 + check_digit(first17)


def scope_members(ctx: Context, kinds: tuple[str, ...] | None = None) -> pl.DataFrame:
    sql = ("SELECT m.id AS member_id, m.name AS m_name, m.branch_code AS m_branch, m.id_card AS m_id_card,"
           " m.kind AS m_kind, m.category AS m_category, m.status AS m_status"
           " FROM members m JOIN orgs o ON o.code = m.branch_code WHERE starts_with(o.path, ?)")
    params: list = [ctx.scope.path]
    if kinds:
        sql += " AND m.kind = ANY(?)"
        params.append(list(kinds))
    return ctx.store.frame(sql, params)


def match_members(ctx: Context, frame: pl.DataFrame, known: pl.DataFrame, name_col: str = "name"
                  ) -> tuple[pl.DataFrame, list]:
    """Adds ``member_id`` (and the member's kind, category, status): matched by ID number when
    the row has one, else by name within the row's branch when that name is unique there."""
    by_id = known.filter(pl.col("m_id_card").is_not_null()).unique("m_id_card", keep="first")
    counts = known.group_by("m_name", "m_branch").len("_same")
    by_name = known.join(counts, on=["m_name", "m_branch"]).filter(pl.col("_same") == 1).drop("_same")
    frame = frame.with_columns(clean_names(pl.col(name_col)).alias("_name"))
    hit_id = frame.join(by_id, left_on="id_norm", right_on="m_id_card", how="left", maintain_order="left")
    hit_name = frame.join(by_name, left_on=["_name", "branch_code"], right_on=["m_name", "m_branch"], how="left",
                          maintain_order="left")
    cols = ["member_id", "m_kind", "m_category", "m_status"]
    merged = frame.with_columns(
        pl.when(pl.col("id_norm").is_not_null()).then(hit_id[c]).otherwise(hit_name[c]).alias(c) for c in cols
    ).with_columns(hit_id["m_branch"].alias("_id_branch"), hit_id["m_name"].alias("_id_name"))
    shared = counts.filter(pl.col("_same") > 1).select(pl.col("m_name").alias("_name"),
                                                        pl.col("m_branch").alias("branch_code"),
                                                        pl.lit(True).alias("_shared"))
    merged = merged.join(shared, on=["_name", "branch_code"], how="left", maintain_order="left")
    header = ctx.header(name_col)
    errors = [
        errors_where(merged, pl.col("member_id").is_null() & pl.col("id_norm").is_not_null(),
                     ctx.header("id_card"), pl.format("未找到身份证号为 {} 的人员", pl.col("id_norm"))),
        errors_where(merged, pl.col("member_id").is_null() & pl.col("id_norm").is_null() & pl.col("_shared"),
                     header, pl.format("本支部有多人叫「{}」，请填写身份证号加以区分", pl.col("_name"))),
        errors_where(merged, pl.col("member_id").is_null() & pl.col("id_norm").is_null()
                     & pl.col("_shared").is_null() & pl.col("_name").is_not_null()
                     & pl.col("branch_code").is_not_null(),
                     header, pl.format("本支部没有名为「{}」的人员", pl.col("_name"))),
        errors_where(merged, pl.col("member_id").is_not_null() & pl.col("id_norm").is_not_null()
                     & pl.col("_name").is_not_null() & (pl.col("_id_name") != pl.col("_name")), header,
                     pl.format("身份证号对应的是「{}」，与姓名「{}」不符", pl.col("_id_name"), pl.col("_name"))),
    ]
    return merged.drop("_name", "_shared", "_id_name"), errors
