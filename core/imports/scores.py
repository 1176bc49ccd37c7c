"""评议分数 import: appraisal grades and entered scores (民主评议 …) of a cycle's periods.

Each row is checked by ``core.services.appraisal``'s own row rules (``parse_row``: the grade
among the scheme's grades, the score within the component's range for the member's
category, the rater one the scheme names) and the period must not be locked. Rows are
appended like the 民主评议 grid appends them (the latest per member, cycle, component,
period and rater is in force); undo appends the value that was in force before.
Vote tallies are entered on the page (one cell per ballot level does not fit a flat sheet).
"""

from __future__ import annotations

import polars as pl

from core import audit
from core.cycles import period_bounds, period_short
from core.imports.base import Column, Context, Plan, duplicates, gather, row_errors
from core.imports.people import COLUMNS as PEOPLE
from core.imports.people import CYCLE, cycles, find_people
from core.io.reader import ROW, Table, clean_text
from core.scheme_assignments import NoSchemeError, scheme_for_cycle
from core.services.appraisal import CURRENT_SCORES_SQL, parse_row, input_for
from core.services.entry_rules import EntryError, check_unlocked

KIND = "scores"
NAME = "评议分数"
TABLES = ("scores",)  # what ``write`` fills
COLUMNS = [*PEOPLE, CYCLE,
           Column("component", "评议项目", ("项目", "考核项目", "评议内容"), False, "评议分", width=12),
           Column("period", "期间", ("季度", "半年", "评议期间", "时段"), False, "前半年", width=10),
           Column("grade", "等次", ("评议等次", "评定等次", "结果"), False, "优秀", width=10),
           Column("value", "分数", ("得分", "评分", "分值"), False, "", width=8),
           Column("rater", "评分人", ("评价主体", "评分主体"), False, "", width=10)]
_PERIOD_WORDS = {"全年": "cycle", "年度": "cycle", "上半年": "H1", "下半年": "H2", "一季度": "Q1", "二季度": "Q2",
                 "三季度": "Q3", "四季度": "Q4", "第一季度": "Q1", "第二季度": "Q2", "第三季度": "Q3", "第四季度": "Q4"}


def validate(ctx: Context, table: Table) -> Plan:
    frame, errors = find_people(ctx, table)
    frame, errs = cycles(ctx, frame, ctx.today.year)
    errors += errs
    frame = frame.with_columns(*[clean_text(pl.col(c)).alias(f"{c}_t") for c in ("component", "period", "grade",
                                                                                    "value", "rater")])
    bad, rows, schemes = [], [], {}
    h = ctx.header
    with ctx.store.cursor() as cur:
        found_rows = frame.filter(pl.col("member_id").is_not_null() & pl.col("cycle_v").is_not_null())
        for r in found_rows.iter_rows(named=True):
            key = (r["branch_code"], r["cycle_v"])
            if key not in schemes:
                try:
                    schemes[key] = scheme_for_cycle(ctx.store, *key, ctx.today)[0]
                except NoSchemeError as exc:
                    schemes[key] = str(exc)
            scheme = schemes[key]
            if isinstance(scheme, str):
                bad.append((r[ROW], h("branch"), scheme))
                continue
            entered = scheme.entered_components()
            text = r["component_t"]
            found = [e for e in entered if text in (None, e.id, e.name)] if text else entered
            ids = {e.id for e in found}
            if len(ids) != 1:
                names = "、".join(dict.fromkeys(e.name for e in entered)) or "（无）"
                bad.append((r[ROW], h("component"), f"评议项目应为 {names} 之一" if text else
                            f"方案「{scheme.name}」有多个评议项目（{names}），请填写评议项目"))
                continue
            entry = input_for(found, r["m_category"])
            periods = entry.periods if entry else found[0].periods
            words = {p: p for p in periods} | {period_short(scheme, p): p for p in periods} | {
                k: v for k, v in _PERIOD_WORDS.items() if v in periods}
            period = words.get(r["period_t"]) if r["period_t"] else (periods[0] if len(periods) == 1 else None)
            if period is None:
                bad.append((r[ROW], h("period"), f"期间应为 {'、'.join(period_short(scheme, p) for p in periods)} 之一"))
                continue
            try:
                parsed = parse_row({"value": r["value_t"], "grade": r["grade_t"], "rater": r["rater_t"]}, entry,
                                    r["name"], r["m_category"])
            except EntryError as exc:
                column = "grade" if entry and entry.kind == "grade" else "value"
                bad.append((r[ROW], h(column), str(exc)))
                continue
            if parsed is None:
                bad.append((r[ROW], h("grade"), "请填写等次或分数"))
                continue
            if r["m_status"] != "active":
                bad.append((r[ROW], h("name"), f"{r['name']}不是在册正常状态，不参加评议"))
                continue
            start, end = period_bounds(scheme.cycle_start, r["cycle_v"], period)
            try:
                check_unlocked(cur, r["branch_code"], start, end)
            except EntryError as exc:
                bad.append((r[ROW], h("period"), str(exc)))
                continue
            rows.append({"_row": r[ROW], "member_id": r["member_id"], "branch_code": r["branch_code"],
                         "cycle": r["cycle_v"], "component": found[0].id, "period": period, "rater": parsed["rater"],
                         "value": None if parsed["value"] is None else float(parsed["value"]),
                         "grade": parsed["grade"], "name": r["name"], "label": found[0].name,
                         "period_name": period_short(scheme, period)})
    errors.append(row_errors(bad))
    schema = {"_row": pl.Int64, "member_id": pl.String, "branch_code": pl.String, "cycle": pl.Int64,
              "component": pl.String, "period": pl.String, "rater": pl.String, "value": pl.Float64,
              "grade": pl.String, "name": pl.String, "label": pl.String, "period_name": pl.String}
    plan = pl.DataFrame(rows, schema=schema, orient="row")
    key = ["member_id", "cycle", "component", "period", "rater"]
    errors.append(duplicates(plan.rename({"_row": ROW}).with_columns(pl.col("rater").fill_null("")), key,
                             h("name"), "（同一人、同一项目、同一期间）"))
    errors = gather(errors)
    plan = plan.filter(~pl.col("_row").is_in(errors["行号"].implode()))
    have = ctx.store.frame(
        f"SELECT member_id, cycle, component, period, rater, CAST(value AS DOUBLE) AS _v, grade AS _g"
        f" FROM ({CURRENT_SCORES_SQL}) sc WHERE member_id = ANY(?)", [plan["member_id"].unique().to_list()])
    have = have.with_columns(pl.col("cycle").cast(pl.Int64), pl.lit(True).alias("_seen"))
    plan = plan.join(have, on=key, how="left", maintain_order="left", nulls_equal=True).with_columns(
        pl.col("_seen").fill_null(False))
    same = pl.col("_seen") & pl.col("value").eq_missing(pl.col("_v")) & pl.col("grade").eq_missing(pl.col("_g"))
    plan = plan.with_columns(same.alias("_same"))

    def shown(f: pl.DataFrame) -> pl.DataFrame:
        return f.select(pl.col("_row").alias("行号"), pl.col("name").alias("姓名"), pl.col("cycle").alias("年度"),
                        pl.col("label").alias("评议项目"), pl.col("period_name").alias("期间"),
                        pl.coalesce(pl.col("grade"), pl.col("value").cast(pl.String)).alias("结果"))

    add, update = plan.filter(~pl.col("_seen")), plan.filter(pl.col("_seen") & ~pl.col("_same"))
    return Plan(add, update, int(plan["_same"].sum()), errors, shown(add), shown(update))


