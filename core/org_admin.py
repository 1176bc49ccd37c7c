"""Changing the organisation tree: create, rename, move, deactivate, merge two branches.

Levels run county → township/street → branch/village (村|社区|机关|学校|企业) → party group/grid.
An admin works everywhere, a township official within its own subtree (the node and, for a
new node or a move, the parent). Every change is one ``Store.write`` with an audit row
holding the before and after. A node is never deleted: its events and results keep
pointing at it, so it is deactivated (and, when merged, says into which branch).
"""

from __future__ import annotations

import datetime as dt
import re

from core import audit
from core.auth.permissions import ROLE_NAMES, PermissionDenied
from core.auth.scope import scope_for
from core.levels import LEVEL_NAMES
from core.services.entry_rules import EntryError
from core.store import Store

MANAGERS = frozenset({"admin", "township"})
# A new node's level → its parent's level, and the letter its generated code adds.
PARENT_LEVEL = {"township": "county", "branch": "township", "group": "branch"}
CODE_LETTER = {"township": "T", "branch": "B", "group": "G"}
CODE_WIDTH = {"township": 2, "branch": 2, "group": 1}
# Branch kinds as people say them → as stored (the demo's and metrics' vocabulary).
BRANCH_KINDS = {"村": "village", "社区": "community", "机关": "机关", "学校": "school", "企业": "enterprise"}
KIND_NAMES = {v: k for k, v in BRANCH_KINDS.items()} | {
    "town": "镇", "street": "街道", "group": "党小组", "grid": "网格", "county": "县"}
ORG_CODE = re.compile(r"[A-Z0-9]{2,32}")


class OrgError(EntryError):
    """Bad input for a change of the tree; the message names the field and is shown as is."""


def require_manager(user) -> None:
    if user.role not in MANAGERS:
        raise PermissionDenied(f"{ROLE_NAMES.get(user.role, user.role)}无权调整组织架构")


def org_row(cur, code: str) -> dict:
    row = cur.execute("SELECT code, name, level, kind, parent_code, path, county_code, township_code,"
                      " branch_code, coalesce(active, true), merged_into FROM orgs WHERE code = ?",
                      [code]).fetchall()
    if not row:
        raise OrgError(f"组织编码：未找到 {code}")
    keys = ("code", "name", "level", "kind", "parent_code", "path", "county_code", "township_code",
            "branch_code", "active", "merged_into")
    return dict(zip(keys, row[0]))


def get(store: Store, code: str) -> dict:
    with store.cursor() as cur:
        return org_row(cur, code)


def _check(store: Store, user, *codes: str) -> None:
    require_manager(user)
    scope = scope_for(store, user)
    for code in codes:
        scope.check_org(store, code)


def level_kind(level: str, name: str, parent_kind: str | None, kind: str | None) -> str | None:
    """The kind an org is stored with: a township named …街道 is a street, a community's party
    groups are grids; a branch keeps its own kind (村, 社区, …)."""
    if level == "group":
        return "grid" if parent_kind == "community" else "group"
    if level == "township":
        return "street" if name.endswith("街道") else "town"
    return kind


def clean_name(name: str | None) -> str:
    name = re.sub(r"\s+", "", (name or "").replace("\u3000", ""))
    if not name:
        raise OrgError("组织名称：不能为空")
    if len(name) > 60:
        raise OrgError(f"组织名称：最多60个字，「{name[:10]}…」有{len(name)}个字")
    return name


def branch_kind(kind: str | None, level: str) -> str | None:
    """The stored kind of a new node: a branch's 村|社区|机关|学校|企业 (or its stored code)."""
    if level != "branch":
        return None
    if kind is None or kind == "":
        return "village"
    if kind in BRANCH_KINDS:
        return BRANCH_KINDS[kind]
    if kind in KIND_NAMES and kind in BRANCH_KINDS.values():
        return kind
    raise OrgError(f"支部类型：应为 {'、'.join(BRANCH_KINDS)} 之一，不是「{kind}」")


def next_code(cur, parent_code: str, level: str) -> str:
    """The next free code under a parent: C01T03, C01T01B21, C01T01B01G3."""
    letter = CODE_LETTER[level]
    prefix = parent_code + letter
    rows = cur.execute("SELECT code FROM orgs WHERE starts_with(code, ?)", [prefix]).fetchall()
    used = [int(c[len(prefix):]) for (c,) in rows if c[len(prefix):].isdigit()]
    return f"{prefix}{(max(used) + 1 if used else 1):0{CODE_WIDTH[level]}d}"


