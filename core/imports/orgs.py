"""组织 import: the tree (乡镇/街道 → 支部/村 → 党小组/网格) from one sheet.

A row's parent may already exist or come in the same file (above or below it); codes may be
given or left for the system to generate (``org_admin.next_code``). An existing code with
another name is a rename. Moving a node is not an import: the page 组织与人员 does it, with
its checks. Inserts go through ``org_admin.insert_org``, the path of every other way in.
"""

from __future__ import annotations

import json

import polars as pl

from core import audit
from core.imports.base import Column, Context, ImportRefused, Plan, duplicates, errors_where, gather, row_errors
from core.imports.resolve import scope_orgs
from core.io.reader import ROW, Table, clean_text
from core.levels import LEVEL_NAMES
from core.org_admin import (BRANCH_KINDS, ORG_CODE, PARENT_LEVEL, OrgError, branch_kind, clean_name, insert_org,
                            level_kind, next_code, org_row, require_manager)

KIND = "orgs"
NAME = "组织架构"
LEVEL_WORDS = {"县": "county", "县级": "county", "乡镇": "township", "镇": "township", "乡": "township",
               "街道": "township", "乡镇（街道）": "township", "支部": "branch", "村": "branch", "党支部": "branch",
               "社区": "branch", "支部（村）": "branch", "党支部（村）": "branch", "党小组": "group", "网格": "group",
               "党小组（网格）": "group", **{k: k for k in ("county", "township", "branch", "group")}}
COLUMNS = [
    Column("code", "组织编码", ("编码", "代码", "组织代码"), False, "C01T01B01", width=14),
    Column("name", "组织名称", ("名称", "党组织名称", "单位名称", "支部名称"), True, "一村党支部", width=20),
    Column("parent", "上级组织", ("上级", "上级编码", "上级组织编码", "上级党组织", "所属乡镇"), False, "C01T01", width=16),
    Column("level", "层级", ("组织层级", "级别"), False, "支部", ("乡镇", "街道", "支部", "党小组", "网格"), width=10),
    Column("kind", "类型", ("支部类型", "组织类型"), False, "村", tuple(BRANCH_KINDS), width=8),
]


def check_user(user) -> None:
    require_manager(user)  # the tree is changed by admins and township officials (org_admin's rule)


