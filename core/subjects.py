"""Subjects of every kind a scheme scores: 党员, 户, 村民, 商户/社团, 义工.

All of them are rows of ``members`` with their ``kind``; a person who is a 党员 and belongs to
a household is two subjects. ``validate_subject`` holds the one copy of the rules: the
forms here and the importer (part B) both call it for every row. Writes check the role and
the organisation scope in core, go through ``Store.write`` and leave an audit row with the
before and after; an ID number is stored in full and only ever shown (or audited) masked.
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl

from core import audit, pinyin
from core.auth.permissions import ROLE_NAMES, PermissionDenied
from core.auth.scope import scope_for
from core.idcard import IdCardError, check_id, mask_id
from core.idcard import birth_date as id_birth_date
from core.idcard import gender as id_gender
from core.scheme_assignments import NoSchemeError, scheme_for
from core.services.entry_rules import EntryError
from core.services.ledger import KIND_NAMES
from core.store import Store

EDITORS = frozenset({"admin", "township", "secretary"})
# A subject recorded without 转入本支部日期 or 入党日期 has been in its branch as far back as the
# records go: their span there starts here, so points of past cycles (a branch's old ledger,
# imported or entered late) count for them. Only the case builder reads spans; nobody sees it.
UNKNOWN_START = dt.date(1900, 1, 1)
HOUSEHOLD_KINDS = ("household", "family")
ID_PREFIX = {"member": "M", "household": "H", "family": "F", "resident": "R", "unit": "U", "volunteer": "V"}
STATUS_NAMES = {"active": "正常", "transferred": "已转出", "deceased": "已故", "exempt": "免于评星"}
_STATUS_WORDS = {**{v: k for k, v in STATUS_NAMES.items()}, "免评": "exempt", "转出": "transferred",
                 "死亡": "deceased", "去世": "deceased", **{k: k for k in STATUS_NAMES}}
RELATIONS = ("户主", "配偶", "子女", "父母", "孙子女", "兄弟姐妹", "其他")

# column → the Chinese field name every message uses
FIELDS = {
    "name": "姓名", "branch_code": "所在支部", "group_code": "党小组/网格", "gender": "性别",
    "birth_date": "出生日期", "join_date": "入党日期", "probationary": "预备党员", "probation_start": "预备期开始",
    "probation_end": "预备期结束", "category": "类别", "mobile": "流动党员", "department": "所在部门",
    "work_unit": "工作单位", "phone": "联系电话", "status": "状态", "exempt_reason": "免评原因",
    "exempt_by": "批准机构", "exempt_on": "批准日期", "joined_branch": "转入本支部日期", "id_card": "身份证号",
    "address": "住址", "house_no": "门牌号", "head_name": "户主", "approved_on": "纳入积分管理日期（义工登记日期）",
}
_TEXT = ("name", "department", "work_unit", "exempt_reason", "exempt_by", "address", "house_no", "head_name",
         "category", "group_code", "branch_code")
_DATES = ("birth_date", "join_date", "probation_start", "probation_end", "exempt_on", "joined_branch", "approved_on")
_BOOLS = ("probationary", "mobile")
COLUMNS = tuple(FIELDS)
_TRUE = {"是", "true", "1", "yes", "y", "预备", "预备党员", "√"}
_FALSE = {"否", "false", "0", "no", "n", "正式", "正式党员", ""}


def require_editor(user) -> None:
    if user.role not in EDITORS:
        raise PermissionDenied(f"{ROLE_NAMES.get(user.role, user.role)}无权维护人员信息")


def clean_name(value, kind: str = "member") -> str:
    """Full-width and stray spaces out of a person's name; a unit's name keeps single spaces."""
    text = str(value or "").replace("\u3000", " ").strip()
    return re.sub(r"\s+", " " if kind == "unit" else "", text)


def _date(value, label: str, errors: list[str]) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        errors.append(f"{label}：「{value}」不是日期，应写成 2025-07-01")
        return None


def _bool(value, label: str, errors: list[str]) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    errors.append(f"{label}：应填 是 或 否，不是「{value}」")
    return False


def scheme_categories(store: Store, branch_code: str, on_date: dt.date | None = None) -> list[str] | None:
    """The categories the branch's scheme names (None: none listed, or no scheme yet)."""
    try:
        scheme, _ = scheme_for(store, branch_code, on_date or dt.date.today())
    except NoSchemeError:
        return None
    return list(scheme.subject_categories) if scheme.subject_categories else None