def write(cur, ctx: Context, plan: Plan, batch_id: int, file_name: str) -> dict:
    rows = pl.concat([plan.add, plan.update])
    with_scheme = {}
    for r in rows.iter_rows(named=True):
        key = (r["branch_code"], r["cycle"])
        if key not in with_scheme:
            with_scheme[key] = scheme_for_cycle(ctx.store, *key, ctx.today)[0]
        start, end = period_bounds(with_scheme[key].cycle_start, r["cycle"], r["period"])
        check_unlocked(cur, r["branch_code"], start, end)
    cur.executemany(
        "INSERT INTO scores(member_id, branch_code, cycle, component, period, rater, value, grade, entered_by,"
        " batch_id, import_batch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [[r["member_id"], r["branch_code"], r["cycle"], r["component"], r["period"], r["rater"], r["value"],
          r["grade"], ctx.user.username, f"import-{batch_id}", batch_id] for r in rows.iter_rows(named=True)])
    for branch, count in rows.group_by("branch_code").len().iter_rows():
        audit.record(cur, ctx.user.username, "scores.import", entity="import_batch", entity_id=batch_id,
                     org_code=branch, after={"rows": count, "file": file_name}, reason=f"导入批次 {batch_id}")
    return {"added": plan.add.height, "updated": plan.update.height}


def undo(cur, ctx: Context, batch_id: int) -> dict:
    """Append, for every score the batch set, the value in force before it (or an empty row)."""
    rows = cur.execute(
        "SELECT s.member_id, s.branch_code, s.cycle, s.component, s.period, s.rater, p.value, p.grade, p.votes"
        " FROM scores s LEFT JOIN LATERAL (SELECT value, grade, votes FROM scores q WHERE q.member_id = s.member_id"
        "  AND q.cycle = s.cycle AND q.component = s.component AND q.period = s.period"
        "  AND q.rater IS NOT DISTINCT FROM s.rater AND q.id < s.id ORDER BY q.id DESC LIMIT 1) p ON true"
        " WHERE s.import_batch = ?", [batch_id]).fetchall()
    schemes = {}
    for r in rows:
        key = (r[1], r[2])
        if key not in schemes:
            schemes[key] = scheme_for_cycle(ctx.store, *key, ctx.today)[0]
        start, end = period_bounds(schemes[key].cycle_start, r[2], r[4])
        check_unlocked(cur, r[1], start, end)
    cur.executemany(
        "INSERT INTO scores(member_id, branch_code, cycle, component, period, rater, value, grade, votes, entered_by,"
        " note, batch_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [[*r, ctx.user.username, f"撤销导入批次 {batch_id}", f"undo-import-{batch_id}"] for r in rows])
    audit.record(cur, ctx.user.username, "scores.import_undo", entity="import_batch", entity_id=batch_id,
                 org_code=ctx.org_code or ctx.user.org_code, before={"rows": len(rows)},
                 reason=f"撤销导入批次 {batch_id}")
    return {"reversed": len(rows)}
