"""Rosters of subjects (党员花名册, 义工, 户): one row per subject, matched to who is already
there by ID number (or by name when it is unique in the branch), validated by
``core.subjects.validate_subject`` (the one copy of the rules), added or updated in bulk.

``validate_subject`` asks the store a few small questions per row (the branch, the scheme's
categories, whether the ID number is taken). A roster asks the same few about the same
branches thousands of times, so the importer hands it ``_Answers``: the store, with those
answers memoised and the ID-number question answered from one query for the whole scope.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict

import polars as pl

from core import audit, pinyin
from core.idcard import mask_id
from core.orgs import labels
from core.imports.base import (Column, Context, ImportRefused, Plan, duplicates, errors_where, gather, row_errors,
                               sheet_prefix)
from core.imports.resolve import id_card_column, resolve_branch
from core.io.reader import ROW, SHEET, Table, clean_names, clean_phone, clean_text, parse_dates
from core.subjects import FIELDS, UNKNOWN_START, next_ids, validate_subject

# the roster's columns that are dates / free text / the subject's own fields
DATE_KEYS = ("birth_date", "join_date", "probation_start", "probation_end", "exempt_on", "joined_branch", "approved_on")
SUBJECT_KEYS = ("name", "gender", "birth_date", "join_date", "probationary", "category", "mobile", "department",
                "phone", "status", "exempt_reason", "exempt_by", "exempt_on", "joined_branch", "probation_start",
                "probation_end", "work_unit", "address", "house_no", "head_name", "approved_on")
STORED = ("name", "kind", "gender", "birth_date", "join_date", "probationary", "category", "mobile", "department",
          "branch_code", "group_code", "phone", "status", "exempt_reason", "exempt_by", "exempt_on", "joined_branch",
          "id_card", "probation_start", "probation_end", "work_unit", "address", "house_no", "head_name", "approved_on")
_DUPLICATE_SQL = "SELECT id FROM members WHERE id_card = ? AND kind = ? AND id IS DISTINCT FROM ?"
EARLIEST = dt.date(1900, 1, 1)
# what ``write_roster`` fills (an audit row per member), and a household's people
TABLES = ("members", "member_branch_history", "household_people", "audit_log")

PERSON = Column("name", "姓名", ("党员姓名", "成员姓名", "姓 名"), True, "张三")
ID_CARD = Column("id_card", "身份证号", ("公民身份号码", "身份证号码", "身份证"), False, "110101199003071233", width=22)
BRANCH = Column("branch", "所在支部", ("党支部", "支部", "所在党支部", "支部名称", "所在村", "村（社区）", "所在村（社区）"),
                False, "一村党支部", width=18)
GROUP = Column("group", "党小组", ("所在党小组", "网格", "所在网格", "党小组/网格"), False, "", width=12)
GENDER = Column("gender", "性别", (), False, "男", ("男", "女"), width=6)
BIRTH = Column("birth_date", "出生日期", ("出生年月", "出生时间", "生日"), False, "1990-03-07", width=12)
PHONE = Column("phone", "联系电话", ("手机号码", "手机", "电话", "手机号", "联系方式"), False, "13800000000", width=14)
STATUS = Column("status", "状态", ("人员状态", "党员状态"), False, "正常", ("正常", "已转出", "已故", "免于评星"), width=8)
CATEGORY = Column("category", "类别", ("人员类别", "分类", "党员分类"), False, "", width=12)
ADDRESS = Column("address", "住址", ("家庭住址", "居住地址", "地址"), False, "", width=20)
WORK_UNIT = Column("work_unit", "工作单位", ("单位", "工作单位及职务"), False, "", width=16)


class _Answers:
    """The store as ``validate_subject`` sees it during one import (see the module doc)."""

    def __init__(self, store, taken: dict[tuple[str, str], list[str]]):
        self._store, self._taken, self._memo = store, taken, {}

    def _ask(self, how: str, sql: str, params):
        if sql == _DUPLICATE_SQL:
            id_card, kind, own = params
            others = [i for i in self._taken.get((id_card, kind), []) if i != own]
            return (others[0],) if how == "one" else (others[0] if others else None)
        key = (how, sql, tuple(params or ()))
        if key not in self._memo:
            self._memo[key] = getattr(self._store, how)(sql, params)
        return self._memo[key]

    def one(self, sql, params=None):
        found = self._ask("one", sql, params)
        return found if found else None

    def scalar(self, sql, params=None):
        return self._ask("scalar", sql, params)

    def all(self, sql, params=None):
        return self._ask("all", sql, params)

    def __getattr__(self, name):
        return getattr(self._store, name)


def _group_codes(ctx: Context, frame: pl.DataFrame) -> tuple[pl.DataFrame, list]:
    """党小组/网格 by code or by name within the row's branch."""
    groups = ctx.store.frame("SELECT code, name, parent_code AS branch_code FROM orgs WHERE level = 'group'"
                             " AND starts_with(path, ?)", [ctx.scope.path])
    keys = pl.concat([groups.select(pl.col("code").alias("_g"), "branch_code", pl.col("code").alias("group_code")),
                      groups.select(pl.col("name").alias("_g"), "branch_code", pl.col("code").alias("group_code"))]
                     ).unique(["_g", "branch_code"], keep="first")
    frame = frame.with_columns(clean_text(pl.col("group")).alias("_g")).join(
        keys, on=["_g", "branch_code"], how="left", maintain_order="left")
    errors = [errors_where(frame, pl.col("_g").is_not_null() & pl.col("group_code").is_null()
                           & pl.col("branch_code").is_not_null(), ctx.header("group"),
                           pl.format("所在支部下没有党小组（网格）「{}」", pl.col("_g")))]
    return frame.drop("_g"), errors