def validate(ctx: Context, table: Table) -> Plan:
    require_manager(ctx.user)
    frame = table.frame.with_columns(
        clean_text(pl.col("code")).str.to_uppercase().alias("code_v"),
        _plain(pl.col("name")).alias("name_v"), _plain(pl.col("parent")).alias("parent_t"),
        clean_text(pl.col("level")).alias("level_t"), clean_text(pl.col("kind")).alias("kind_t"))
    errors = [errors_where(frame, pl.col("name_v").is_null(), ctx.header("name"), f"「{ctx.header('name')}」不能为空"),
              duplicates(frame, ["code_v"], ctx.header("code"), "组织编码"),
              duplicates(frame, ["parent_t", "name_v"], ctx.header("name"), "（同一上级下的同名组织）")]
    known = scope_orgs(ctx)
    store_orgs = {r["code"]: r for r in known.iter_rows(named=True)}
    by_name: dict[str, list[str]] = {}
    for r in store_orgs.values():
        by_name.setdefault(r["name"], []).append(r["code"])
    rows = frame.to_dicts()
    file_codes = {r["code_v"]: r for r in rows if r["code_v"]}
    file_names: dict[str, list[dict]] = {}
    for r in rows:
        if r["name_v"]:
            file_names.setdefault(r["name_v"], []).append(r)
    bad, plan_rows, unchanged = [], [], 0
    for r in rows:
        row, h = r[ROW], ctx.header
        if not r["name_v"]:
            continue
        try:
            name = clean_name(r["name_v"])
        except OrgError as exc:
            bad.append((row, h("name"), str(exc).split("：", 1)[-1]))
            continue
        if r["code_v"] and not ORG_CODE.fullmatch(r["code_v"]):
            bad.append((row, h("code"), f"组织编码只能用大写字母和数字（2—32位），「{r['code_v']}」不行"))
            continue
        level = LEVEL_WORDS.get(r["level_t"]) if r["level_t"] else None
        if r["level_t"] and level is None:
            bad.append((row, h("level"), f"层级应为 乡镇、街道、支部、党小组 或 网格，不是「{r['level_t']}」"))
            continue
        # The parent: a code or a name, in the system (within scope) or in this file.
        parent_ref, parent_level = None, None
        text = r["parent_t"]
        if text:
            if text.upper() in store_orgs:
                parent_ref, parent_level = ("store", text.upper()), store_orgs[text.upper()]["level"]
            elif text.upper() in file_codes:
                parent_ref = ("file", file_codes[text.upper()][ROW])
            elif len(by_name.get(text, [])) == 1:
                code = by_name[text][0]
                parent_ref, parent_level = ("store", code), store_orgs[code]["level"]
            elif len(file_names.get(text, [])) == 1:
                parent_ref = ("file", file_names[text][0][ROW])
            elif len(by_name.get(text, [])) + len(file_names.get(text, [])) > 1:
                bad.append((row, h("parent"), f"有多个组织叫「{text}」，请填写上级组织编码"))
                continue
            else:
                bad.append((row, h("parent"), f"未找到上级组织「{text}」（系统和本文件中都没有，或不在您的管辖范围内）"))
                continue
        existing = store_orgs.get(r["code_v"]) if r["code_v"] else None
        if existing is not None:
            if level and level != existing["level"]:
                bad.append((row, h("level"), f"{existing['name']}（{existing['code']}）是{LEVEL_NAMES[existing['level']]}，"
                                              f"不能改为{LEVEL_NAMES[level]}"))
            elif parent_ref and parent_ref != ("store", existing["parent_code"]):
                bad.append((row, h("parent"), f"{existing['name']}已在其他上级下；调整上级请在「组织与人员」页面操作"))
            elif existing["name"] != name:
                plan_rows.append({"_row": row, "op": "rename", "code": existing["code"], "name": name,
                                  "before": existing["name"], "level": existing["level"]})
            else:
                unchanged += 1
            continue
        if r["code_v"] and ctx.store.scalar("SELECT count(*) FROM orgs WHERE code = ?", [r["code_v"]]):
            bad.append((row, h("code"), f"组织编码 {r['code_v']} 已被您管辖范围以外的组织使用"))
            continue
        if parent_ref is None:
            bad.append((row, h("parent"), "请填写上级组织（编码或名称）"))
            continue
        plan_rows.append({"_row": row, "op": "add", "code": r["code_v"], "name": name, "level": level,
                          "kind_t": r["kind_t"], "parent": parent_ref, "parent_level": parent_level})
    # Levels follow the parents (a file's rows may point at each other in any order).
    by_row = {p["_row"]: p for p in plan_rows if p["op"] == "add"}
    for p in list(by_row.values()):
        _settle_level(p, by_row, bad, ctx)
    errors.append(row_errors(bad))
    errors = gather(errors)
    wrong = set(errors["行号"].to_list())
    below = [(p["_row"], ctx.header("parent"), f"上级组织（第 {p['parent'][1]} 行）有误，本行无法建立")
             for p in plan_rows if p["_row"] not in wrong and _under_wrong(p, by_row, wrong)]
    if below:
        errors = gather([errors, row_errors(below)])
        wrong |= {row for row, _, _ in below}
    plan_rows = [p for p in plan_rows if p["_row"] not in wrong]
    adds = [p for p in plan_rows if p["op"] == "add"]
    renames = [p for p in plan_rows if p["op"] == "rename"]
    shown_add = pl.DataFrame([{"行号": p["_row"], "组织编码": p["code"] or "（自动生成）", "组织名称": p["name"],
                               "层级": LEVEL_NAMES.get(p.get("level_v") or "", "")} for p in adds],
                             schema={"行号": pl.Int64, "组织编码": pl.String, "组织名称": pl.String, "层级": pl.String})
    shown_update = pl.DataFrame([{"行号": p["_row"], "组织编码": p["code"], "变更": f"名称：{p['before']} → {p['name']}"}
                                 for p in renames], schema={"行号": pl.Int64, "组织编码": pl.String, "变更": pl.String})
    add = pl.DataFrame({"_row": [p["_row"] for p in adds]}, schema={"_row": pl.Int64})
    update = pl.DataFrame({"_row": [p["_row"] for p in renames]}, schema={"_row": pl.Int64})
    return Plan(add, update, unchanged, errors, shown_add, shown_update, extra={"adds": adds, "renames": renames})


def _plain(expr: pl.Expr) -> pl.Expr:
    """An org name as typed, without spaces; not NFKC-folded (it keeps its full-width （）)."""
    text = expr.str.replace_all(r"\s+", "")
    return pl.when(text == "").then(None).otherwise(text)


def _settle_level(p: dict, by_row: dict, bad: list, ctx: Context, depth: int = 0) -> str | None:
    if p.get("level_v") or depth > 50:
        return p.get("level_v")
    where, ref = p["parent"]
    parent_level = p["parent_level"] if where == "store" else (
        _settle_level(by_row[ref], by_row, bad, ctx, depth + 1) if ref in by_row else None)
    if parent_level is None:
        return None
    expected = {v: k for k, v in PARENT_LEVEL.items()}.get(parent_level)
    level = p["level"] or expected
    if level is None or PARENT_LEVEL.get(level) != parent_level:
        bad.append((p["_row"], ctx.header("level"),
                    f"{LEVEL_NAMES.get(level, level or '')}不能建在{LEVEL_NAMES[parent_level]}下"))
        return None
    if level == "county":
        bad.append((p["_row"], ctx.header("level"), "县级组织在初始化时建立，不能导入"))
        return None
    try:
        p["kind"] = branch_kind(p["kind_t"], level)
    except OrgError as exc:
        bad.append((p["_row"], ctx.header("kind"), str(exc).split("：", 1)[-1]))
        return None
    p["level_v"] = level
    return level