def validate_subject(store: Store, row: dict, kind: str) -> tuple[dict, list[str]]:
    """(clean values, Chinese errors naming the field) for one subject row.

    ``row`` uses the column names of ``members`` (``FIELDS``); dates may be dates or
    2025-07-01 text, the status its code or Chinese name. ``row["id"]``, when given, is the
    subject being updated (its own ID number is then no duplicate). Nothing is written.
    """
    errors: list[str] = []
    clean: dict = {}
    today = dt.date.today()
    if kind not in KIND_NAMES:
        return {}, [f"对象类型：应为 {'、'.join(KIND_NAMES.values())} 之一，不是「{kind}」"]
    clean["kind"] = kind
    for key in _TEXT:
        value = row.get(key)
        text = clean_name(value, kind) if key == "name" else re.sub(r"\s+", " ", str(value or "")).strip()
        clean[key] = text or None
    for key in _DATES:
        clean[key] = _date(row.get(key), FIELDS[key], errors)
    for key in _BOOLS:
        clean[key] = _bool(row.get(key), FIELDS[key], errors)

    if not clean["name"]:
        errors.append("姓名：不能为空")
    elif len(clean["name"]) > 60:
        errors.append(f"姓名：最多60个字，「{clean['name'][:10]}…」太长")

    branch = None
    if not clean["branch_code"]:
        errors.append("所在支部：不能为空")
    else:
        branch = store.one("SELECT level, coalesce(active, true), name FROM orgs WHERE code = ?",
                           [clean["branch_code"]])
        if branch is None:
            errors.append(f"所在支部：未找到组织编码 {clean['branch_code']}")
        elif branch[0] != "branch":
            errors.append(f"所在支部：{branch[2]}不是支部（村）")
        elif not branch[1]:
            errors.append(f"所在支部：{branch[2]}已停用")
    if clean["group_code"] and branch is not None:
        group = store.one("SELECT level, parent_code, name FROM orgs WHERE code = ?", [clean["group_code"]])
        if group is None or group[0] != "group":
            errors.append(f"党小组/网格：未找到 {clean['group_code']}")
        elif group[1] != clean["branch_code"]:
            errors.append(f"党小组/网格：{group[2]}不属于所在支部")

    id_text = row.get("id_card")
    clean["id_card"] = None
    if id_text not in (None, ""):
        try:
            clean["id_card"] = check_id(id_text)
        except IdCardError as exc:
            errors.append(str(exc))
    if clean["id_card"]:
        born = id_birth_date(clean["id_card"])
        if clean["birth_date"] is None:
            clean["birth_date"] = born
        elif clean["birth_date"] != born:
            errors.append(f"出生日期：{clean['birth_date']:%Y-%m-%d} 与身份证号中的 {born:%Y-%m-%d} 不一致")
        sex = id_gender(clean["id_card"])
        given = str(row.get("gender") or "").strip()
        if given and given != sex:
            errors.append(f"性别：「{given}」与身份证号（{sex}）不一致")
        duplicate = store.scalar("SELECT id FROM members WHERE id_card = ? AND kind = ? AND id IS DISTINCT FROM ?",
                                 [clean["id_card"], kind, row.get("id")])
        if duplicate:
            errors.append(f"身份证号：已登记在另一{KIND_NAMES[kind]}（{duplicate}）名下")
    gender = str(row.get("gender") or "").strip()
    if gender and gender not in ("男", "女"):
        errors.append(f"性别：应为 男 或 女，不是「{gender}」")
    clean["gender"] = gender or (id_gender(clean["id_card"]) if clean["id_card"] else None)

    phone = re.sub(r"[\s\-－—]", "", str(row.get("phone") or ""))
    if phone and not re.fullmatch(r"1\d{10}|0\d{9,11}|\d{7,8}", phone):
        errors.append(f"联系电话：「{row.get('phone')}」不像手机（11位）或固定电话")
    clean["phone"] = phone or None

    status_text = str(row.get("status") or "active").strip()
    status = _STATUS_WORDS.get(status_text)
    if status is None:
        errors.append(f"状态：应为 {'、'.join(STATUS_NAMES.values())} 之一，不是「{status_text}」")
    clean["status"] = status or "active"
    if clean["status"] == "exempt":
        for key in ("exempt_reason", "exempt_by", "exempt_on"):
            if not clean[key]:
                errors.append(f"{FIELDS[key]}：免于评星时必填")
    else:
        clean["exempt_reason"] = clean["exempt_by"] = clean["exempt_on"] = None

    for key in _DATES:
        if clean[key] and clean[key] > today and key != "probation_end":
            errors.append(f"{FIELDS[key]}：{clean[key]:%Y-%m-%d} 在今天之后")
        if clean[key] and clean[key].year < 1900:
            errors.append(f"{FIELDS[key]}：{clean[key]:%Y-%m-%d} 太早")
    born, joined = clean["birth_date"], clean["join_date"]
    if born and joined and joined.year - born.year - ((joined.month, joined.day) < (born.month, born.day)) < 18:
        errors.append(f"入党日期：{clean['join_date']:%Y-%m-%d} 早于年满18岁")

    if kind == "member":
        if clean["probationary"]:
            clean["probation_start"] = clean["probation_start"] or clean["join_date"]
            if clean["probation_start"] is None:
                errors.append("预备期开始：预备党员须填写入党日期或预备期开始日期")
            elif clean["probation_end"] is None:
                start = clean["probation_start"]
                clean["probation_end"] = start.replace(year=start.year + 1) - dt.timedelta(days=1) \
                    if not (start.month == 2 and start.day == 29) else dt.date(start.year + 1, 2, 28)
            start, end = clean["probation_start"], clean["probation_end"]
            if start and end and end <= start:
                errors.append("预备期结束：应晚于预备期开始")
        else:
            clean["probation_start"] = clean["probation_start"] if clean["probation_end"] else None
    else:
        clean["probationary"] = False
        clean["join_date"] = clean["probation_start"] = clean["probation_end"] = None
    if kind in HOUSEHOLD_KINDS:
        clean["head_name"] = clean_name(clean["head_name"]) or clean["name"]
        if not clean["head_name"]:
            errors.append("户主：不能为空")
    else:
        clean["head_name"] = clean["house_no"] = None

    if clean["category"] and branch is not None and not errors_for(errors, "所在支部"):
        allowed = scheme_categories(store, clean["branch_code"])
        if allowed is not None and clean["category"] not in allowed:
            errors.append(f"类别：「{clean['category']}」不在本支部积分方案的类别中（{'、'.join(allowed)}）")
    return clean, errors


