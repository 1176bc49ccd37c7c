"""户 import: households with their people, one row per person.

Rows sharing a 户号 (门牌号), or a 户主 when there is no 户号, within a village are one
household. The row whose 与户主关系 is 户主 (else the first) makes the household subject
(``kind = household``, named by its head, carrying the head's ID number), validated by
``core.subjects.validate_subject`` like every roster; each row is one of its people,
validated by ``core.subjects.validate_person``. A household already there is matched by its
head's ID number or name; people it already has (by ID number, else name) are unchanged.
"""

from __future__ import annotations

import polars as pl

from core.idcard import mask_id
from core.imports.base import Column, Context, Plan, duplicates, errors_where, gather, row_errors
from core.imports.roster import (ADDRESS, BIRTH, BRANCH, CATEGORY, GENDER, GROUP, ID_CARD, PERSON, PHONE,
                                 undo_roster, validate_roster, write_roster)
from core.imports.roster import TABLES as TABLES  # what ``write`` fills (re-exported for ``imports.commit``)
from core.io.reader import ROW, Table, clean_names, clean_text, parse_dates
from core.subjects import RELATIONS, validate_person

KIND = "households"
NAME = "农户及户成员"
SUBJECT_KIND = "household"
HEAD = "户主"
COLUMNS = [
    Column("house_no", "户号", ("门牌号", "户编号", "门牌"), False, "1组12号", width=10),
    Column("head_name", "户主姓名", ("户主",), False, "张三", width=10),
    PERSON,
    Column("relation", "与户主关系", ("关系", "家庭关系"), False, HEAD, RELATIONS, width=10),
    ID_CARD, GENDER, BIRTH, PHONE, ADDRESS, BRANCH, GROUP, CATEGORY,
]