def existing(ctx: Context, kind: str) -> pl.DataFrame:
    cols = ", ".join(f"m.{c}" for c in STORED)
    return ctx.store.frame(f"SELECT m.id, {cols} FROM members m JOIN orgs o ON o.code = m.branch_code"
                           " WHERE m.kind = ? AND starts_with(o.path, ?)", [kind, ctx.scope.path])


def validate_roster(ctx: Context, table: Table, kind: str, extra_required=()) -> tuple[Plan, pl.DataFrame]:
    """The plan for a roster of ``kind``; also returns the cleaned rows (with ``member_id``
    for rows that match someone already there) for importers that add more (households)."""
    frame = table.frame
    if "phone" in frame.columns:
        frame = frame.with_columns(clean_phone(pl.col("phone")).alias("phone"))
    if "gender" in frame.columns:  # 男性 / 女性 as some rosters write it
        frame = frame.with_columns(clean_text(pl.col("gender")).replace({"男性": "男", "女性": "女"}).alias("gender"))
    frame = _probation_written(frame)
    frame = frame.with_columns(clean_names(pl.col("name")).alias("name_v"),
                               *[parse_dates(pl.col(k)).alias(f"{k}_v") for k in DATE_KEYS if k in frame.columns])
    errors = [errors_where(frame, pl.col("name_v").is_null(), ctx.header("name"), f"「{ctx.header('name')}」不能为空")]
    for key in extra_required:
        errors.append(errors_where(frame, pl.col(key).is_null(), ctx.header(key), f"「{ctx.header(key)}」不能为空"))
    for key in DATE_KEYS:
        if key in frame.columns:
            errors.append(errors_where(frame, pl.col(key).is_not_null() & pl.col(f"{key}_v").is_null(),
                                       ctx.header(key), pl.format(
                                           "「{}」不是日期（可写 2001-07-01、2001.7、2001年7月1日 或 20010701）", pl.col(key))))
    frame, errs = resolve_branch(ctx, frame)
    errors += errs
    frame, errs = _group_codes(ctx, frame)
    errors += errs
    frame, errs = id_card_column(frame, "id_card" in table.numeric, ctx.header("id_card"))
    errors += errs
    errors.append(duplicates(frame, ["id_norm"], ctx.header("id_card"), "身份证号"))
    errors.append(duplicates(frame.filter(pl.col("id_norm").is_null()), ["name_v", "branch_code"], ctx.header("name"),
                             "姓名（同一支部、未填身份证号）"))
    # Match: ID number first, else a name unique among the branch's subjects of this kind.
    have = existing(ctx, kind)
    by_id = have.filter(pl.col("id_card").is_not_null()).unique("id_card", keep="first").select(
        pl.col("id_card").alias("id_norm"), pl.col("id").alias("_by_id"))
    same = have.group_by("name", "branch_code").len("_n")
    by_name = have.join(same.filter(pl.col("_n") == 1), on=["name", "branch_code"]).select(
        pl.col("name").alias("name_v"), "branch_code", pl.col("id").alias("_by_name"),
        pl.col("id_card").alias("_card_there"))
    frame = frame.join(by_id, on="id_norm", how="left", maintain_order="left").join(
        by_name, on=["name_v", "branch_code"], how="left", maintain_order="left")
    # a name match whose stored ID differs from the file's is another person of the same name
    frame = frame.with_columns(pl.coalesce(
        "_by_id", pl.when(pl.col("id_norm").is_null() | pl.col("_card_there").is_null()).then(pl.col("_by_name"))
    ).alias("member_id"))
    taken: dict[tuple[str, str], list[str]] = defaultdict(list)
    for mid, card in have.filter(pl.col("id_card").is_not_null()).select("id", "id_card").iter_rows():
        taken[(card, kind)].append(mid)
    answers = _Answers(ctx.store, taken)
    current = {r["id"]: r for r in have.iter_rows(named=True)}
    bad, adds, updates, unchanged = [], [], [], 0
    present = [k for k in SUBJECT_KEYS if k in frame.columns]
    for row in frame.iter_rows(named=True):
        given = {k: (row.get(f"{k}_v") if k in DATE_KEYS else row.get(k)) for k in present}
        given["name"] = row["name_v"]
        given = {k: v for k, v in given.items() if v is not None}
        card = row["id_norm"]
        born = given.get("birth_date")
        if card and len(card) == 18 and born and f"{born:%Y%m}" == card[6:12]:
            # 出生年月 kept to the month (1990.03) agrees with the ID number, which has the day.
            given.pop("birth_date")
        mid = row["member_id"]
        if mid is not None:
            merged = {k: current[mid].get(k) for k in STORED if k != "kind"}
            merged.update(given)
            merged["id_card"] = row["id_norm"] or current[mid]["id_card"]
            if row["branch_code"] and row["branch"] is not None:
                merged["branch_code"] = row["branch_code"]
            if row.get("group_code"):
                merged["group_code"] = row["group_code"]
            merged["id"] = mid
        else:
            merged = {**given, "id_card": row["id_norm"], "branch_code": row["branch_code"],
                      "group_code": row.get("group_code")}
        if merged.get("branch_code") is None or row["name_v"] is None:
            continue  # the branch's or the name's own error is already listed
        clean, problems = validate_subject(answers, merged, kind)
        for problem in problems:
            bad.append((row[ROW], _column_of(ctx, problem), sheet_prefix(row.get(SHEET)) + problem))
        if problems:
            continue
        clean["_row"] = row[ROW]
        if mid is None:
            adds.append(clean)
            continue
        diff = {k: clean[k] for k in STORED if k in clean and clean[k] != current[mid].get(k)}
        if diff:
            updates.append({"id": mid, "_row": row[ROW], "_diff": diff,
                            "_before": {k: current[mid].get(k) for k in diff}})
        else:
            unchanged += 1
    errors.append(row_errors(bad))
    errors = gather(errors)
    wrong = set(errors["行号"].to_list())  # a row with an error is neither added nor updated
    adds = [a for a in adds if a["_row"] not in wrong]
    updates = [u for u in updates if u["_row"] not in wrong]
    add = pl.DataFrame(adds, schema=_schema(), orient="row") if adds else pl.DataFrame(schema=_schema())
    update = pl.DataFrame({"id": [u["id"] for u in updates], "_row": [u["_row"] for u in updates]},
                          schema={"id": pl.String, "_row": pl.Int64})
    shown_add = add.select(pl.col("_row").alias("行号"), pl.col("name").alias("姓名"),
                           pl.col("id_card").map_elements(mask_id, return_dtype=pl.String).alias("身份证号"),
                           pl.col("branch_code").replace_strict(
                               labels(ctx.store, add["branch_code"].unique().to_list()), default=None,
                               return_dtype=pl.String).alias("所在支部"))
    shown_update = pl.DataFrame(
        [{"行号": u["_row"], "姓名": current[u["id"]]["name"],
          "变更": "；".join(f"{FIELDS.get(k, k)}：{_shown(k, u['_before'][k])} → {_shown(k, v)}"
                          for k, v in u["_diff"].items())} for u in updates],
        schema={"行号": pl.Int64, "姓名": pl.String, "变更": pl.String})
    plan = Plan(add, update, unchanged, errors, shown_add, shown_update,
                extra={"updates": updates, "kind": kind})
    return plan, frame