def errors_for(errors: list[str], label: str) -> bool:
    return any(e.startswith(label + "：") for e in errors)


def _masked(values: dict) -> dict:
    """The values as audited: the ID number masked."""
    out = dict(values)
    if out.get("id_card"):
        out["id_card"] = mask_id(out["id_card"])
    if "status" in out:  # 操作日志 reads "status" as a review state: a member's has its own key
        out["member_status"] = out.pop("status")
    return out


def next_ids(cur, kind: str, count: int = 1) -> list[str]:
    """``count`` fresh subject ids of a kind: M000885, H000001 … (the importer takes a block)."""
    prefix = ID_PREFIX[kind]
    # Only ids of the prefix and digits count (an imported 'M01x' is skipped): the CASE keeps the
    # cast from seeing anything else, which both engines honour (there is no TRY_CAST on PostgreSQL).
    last = cur.execute("SELECT max(CASE WHEN length(id) > 1 AND ltrim(substr(id, 2), '0123456789') = ''"
                       " THEN CAST(substr(id, 2) AS BIGINT) END) FROM members WHERE starts_with(id, ?)",
                       [prefix]).fetchall()[0][0] or 0
    return [f"{prefix}{last + i:06d}" for i in range(1, count + 1)]


def _raise(errors: list[str]) -> None:
    if errors:
        raise EntryError("；".join(errors))