def validate(ctx: Context, table: Table) -> Plan:
    frame = table.frame.with_columns(
        clean_names(pl.col("name")).alias("_person"), clean_names(pl.col("head_name")).alias("_head"),
        clean_text(pl.col("house_no")).alias("_house"), clean_text(pl.col("relation")).alias("_rel"),
        clean_text(pl.col("branch")).alias("_village"))
    frame = frame.with_columns(
        pl.coalesce(pl.col("_head"), pl.when(pl.col("_rel") == HEAD).then(pl.col("_person"))).alias("_head"))
    errors = [errors_where(frame, pl.col("_house").is_null() & pl.col("_head").is_null(), ctx.header("head_name"),
                           "请填写户号或户主姓名，以便把同一户的人归在一起")]
    frame = frame.with_columns(pl.coalesce(pl.concat_str(pl.lit("户号"), pl.col("_house")),
                                           pl.concat_str(pl.lit("户主"), pl.col("_head"))).alias("_hh"))
    # the head's row: 与户主关系 = 户主, or the person named as head, else the household's first row
    order = (pl.when(pl.col("_rel") == HEAD).then(0).when(pl.col("_person") == pl.col("_head")).then(1).otherwise(2))
    frame = frame.with_columns(order.alias("_order"))
    heads = frame.filter(pl.col("_hh").is_not_null()).sort("_order", ROW).unique(
        ["_village", "_hh"], keep="first", maintain_order=True).sort(ROW)
    errors.append(errors_where(frame.filter(pl.col("_rel") == HEAD), pl.col(ROW) != pl.col(ROW).min().over(
        "_village", "_hh"), ctx.header("relation"), "同一户有两个户主"))
    head_rows = heads.select(
        ROW, pl.coalesce("_head", "_person").alias("name"), *[pl.col(c) for c in (
            "id_card", "gender", "birth_date", "phone", "address", "branch", "group", "category", "house_no")],
        pl.coalesce("_head", "_person").alias("head_name"))
    numeric = {"id_card"} if "id_card" in table.numeric else set()
    plan, matched = validate_roster(ctx, Table(head_rows, table.headers, [], table.header_rows, numeric),
                                    SUBJECT_KIND)
    hh_of_row = heads.select(pl.col(ROW).alias("_head_row"), "_village", "_hh")
    people = frame.join(hh_of_row, on=["_village", "_hh"], how="left", maintain_order="left", nulls_equal=True).join(
        matched.select(pl.col(ROW).alias("_head_row"), pl.col("member_id").alias("household_id")),
        on="_head_row", how="left", maintain_order="left")
    errors.append(duplicates(people, ["_head_row", "_person"], ctx.header("name"), "（同一户的同名成员）"))
    have = ctx.store.frame("SELECT household_id, name AS _person, id_card FROM household_people"
                           " WHERE household_id = ANY(?)",
                           [people["household_id"].drop_nulls().unique().to_list()])
    bad, adds, unchanged = [], [], 0
    known = {(h, n) for h, n, _ in have.iter_rows()} | {(h, c) for h, _, c in have.iter_rows() if c}
    for row in people.iter_rows(named=True):
        person = {"name": row["_person"], "relation": row["_rel"], "id_card": row["id_card"], "gender": row["gender"],
                  "phone": row["phone"],
                  "birth_date": None}
        clean, problems = validate_person(ctx.store, person)
        born = row["birth_date"]
        if born is not None:
            parsed = pl.select(parse_dates(pl.lit(born))).item()
            if parsed is None:
                problems.append(f"出生日期：「{born}」不是日期")
            elif clean["birth_date"] is None or f"{parsed:%Y%m}" != f"{clean['birth_date']:%Y%m}":
                clean["birth_date"] = clean["birth_date"] or parsed
        for problem in problems:
            label = problem.split("：", 1)[0]
            key = {"姓名": "name", "与户主关系": "relation", "性别": "gender", "出生日期": "birth_date"}.get(label, "id_card")
            bad.append((row[ROW], ctx.header(key), problem))
        if problems:
            continue
        hid = row["household_id"]
        card = clean["id_card"]
        if hid is not None and ((hid, clean["name"]) in known or (card and (hid, card) in known)):
            unchanged += 1
            continue
        adds.append({**clean, "_row": row[ROW], "_head_row": row["_head_row"], "household_id": hid})
    errors = gather([plan.errors, *errors, row_errors(bad)])
    wrong = set(errors["行号"].to_list())
    adds = [a for a in adds if a["_row"] not in wrong and a["_head_row"] not in wrong]
    plan.errors = errors
    plan.add = plan.add.filter(~pl.col("_row").is_in(list(wrong)))
    plan.extra["people"] = adds
    extra_for_old = sorted({a["household_id"] for a in adds if a["household_id"]})
    touched = {u["id"] for u in plan.extra["updates"]}
    grown = [h for h in extra_for_old if h not in touched]
    plan.update = pl.concat([plan.update, pl.DataFrame({"id": grown, "_row": [None] * len(grown)},
                                                       schema={"id": pl.String, "_row": pl.Int64})])
    plan.unchanged = max(0, plan.unchanged - len(grown))
    counts = pl.DataFrame({"_head_row": [a["_head_row"] for a in adds]}, schema={"_head_row": pl.Int64}) \
        .group_by("_head_row").len("户成员")
    plan.shown_add = plan.shown_add.join(counts, left_on="行号", right_on="_head_row", how="left",
                                         maintain_order="left").with_columns(pl.col("户成员").fill_null(0))
    plan.shown_add = plan.shown_add.rename({"姓名": "户主"})
    plan.extra["people_shown"] = pl.DataFrame(
        [{"行号": a["_row"], "姓名": a["name"], "与户主关系": a["relation"] or "", "身份证号": mask_id(a["id_card"])}
         for a in adds], schema={"行号": pl.Int64, "姓名": pl.String, "与户主关系": pl.String, "身份证号": pl.String})
    return plan


def write(cur, ctx: Context, plan: Plan, batch_id: int, file_name: str) -> dict:
    done = write_roster(cur, ctx, plan, batch_id)
    made = done.pop("ids")
    rows = []
    for person in plan.extra["people"]:
        hid = person["household_id"] or made[person["_head_row"]]
        rows.append([hid, person["name"], person["relation"], person["id_card"], person["gender"],
                     person["birth_date"], person["phone"], batch_id])
    if rows:
        cur.executemany("INSERT INTO household_people(household_id, name, relation, id_card, gender, birth_date,"
                        " phone, import_batch) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return {**done, "people": len(rows)}


def undo(cur, ctx: Context, batch_id: int) -> dict:
    return undo_roster(cur, ctx, batch_id)
