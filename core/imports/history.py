"""往年等次 import: past cycles' grades (and stars, totals) for the streak rules
(连续两年不合格 …), from before the system was used.

A row is added to ``cycle_history`` with ``source = 'import'``; the latest row per member and
cycle is the one the case builder reads, so a corrected year is a new row and undoing the
batch (its rows removed) brings the earlier one back. Only cycles before the current one.
"""

from __future__ import annotations

import polars as pl

from core import audit
from core.cycles import cycle_of
from core.imports.base import Column, Context, Plan, duplicates, errors_where, gather, row_errors
from core.imports.people import COLUMNS as PEOPLE
from core.imports.people import CYCLE, cycles, find_people
from core.io.reader import ROW, Table, clean_text, parse_numbers
from core.scheme_assignments import NoSchemeError, scheme_for

KIND = "history"
NAME = "往年等次"
TABLES = ("cycle_history",)  # what ``write`` fills
COLUMNS = [*PEOPLE, CYCLE,
           Column("grade", "等次", ("评定等次", "考核等次", "评议等次", "结果"), False, "合格", width=10),
           Column("stars", "星级", ("星数", "评星"), False, "", width=6),
           Column("total", "总分", ("得分", "积分", "年度积分"), False, "", width=8)]


def validate(ctx: Context, table: Table) -> Plan:
    frame, errors = find_people(ctx, table)
    frame, errs = cycles(ctx, frame, ctx.today.year)
    errors += errs
    frame = frame.with_columns(clean_text(pl.col("grade")).alias("grade_v"),
                               parse_numbers(pl.col("stars")).alias("stars_f"),
                               parse_numbers(pl.col("total")).round(1).alias("total_v"))
    errors += [
        errors_where(frame, pl.col("grade_v").is_null() & pl.col("stars").is_null() & pl.col("total").is_null(),
                     ctx.header("grade"), "请填写等次、星级或总分"),
        errors_where(frame, pl.col("stars").is_not_null() & (pl.col("stars_f").is_null()
                     | (pl.col("stars_f") != pl.col("stars_f").round(0)) | ~pl.col("stars_f").is_between(0, 10)),
                     ctx.header("stars"), pl.format("星级应为 0～10 的整数，填写的是「{}」", pl.col("stars"))),
        errors_where(frame, pl.col("total").is_not_null() & pl.col("total_v").is_null(), ctx.header("total"),
                     pl.format("总分应为数字，填写的是「{}」", pl.col("total"))),
        duplicates(frame, ["member_id", "cycle_v"], ctx.header("name"), "（同一人同一年度）"),
    ]
    # The grade must be one the branch's scheme names; past cycles may predate any scheme
    # setting, so the scheme in force today is the reference then. The cycle must be over.
    bad, schemes = [], {}
    for row in frame.filter(pl.col("member_id").is_not_null() & pl.col("cycle_v").is_not_null()).iter_rows(named=True):
        branch = row["branch_code"]
        if branch not in schemes:
            try:
                schemes[branch] = scheme_for(ctx.store, branch, ctx.today)[0]
            except NoSchemeError as exc:
                schemes[branch] = str(exc)
        scheme = schemes[branch]
        if isinstance(scheme, str):
            bad.append((row[ROW], ctx.header("branch"), scheme))
            continue
        if row["cycle_v"] >= cycle_of(scheme.cycle_start, ctx.today):
            bad.append((row[ROW], ctx.header("cycle"), f"{row['cycle_v']} 年度尚未结束，等次由系统评定，不能导入"))
        if row["grade_v"] and row["grade_v"] not in scheme.grade_names:
            bad.append((row[ROW], ctx.header("grade"),
                        f"等次应为 {'/'.join(scheme.grade_names)} 之一，填写的是「{row['grade_v']}」"))
    errors.append(row_errors(bad))
    errors = gather(errors)
    frame = frame.filter(~pl.col(ROW).is_in(errors["行号"].implode()) & pl.col("member_id").is_not_null())
    frame = frame.with_columns(pl.col("stars_f").cast(pl.Int64).alias("stars_v"))
    have = ctx.store.frame(
        "SELECT member_id, cycle_v, _g, _s, _t FROM ("
        " SELECT member_id, cycle AS cycle_v, grade AS _g, stars AS _s, CAST(total AS DOUBLE) AS _t,"
        " row_number() OVER (PARTITION BY member_id, cycle ORDER BY recorded_at DESC) AS rn"
        " FROM cycle_history WHERE member_id = ANY(?)) h WHERE rn = 1", [frame["member_id"].unique().to_list()])
    frame = frame.join(have.with_columns(pl.col("cycle_v").cast(pl.Int64)), on=["member_id", "cycle_v"], how="left",
                       maintain_order="left")
    seen = pl.col("_g").is_not_null() | pl.col("_s").is_not_null() | pl.col("_t").is_not_null()
    same = seen & pl.col("grade_v").eq_missing(pl.col("_g")) & pl.col("stars_v").eq_missing(pl.col("_s")) \
        & pl.col("total_v").eq_missing(pl.col("_t"))
    frame = frame.with_columns(same.alias("_same"), seen.alias("_seen"))
    cols = [ROW, "member_id", "cycle_v", "grade_v", "stars_v", "total_v"]
    add = frame.filter(~pl.col("_seen")).select(cols)
    update = frame.filter(pl.col("_seen") & ~pl.col("_same")).select(cols)
    shown = lambda f: f.select(pl.col(ROW).alias("行号"), clean_text(pl.col("name")).alias("姓名"),  # noqa: E731
                               pl.col("cycle_v").alias("年度"), pl.col("grade_v").alias("等次"),
                               pl.col("stars_v").alias("星级"), pl.col("total_v").alias("总分"))
    return Plan(add, update, int(frame["_same"].sum()), errors, shown(frame.filter(~pl.col("_seen"))),
                shown(frame.filter(pl.col("_seen") & ~pl.col("_same"))))


def write(cur, ctx: Context, plan: Plan, batch_id: int, file_name: str) -> dict:
    rows = pl.concat([plan.add, plan.update])
    cur.executemany("INSERT INTO cycle_history(member_id, cycle, grade, stars, total, source, import_batch)"
                    " VALUES (?, ?, ?, ?, ?, 'import', ?)",
                    [[m, c, g, s, t, batch_id] for _, m, c, g, s, t in rows.iter_rows()])
    audit.record(cur, ctx.user.username, "history.import", entity="import_batch", entity_id=batch_id,
                 org_code=ctx.org_code or ctx.user.org_code,
                 after={"rows": rows.height, "file": file_name}, reason=f"导入批次 {batch_id}")
    return {"added": plan.add.height, "updated": plan.update.height}


def undo(cur, ctx: Context, batch_id: int) -> dict:
    removed = cur.execute("SELECT count(*) FROM cycle_history WHERE import_batch = ?", [batch_id]).fetchall()[0][0]
    cur.execute("DELETE FROM cycle_history WHERE import_batch = ?", [batch_id]).fetchall()
    audit.record(cur, ctx.user.username, "history.remove", entity="import_batch", entity_id=batch_id,
                 org_code=ctx.org_code or ctx.user.org_code, before={"rows": removed},
                 reason=f"撤销导入批次 {batch_id}")
    return {"removed": removed}