def insert_org(cur, code: str, name: str, level: str, kind: str | None, parent: dict | None,
               import_batch: int | None = None) -> dict:
    """Insert one node under ``parent`` (None for a county): path and ancestor codes follow
    the parent. Shared with first-run setup and the importer."""
    path = (parent["path"] if parent else "/") + code + "/"
    county = parent["county_code"] if parent else code
    township = code if level == "township" else (parent or {}).get("township_code")
    branch = code if level == "branch" else (parent or {}).get("branch_code")
    sort = cur.execute("SELECT coalesce(max(sort), 0) + 1 FROM orgs WHERE parent_code IS NOT DISTINCT FROM ?",
                       [parent["code"] if parent else None]).fetchall()[0][0]
    row = dict(code=code, name=name, level=level, kind=kind, parent_code=parent["code"] if parent else None,
               path=path, county_code=county, township_code=township, branch_code=branch)
    cur.execute("INSERT INTO orgs(code, name, level, kind, parent_code, path, county_code, township_code,"
                " branch_code, sort, active, import_batch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, true, ?)",
                [code, name, level, kind, row["parent_code"], path, county, township, branch, sort,
                 import_batch]).fetchall()
    return row


def create_org(store: Store, user, name: str, parent_code: str, level: str, kind: str | None = None,
               code: str | None = None) -> str:
    """Add a township, branch or group under ``parent_code``; returns its code (given or generated)."""
    if level not in PARENT_LEVEL:
        raise OrgError(f"层级：应为 township（乡镇）、branch（支部）或 group（党小组/网格），不是「{level}」")
    name = clean_name(name)
    stored_kind = branch_kind(kind, level)
    code = (code or "").strip().upper() or None
    if code is not None and not ORG_CODE.fullmatch(code):
        raise OrgError(f"组织编码：只能用大写字母和数字（2—32位），「{code}」不行")
    parent = get(store, parent_code)
    _check(store, user, parent_code)
    if parent["level"] != PARENT_LEVEL[level]:
        raise OrgError(f"上级组织：{LEVEL_NAMES[level]}应建在{LEVEL_NAMES[PARENT_LEVEL[level]]}下，"
                       f"{parent['name']}是{LEVEL_NAMES[parent['level']]}")
    if not parent["active"]:
        raise OrgError(f"上级组织：{parent['name']}已停用")
    stored_kind = level_kind(level, name, parent["kind"], stored_kind)

    def work(cur) -> str:
        new_code = code or next_code(cur, parent_code, level)
        if cur.execute("SELECT count(*) FROM orgs WHERE code = ?", [new_code]).fetchall()[0][0]:
            raise OrgError(f"组织编码：{new_code} 已存在")
        row = insert_org(cur, new_code, name, level, stored_kind, parent)
        audit.record(cur, user.username, "org.add", entity="org", entity_id=new_code, org_code=new_code,
                     after={"name": name, "level": level, "kind": stored_kind, "parent_code": parent_code,
                            "path": row["path"]})
        return new_code

    return store.write(work)


def rename_org(store: Store, user, code: str, name: str) -> None:
    name = clean_name(name)
    org = get(store, code)
    _check(store, user, code)
    if org["name"] == name:
        return

    def work(cur):
        cur.execute("UPDATE orgs SET name = ? WHERE code = ?", [name, code]).fetchall()
        audit.record(cur, user.username, "org.rename", entity="org", entity_id=code, org_code=code,
                     before={"name": org["name"]}, after={"name": name})

    store.write(work)


def _repath(cur, org: dict, parent: dict) -> str:
    """Move ``org`` and its subtree under ``parent``: paths and the ancestor codes follow."""
    old, new = org["path"], parent["path"] + org["code"] + "/"
    township = org["code"] if org["level"] == "township" else parent["township_code"]
    branch = org["code"] if org["level"] == "branch" else parent["branch_code"]
    cur.execute("UPDATE orgs SET path = ? || substr(path, ?), county_code = ? WHERE starts_with(path, ?)",
                [new, len(old) + 1, parent["county_code"], old]).fetchall()
    if org["level"] in ("branch", "group"):
        cur.execute("UPDATE orgs SET township_code = ? WHERE starts_with(path, ?)", [township, new]).fetchall()
    if org["level"] == "group":
        cur.execute("UPDATE orgs SET branch_code = ? WHERE code = ?", [branch, org["code"]]).fetchall()
    cur.execute("UPDATE orgs SET parent_code = ? WHERE code = ?", [parent["code"], org["code"]]).fetchall()
    return new


def move_org(store: Store, user, code: str, parent_code: str) -> None:
    """Put a node (and its subtree) under another parent of the right level."""
    org, parent = get(store, code), get(store, parent_code)
    _check(store, user, code, parent_code)
    if org["level"] == "county":
        raise OrgError("组织编码：县级组织不能移动")
    if parent["level"] != PARENT_LEVEL[org["level"]]:
        raise OrgError(f"新上级：{LEVEL_NAMES[org['level']]}只能放在{LEVEL_NAMES[PARENT_LEVEL[org['level']]]}下，"
                       f"{parent['name']}是{LEVEL_NAMES[parent['level']]}")
    if not parent["active"]:
        raise OrgError(f"新上级：{parent['name']}已停用")
    if parent["code"] == org["parent_code"]:
        return
    if org["level"] == "group" and store.scalar(
            "SELECT count(*) FROM members WHERE group_code = ? AND status IN ('active', 'exempt')", [code]):
        raise OrgError(f"组织编码：{org['name']}还有成员，党小组（网格）换支部前请先把成员调到本支部的其他小组")

    def work(cur):
        new_path = _repath(cur, org, parent)
        audit.record(cur, user.username, "org.move", entity="org", entity_id=code, org_code=code,
                     before={"parent_code": org["parent_code"], "path": org["path"]},
                     after={"parent_code": parent_code, "path": new_path})

    store.write(work)