def add_subject(store: Store, user, row: dict, kind: str = "member") -> str:
    """Add a subject of ``kind``; returns its id. Its branch history starts on the day it
    joined the branch (or joined the party, or today)."""
    require_editor(user)
    clean, errors = validate_subject(store, {k: v for k, v in row.items() if k != "id"}, kind)
    _raise(errors)
    scope_for(store, user).check_org(store, clean["branch_code"])
    initials, full = pinyin.keys(clean["name"])

    def work(cur) -> str:
        member_id = next_ids(cur, kind)[0]
        values = {**clean, "id": member_id, "initials": initials, "pinyin": full}
        cols = list(values)
        cur.execute(f"INSERT INTO members({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
                    [values[c] for c in cols]).fetchall()
        start = clean["joined_branch"] or clean["join_date"] or UNKNOWN_START
        cur.execute("INSERT INTO member_branch_history(member_id, branch_code, group_code, from_date, reason)"
                    " VALUES (?, ?, ?, ?, '建档')",
                    [member_id, clean["branch_code"], clean["group_code"], start]).fetchall()
        audit.record(cur, user.username, "subject.add", entity="member", entity_id=member_id,
                     org_code=clean["branch_code"], member_id=member_id, after=_masked(clean))
        return member_id

    return store.write(work)


def _current(store: Store, member_id: str) -> dict:
    with store.cursor() as cur:
        rel = cur.execute("SELECT * FROM members WHERE id = ?", [member_id])
        cols = [d[0] for d in rel.description]
        rows = rel.fetchall()
    if not rows:
        raise EntryError(f"未找到人员 {member_id}")
    return dict(zip(cols, rows[0]))


def update_subject(store: Store, user, member_id: str, changes: dict, on_date: dt.date | None = None) -> dict:
    """Change a subject's record; returns the changed fields (masked) as audited. A new
    branch is a transfer (its history is kept, see ``transfer_subject``); leaving the ID
    number out keeps the stored one (forms never see it in full)."""
    require_editor(user)
    scope = scope_for(store, user)
    scope.check_member(store, member_id)
    current = _current(store, member_id)
    merged = {k: current.get(k) for k in COLUMNS}
    merged.update({k: v for k, v in changes.items() if k in FIELDS})
    if "id_card" not in changes or changes.get("id_card") in (None, ""):
        merged["id_card"] = current.get("id_card")
    merged["id"] = member_id
    clean, errors = validate_subject(store, merged, current["kind"])
    _raise(errors)
    if clean["branch_code"] != current["branch_code"]:
        scope.check_org(store, clean["branch_code"])
    diff = {k: clean[k] for k in COLUMNS if clean.get(k) != current.get(k)}
    if not diff:
        return {}
    before = {k: current.get(k) for k in diff}
    on_date = on_date or dt.date.today()

    def work(cur):
        sets = dict(diff)
        if "name" in sets:
            sets["initials"], sets["pinyin"] = pinyin.keys(sets["name"])
        if "branch_code" in diff:
            _move(cur, member_id, current, clean["branch_code"], clean["group_code"], on_date, "组织关系转接")
            sets["joined_branch"] = on_date
        elif "status" in diff and clean["status"] in ("transferred", "deceased"):
            cur.execute("UPDATE member_branch_history SET to_date = ? WHERE member_id = ? AND to_date IS NULL",
                        [on_date, member_id]).fetchall()
        cur.execute(f"UPDATE members SET {', '.join(f'{k} = ?' for k in sets)} WHERE id = ?",
                    [*sets.values(), member_id]).fetchall()
        audit.record(cur, user.username, "subject.update", entity="member", entity_id=member_id,
                     org_code=clean["branch_code"], member_id=member_id, before=_masked(before), after=_masked(diff))

    store.write(work)
    return _masked(diff)