def _under_wrong(p: dict, by_row: dict, wrong: set, depth: int = 0) -> bool:
    if p["op"] != "add" or depth > 50:
        return False
    where, ref = p["parent"]
    return where == "file" and (ref in wrong or (ref in by_row and _under_wrong(by_row[ref], by_row, wrong, depth + 1)))


def write(cur, ctx: Context, plan: Plan, batch_id: int, file_name: str) -> dict:
    adds = {p["_row"]: p for p in plan.extra["adds"]}
    made: dict[int, dict] = {}

    def place(p: dict) -> dict:
        if p["_row"] in made:
            return made[p["_row"]]
        where, ref = p["parent"]
        parent = org_row(cur, ref) if where == "store" else place(adds[ref])
        level = p["level_v"]
        kind = level_kind(level, p["name"], parent.get("kind"), p["kind"])
        code = p["code"] or next_code(cur, parent["code"], level)
        if cur.execute("SELECT count(*) FROM orgs WHERE code = ?", [code]).fetchall()[0][0]:
            raise ImportRefused(f"第 {p['_row']} 行：组织编码 {code} 已存在")
        row = insert_org(cur, code, p["name"], level, kind, parent, import_batch=batch_id)
        row["kind"] = kind
        audit.record(cur, ctx.user.username, "org.add", entity="org", entity_id=code, org_code=code,
                     after={"name": p["name"], "level": level, "kind": kind, "parent_code": parent["code"],
                            "path": row["path"]}, reason=f"导入批次 {batch_id}")
        made[p["_row"]] = row
        return row

    for p in adds.values():
        place(p)
    for p in plan.extra["renames"]:
        cur.execute("UPDATE orgs SET name = ? WHERE code = ?", [p["name"], p["code"]]).fetchall()
        audit.record(cur, ctx.user.username, "org.rename", entity="org", entity_id=p["code"], org_code=p["code"],
                     before={"name": p["before"]}, after={"name": p["name"]}, reason=f"导入批次 {batch_id}")
    return {"added": len(made), "updated": len(plan.extra["renames"])}


def undo(cur, ctx: Context, batch_id: int) -> dict:
    """Remove the orgs the batch added (refused once anything hangs on them) and undo its renames."""
    used = cur.execute(
        "SELECT o.name FROM orgs o WHERE o.import_batch = ? AND ("
        " EXISTS (SELECT 1 FROM members m WHERE m.branch_code = o.code OR m.group_code = o.code)"
        " OR EXISTS (SELECT 1 FROM users u WHERE u.org_code = o.code)"
        " OR EXISTS (SELECT 1 FROM events e WHERE e.branch_code = o.code)"
        " OR EXISTS (SELECT 1 FROM scheme_assignments a WHERE a.org_code = o.code)"
        " OR EXISTS (SELECT 1 FROM orgs c WHERE c.parent_code = o.code AND coalesce(c.import_batch, -1) <> ?))"
        " LIMIT 3", [batch_id, batch_id]).fetchall()
    if used:
        raise ImportRefused(f"本批导入的组织（{'、'.join(r[0] for r in used)}等）已有人员、用户、积分或方案，不能撤销本批")
    removed = cur.execute("SELECT code, name FROM orgs WHERE import_batch = ?", [batch_id]).fetchall()
    cur.execute("DELETE FROM orgs WHERE import_batch = ?", [batch_id]).fetchall()
    reason = f"撤销导入批次 {batch_id}"
    for code, name in removed:
        audit.record(cur, ctx.user.username, "org.remove", entity="org", entity_id=code, org_code=code,
                     before={"name": name}, reason=reason)
    renames = cur.execute("SELECT entity_id, before_json, after_json FROM audit_log WHERE action = 'org.rename'"
                          " AND reason = ? ORDER BY id DESC", [f"导入批次 {batch_id}"]).fetchall()
    for code, before, after in renames:
        old = json.loads(before)["name"]
        cur.execute("UPDATE orgs SET name = ? WHERE code = ?", [old, code]).fetchall()
        audit.record(cur, ctx.user.username, "org.rename", entity="org", entity_id=code, org_code=code,
                     before=json.loads(after), after={"name": old}, reason=reason)
    return {"removed": len(removed), "restored": len(renames)}