def deactivate_org(store: Store, user, code: str, reason: str | None = None) -> None:
    """Stop using a node. Its sub-organisations and people must have moved first; its
    records stay where they are."""
    org = get(store, code)
    _check(store, user, code)
    if org["level"] == "county":
        raise OrgError("组织编码：县级组织不能停用")
    if not org["active"]:
        raise OrgError(f"组织编码：{org['name']}已经停用")
    children = store.scalar("SELECT count(*) FROM orgs WHERE parent_code = ? AND coalesce(active, true)", [code])
    if children:
        raise OrgError(f"组织编码：{org['name']}下还有{children}个在用的下级组织，请先移走或停用")
    people = store.scalar(
        "SELECT count(*) FROM members WHERE (branch_code = ? OR group_code = ?) AND status IN ('active', 'exempt')",
        [code, code])
    if people:
        raise OrgError(f"组织编码：{org['name']}还有{people}名在册人员，请先转移或合并")

    def work(cur):
        cur.execute("UPDATE orgs SET active = false WHERE code = ?", [code]).fetchall()
        audit.record(cur, user.username, "org.deactivate", entity="org", entity_id=code, org_code=code,
                     before={"active": True}, after={"active": False}, reason=reason or None)

    store.write(work)


def merge_branches(store: Store, user, from_code: str, into_code: str, on_date: dt.date | None = None) -> dict:
    """Merge branch ``from_code`` into ``into_code`` on ``on_date``: its people move with a
    history row each (their earlier events stay with the branch that entered them), its
    groups move under the other branch, and it is deactivated with ``merged_into``."""
    on_date = on_date or dt.date.today()
    source, target = get(store, from_code), get(store, into_code)
    _check(store, user, from_code, into_code)
    if source["level"] != "branch" or target["level"] != "branch":
        raise OrgError("合并：只能合并两个支部（村）")
    if from_code == into_code:
        raise OrgError("合并：不能与自己合并")
    if not source["active"] or not target["active"]:
        raise OrgError(f"合并：{source['name'] if not source['active'] else target['name']}已停用")

    def work(cur) -> dict:
        people = [r[0] for r in cur.execute(
            "SELECT id FROM members WHERE branch_code = ? AND status IN ('active', 'exempt') ORDER BY id",
            [from_code]).fetchall()]
        if people:
            # A member typed in by hand has no history yet: give them their span in the old branch
            # first, so the case builder still finds them there for the months before the merge.
            cur.execute(
                "INSERT INTO member_branch_history(member_id, branch_code, group_code, from_date, to_date, reason)"
                " SELECT m.id, m.branch_code, m.group_code,"
                "   least(coalesce(m.joined_branch, m.join_date, CAST(m.created_at AS DATE)), ?::DATE - 1), NULL, '建档'"
                " FROM members m WHERE m.id = ANY(?)"
                "   AND NOT EXISTS (SELECT 1 FROM member_branch_history h WHERE h.member_id = m.id)",
                [on_date, people]).fetchall()
            cur.execute("UPDATE member_branch_history SET to_date = ?::DATE - 1"
                        " WHERE member_id = ANY(?) AND to_date IS NULL", [on_date, people]).fetchall()
            cur.execute(
                "INSERT INTO member_branch_history(member_id, branch_code, group_code, from_date, to_date, reason)"
                " SELECT id, ?, group_code, ?, NULL, ? FROM members WHERE id = ANY(?)",
                [into_code, on_date, f"支部合并（由{source['name']}并入）", people]).fetchall()
            cur.execute("UPDATE members SET branch_code = ?, joined_branch = ? WHERE id = ANY(?)",
                        [into_code, on_date, people]).fetchall()
        groups = [r[0] for r in cur.execute(
            "SELECT code FROM orgs WHERE parent_code = ? ORDER BY path", [from_code]).fetchall()]
        for group in groups:
            _repath(cur, org_row(cur, group), target)
        cur.execute("UPDATE orgs SET active = false, merged_into = ? WHERE code = ?", [into_code, from_code]).fetchall()
        result = {"members": len(people), "groups": len(groups)}
        audit.record(cur, user.username, "org.merge", entity="org", entity_id=from_code, org_code=from_code,
                     before={"active": True, "merged_into": None},
                     after={"active": False, "merged_into": into_code, "date": on_date, **result})
        return result

    return store.write(work)