def _move(cur, member_id: str, current: dict, to_branch: str, group_code: str | None, on_date: dt.date,
          reason: str) -> None:
    """Close the member's open branch span the day before ``on_date`` and open one in ``to_branch``."""
    has_history = cur.execute("SELECT count(*) FROM member_branch_history WHERE member_id = ?",
                              [member_id]).fetchall()[0][0]
    if not has_history:
        start = current.get("joined_branch") or current.get("join_date") or current["created_at"].date()
        cur.execute("INSERT INTO member_branch_history(member_id, branch_code, group_code, from_date, reason)"
                    " VALUES (?, ?, ?, ?, '建档')",
                    [member_id, current["branch_code"], current.get("group_code"),
                     min(start, on_date - dt.timedelta(days=1))]).fetchall()
    cur.execute("UPDATE member_branch_history SET to_date = ? WHERE member_id = ? AND to_date IS NULL",
                [on_date - dt.timedelta(days=1), member_id]).fetchall()
    cur.execute("INSERT INTO member_branch_history(member_id, branch_code, group_code, from_date, reason)"
                " VALUES (?, ?, ?, ?, ?)", [member_id, to_branch, group_code, on_date, reason]).fetchall()


def transfer_subject(store: Store, user, member_id: str, to_branch: str, on_date: dt.date | None = None,
                     group_code: str | None = None) -> dict:
    """Move a subject to another branch from ``on_date``; the points entered before stay with
    the branch that entered them, and the history keeps both spans."""
    return update_subject(store, user, member_id, {"branch_code": to_branch, "group_code": group_code}, on_date)


def get_subject(store: Store, user, member_id: str) -> dict:
    """A subject's record for a form: the ID number masked, never in full."""
    scope_for(store, user).check_member(store, member_id)
    values = _current(store, member_id)
    values["id_card"] = mask_id(values.get("id_card"))
    return values


def list_subjects(store: Store, user, org_code: str, query: str = "", kind: str | None = None,
                  limit: int = 200) -> pl.DataFrame:
    """Subjects under an org (and its subtree), with the ID number masked, Chinese headers."""
    from core.members import search_clause

    scope = scope_for(store, user)
    scope.check_org(store, org_code)
    path = store.scalar("SELECT path FROM orgs WHERE code = ?", [org_code])
    clause, params = search_clause(query)
    sql = ("SELECT m.id, m.kind, m.name, m.gender, m.birth_date, m.category, m.probationary, m.status,"
           " m.phone, m.id_card, b.name AS branch, g.name AS grp, m.work_unit, m.address, m.head_name"
           " FROM members m JOIN orgs b ON b.code = m.branch_code LEFT JOIN orgs g ON g.code = m.group_code"
           f" WHERE starts_with(b.path, ?){clause}")
    params = [path, *params]
    if kind:
        sql += " AND m.kind = ?"
        params.append(kind)
    rows = store.all(sql + " ORDER BY b.path, m.kind, m.name COLLATE zh, m.id LIMIT ?", params + [limit])
    return pl.DataFrame(
        [{"编号": r[0], "类型": KIND_NAMES.get(r[1], r[1]), "姓名": r[2], "性别": r[3] or "",
          "出生日期": r[4].isoformat() if r[4] else "", "类别": r[5] or "",
          "党员类别": ("预备党员" if r[6] else "正式党员") if r[1] == "member" else "",
          "状态": STATUS_NAMES.get(r[7], r[7]), "联系电话": r[8] or "", "身份证号": mask_id(r[9]),
          "所在支部": r[10], "党小组/网格": r[11] or "", "工作单位": r[12] or "", "住址": r[13] or "",
          "户主": r[14] or ""} for r in rows],
        schema={c: pl.String for c in ("编号", "类型", "姓名", "性别", "出生日期", "类别", "党员类别", "状态",
                                        "联系电话", "身份证号", "所在支部", "党小组/网格", "工作单位", "住址", "户主")})


# -- a household's people ------------------------------------------------------------------