_PROBATION = r"[(（]\s*(预备党员|预备|正式党员|正式)\s*[)）]"


def _probation_written(frame: pl.DataFrame) -> pl.DataFrame:
    """'（预备党员）' written after a name or in the 类别 cell (a roster without a 党员类别
    column marks its probationary members so) sets 党员类别 and leaves the rest: '张三（预备党员）'
    is 张三, '农村党员（预备党员）' is 农村党员, '预备党员' alone is no category."""
    if "probationary" not in frame.columns:
        return frame  # a roster of households or volunteers has no probation
    marks = []
    for key in ("name", "category"):
        if key not in frame.columns:
            continue
        text = pl.col(key).str.normalize("NFKC")
        bare = text.str.replace_all(r"\s", "")
        whole = bare.str.contains(r"^[(（]?(预备党员|正式党员)[)）]?$") if key == "category" else pl.lit(False)
        mark = pl.coalesce(bare.str.extract(_PROBATION, 1), pl.when(whole).then(bare.str.extract(r"(预备|正式)", 1)))
        marks.append(mark.alias(f"_mark_{key}"))
    if not marks:
        return frame
    frame = frame.with_columns(marks)
    cols = [c for c in frame.columns if c.startswith("_mark_")]
    mark = pl.coalesce(cols).str.slice(0, 2)
    out = frame.with_columns(
        pl.when(mark.is_null() | pl.col("probationary").is_not_null()).then(pl.col("probationary"))
        .otherwise(mark).alias("probationary"))
    if "name" in frame.columns:
        out = out.with_columns(pl.col("name").str.replace_all(_PROBATION, "").alias("name"))
    if "category" in frame.columns:
        cleaned = pl.col("category").str.normalize("NFKC").str.replace_all(_PROBATION, "").str.strip_chars()
        cleaned = pl.when(cleaned.str.contains(r"^(预备党员|正式党员)?$")).then(None).otherwise(cleaned)
        out = out.with_columns(pl.when(pl.col("_mark_category").is_null()).then(pl.col("category"))
                               .otherwise(cleaned).alias("category"))
    return out.drop(cols)