def validate_person(store: Store, row: dict) -> tuple[dict, list[str]]:
    """(clean values, errors) for one person of a household (the importer calls it too)."""
    errors: list[str] = []
    clean = {"name": clean_name(row.get("name")) or None,
             "relation": str(row.get("relation") or "").strip() or None,
             "phone": re.sub(r"[\s\-]", "", str(row.get("phone") or "")) or None,
             "member_id": str(row.get("member_id") or "").strip() or None,
             "gender": str(row.get("gender") or "").strip() or None,
             "birth_date": _date(row.get("birth_date"), "出生日期", errors), "id_card": None}
    if not clean["name"]:
        errors.append("姓名：不能为空")
    if clean["relation"] and clean["relation"] not in RELATIONS:
        errors.append(f"与户主关系：应为 {'、'.join(RELATIONS)} 之一，不是「{clean['relation']}」")
    if row.get("id_card") not in (None, ""):
        try:
            clean["id_card"] = check_id(row["id_card"])
            clean["birth_date"] = clean["birth_date"] or id_birth_date(clean["id_card"])
            clean["gender"] = clean["gender"] or id_gender(clean["id_card"])
        except IdCardError as exc:
            errors.append(str(exc))
    if clean["gender"] and clean["gender"] not in ("男", "女"):
        errors.append(f"性别：应为 男 或 女，不是「{clean['gender']}」")
    if clean["member_id"] and not store.scalar("SELECT count(*) FROM members WHERE id = ? AND kind = 'member'",
                                               [clean["member_id"]]):
        errors.append(f"党员编号：未找到党员 {clean['member_id']}")
    return clean, errors


def _household(store: Store, user, household_id: str) -> dict:
    require_editor(user)
    scope_for(store, user).check_member(store, household_id)
    current = _current(store, household_id)
    if current["kind"] not in HOUSEHOLD_KINDS:
        raise EntryError(f"{current['name']}不是户，不能登记户成员")
    return current


def add_person(store: Store, user, household_id: str, row: dict) -> int:
    household = _household(store, user, household_id)
    clean, errors = validate_person(store, row)
    _raise(errors)

    def work(cur) -> int:
        cols = list(clean)
        new_id = cur.execute(
            f"INSERT INTO household_people(household_id, {', '.join(cols)}) VALUES (?, {', '.join('?' for _ in cols)})"
            " RETURNING id", [household_id, *clean.values()]).fetchall()[0][0]
        audit.record(cur, user.username, "household.person_add", entity="household_person", entity_id=new_id,
                     org_code=household["branch_code"], member_id=household_id, after=_masked(clean))
        return new_id

    return store.write(work)


def remove_person(store: Store, user, household_id: str, person_id: int) -> None:
    household = _household(store, user, household_id)
    row = store.one("SELECT name, relation, id_card FROM household_people WHERE id = ? AND household_id = ?",
                    [person_id, household_id])
    if row is None:
        raise EntryError(f"未找到该户成员 {person_id}")

    def work(cur):
        cur.execute("DELETE FROM household_people WHERE id = ?", [person_id]).fetchall()
        audit.record(cur, user.username, "household.person_remove", entity="household_person",
                     entity_id=person_id, org_code=household["branch_code"], member_id=household_id,
                     before=_masked({"name": row[0], "relation": row[1], "id_card": row[2]}))

    store.write(work)


def household_people(store: Store, user, household_id: str) -> pl.DataFrame:
    """A household's people, ID numbers masked, Chinese headers."""
    scope_for(store, user).check_member(store, household_id)
    rows = store.all("SELECT id, name, relation, gender, birth_date, id_card, phone, member_id"
                     " FROM household_people WHERE household_id = ? ORDER BY id", [household_id])
    return pl.DataFrame(
        [{"序号": str(r[0]), "姓名": r[1], "与户主关系": r[2] or "", "性别": r[3] or "",
          "出生日期": r[4].isoformat() if r[4] else "", "身份证号": mask_id(r[5]), "联系电话": r[6] or "",
          "党员编号": r[7] or ""} for r in rows],
        schema={c: pl.String for c in ("序号", "姓名", "与户主关系", "性别", "出生日期", "身份证号", "联系电话", "党员编号")})