def _shown(key: str, value) -> str:
    if value is None or value == "":
        return "（空）"
    if key == "id_card":
        return mask_id(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    return str(value)


def _column_of(ctx: Context, problem: str) -> str:
    """The file's header for a ``validate_subject`` message ('入党日期：…' names its field)."""
    label = problem.split("：", 1)[0]
    for key, name in FIELDS.items():
        if problem.startswith(name):
            wanted = {"branch_code": "branch", "group_code": "group"}.get(key, key)
            return ctx.header(wanted) if wanted in ctx.columns else name
    return label[:12]


def _schema() -> dict:
    text, day, flag = pl.String, pl.Date, pl.Boolean
    types = {"birth_date": day, "join_date": day, "probation_start": day, "probation_end": day, "exempt_on": day,
             "joined_branch": day, "approved_on": day, "probationary": flag, "mobile": flag}
    return {**{k: types.get(k, text) for k in STORED}, "_row": pl.Int64}


def write_roster(cur, ctx: Context, plan: Plan, batch_id: int) -> dict:
    add, kind = plan.add, plan.extra["kind"]
    made: dict[int, str] = {}  # file row -> the new subject's id
    if add.height:
        ids = next_ids(cur, kind, add.height)
        keys = pinyin.keys_many(add["name"].to_list())
        rows = add.drop("_row").with_columns(
            pl.Series("id", ids), pl.Series("initials", [k[0] for k in keys]),
            pl.Series("pinyin", [k[1] for k in keys]),
            pl.lit(batch_id, pl.Int64).alias("import_batch"))
        cols = ["id", *STORED, "initials", "pinyin", "import_batch"]
        cur.register("import_members", rows.select(cols).to_arrow())
        try:
            names = ", ".join(cols)
            cur.execute(f"INSERT INTO members({names}) SELECT {names} FROM import_members").fetchall()
            cur.execute("INSERT INTO member_branch_history(member_id, branch_code, group_code, from_date, reason,"
                        " import_batch) SELECT id, branch_code, group_code,"
                        " coalesce(joined_branch, join_date, approved_on, ?), '导入建档', import_batch FROM import_members",
                        [UNKNOWN_START]).fetchall()
        finally:
            cur.unregister("import_members")
        made = dict(zip(add["_row"].to_list(), ids))
        _audit_rows(cur, ctx, [(i, b, None, _masked(r)) for i, b, r in zip(
            ids, add["branch_code"].to_list(), add.drop("_row").to_dicts())], "subject.add", f"导入批次 {batch_id}")
    updates = plan.extra["updates"]
    for change in updates:
        sets = dict(change["_diff"])
        if "name" in sets:
            sets["initials"], sets["pinyin"] = pinyin.keys(sets["name"])
        cur.execute(f"UPDATE members SET {', '.join(f'{k} = ?' for k in sets)} WHERE id = ?",
                    [*sets.values(), change["id"]]).fetchall()
    if updates:
        branches = dict(cur.execute("SELECT id, branch_code FROM members WHERE id = ANY(?)",
                                    [[u["id"] for u in updates]]).fetchall())
        _audit_rows(cur, ctx, [(u["id"], branches[u["id"]], _masked(u["_before"], keep_card=True),
                                _masked(u["_diff"])) for u in updates], "subject.update", f"导入批次 {batch_id}")
    return {"added": add.height, "updated": len(updates), "ids": made}


def _masked(values: dict, keep_card: bool = False) -> dict:
    out = dict(values)
    if out.get("id_card") and not keep_card:
        out["id_card"] = mask_id(out["id_card"])
    return out


def _audit_rows(cur, ctx: Context, rows: list[tuple], action: str, reason: str) -> None:
    """One audit row per subject, inserted in one statement (a county roster is 12,000 rows).
    The before of an update keeps an emptied ID number as it was (always empty: a stored
    number is never overwritten), which undo restores."""
    frame = pl.DataFrame({
        "username": [ctx.user.username] * len(rows), "action": [action] * len(rows),
        "entity": ["member"] * len(rows), "entity_id": [r[0] for r in rows], "org_code": [r[1] for r in rows],
        "member_id": [r[0] for r in rows], "before_json": [audit.to_json(r[2]) for r in rows],
        "after_json": [audit.to_json(r[3]) for r in rows], "reason": [reason] * len(rows)},
        schema={k: pl.String for k in ("username", "action", "entity", "entity_id", "org_code", "member_id",
                                       "before_json", "after_json", "reason")})
    cur.register("import_audit", frame.to_arrow())
    try:
        cur.execute("INSERT INTO audit_log(username, action, entity, entity_id, org_code, member_id, before_json,"
                    " after_json, reason) SELECT username, action, entity, entity_id, org_code, member_id,"
                    " before_json::JSON, after_json::JSON, reason FROM import_audit").fetchall()
    finally:
        cur.unregister("import_audit")


def undo_roster(cur, ctx: Context, batch_id: int) -> dict:
    """Remove the subjects the batch added (refused when any has points, scores or a
    household's people since) and put back what it updated."""
    used = cur.execute(
        "SELECT m.name FROM members m WHERE m.import_batch = ?"
        " AND (EXISTS (SELECT 1 FROM events e WHERE e.member_id = m.id)"
        " OR EXISTS (SELECT 1 FROM scores s WHERE s.member_id = m.id)"
        " OR EXISTS (SELECT 1 FROM household_people p WHERE p.household_id = m.id"
        "  AND coalesce(p.import_batch, -1) <> ?))"
        " LIMIT 3", [batch_id, batch_id]).fetchall()
    if used:
        raise ImportRefused(f"本批导入的人员（{'、'.join(r[0] for r in used)}等）已有积分、评议或户成员记录，不能撤销本批；"
                            "请先撤销那些记录")
    removed = cur.execute("SELECT id, branch_code, name FROM members WHERE import_batch = ?", [batch_id]).fetchall()
    cur.execute("DELETE FROM household_people WHERE import_batch = ?", [batch_id]).fetchall()
    cur.execute("DELETE FROM member_branch_history WHERE import_batch = ?", [batch_id]).fetchall()
    cur.execute("DELETE FROM members WHERE import_batch = ?", [batch_id]).fetchall()
    restored = cur.execute("SELECT member_id, org_code, before_json, after_json FROM audit_log"
                           " WHERE action = 'subject.update' AND reason = ? ORDER BY id DESC",
                           [f"导入批次 {batch_id}"]).fetchall()
    for member_id, _, before, _ in restored:
        values = json.loads(before)
        for key in DATE_KEYS:
            if values.get(key):
                values[key] = dt.date.fromisoformat(values[key])
        if "name" in values:
            values["initials"], values["pinyin"] = pinyin.keys(values["name"])
        cur.execute(f"UPDATE members SET {', '.join(f'{k} = ?' for k in values)} WHERE id = ?",
                    [*values.values(), member_id]).fetchall()
    reason = f"撤销导入批次 {batch_id}"
    if removed:
        _audit_rows(cur, ctx, [(mid, branch, {"name": name}, None) for mid, branch, name in removed],
                    "subject.remove", reason)
    if restored:
        _audit_rows(cur, ctx, [(mid, org, json.loads(after), json.loads(before))
                               for mid, org, before, after in restored],
                    "subject.update", reason)
    return {"removed": len(removed), "restored": len(restored)}
