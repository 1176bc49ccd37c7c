"""Reading the audit log (操作日志): who did what, when, what changed and why, in plain Chinese,
filtered by user, member, date and action, within the reader's scope.

The log stores codes (``user.reset_password``, ``{"status": "approved"}``); this module is
where they become words. ``ACTION_NAMES`` covers every action ``core`` writes (a test greps
``core/`` for them), and ``describe_change`` turns before/after into "字段：旧 → 新" lines.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from decimal import Decimal
from typing import Any

import polars as pl

from core import orgs
from core.cycles import cycle_label, period_short
from core.auth.permissions import ROLE_NAMES
from core.io.tables import excel_bytes
from core.store import Store

ACTION_NAMES = {
    "login": "登录", "login.failed": "登录失败", "logout": "退出登录",
    "user.add": "新增用户", "user.enable": "启用用户", "user.disable": "停用用户",
    "user.reset_password": "重置密码", "user.change_password": "修改本人密码",
    "scope.denied": "越权访问被拒绝", "backup": "备份数据库",
    "event.enter": "录入积分", "event.reverse": "撤销积分", "event.approve": "审核通过", "event.reject": "审核驳回",
    "activity.create": "活动签到", "scores.save": "保存评议", "veto.add": "一票否决", "veto.revoke": "撤销一票否决",
    "scheme.assign": "设置积分方案", "publicity.open": "发起公示", "publicity.republish": "重新公示",
    "objection.file": "登记异议", "objection.assign": "指定经办人", "objection.resolve": "办结异议",
    "period.finalise": "确认归档", "period.reopen": "重新开放", "metrics.coverage_target": "设置覆盖率目标", "targets.set": "设置参与率目标",
    "demo.generate": "生成演示数据", "demo.activity": "生成演示活动",
    "org.add": "新增组织", "org.rename": "组织改名", "org.move": "移动组织", "org.deactivate": "停用组织",
    "org.merge": "合并支部", "subject.add": "新增人员", "subject.update": "修改人员信息",
    "household.person_add": "添加户成员", "household.person_remove": "移除户成员",
    "import.commit": "导入文件", "import.undo": "撤销导入批次", "event.import": "导入积分记录",
    "scores.import": "导入评议", "scores.import_undo": "撤销导入的评议", "history.import": "导入往年等次",
    "history.remove": "撤销导入的往年等次", "org.remove": "删除导入的组织", "subject.remove": "删除导入的人员",
    "volunteer.training": "登记义工培训", "volunteer.report": "上报义工月报",
    "goods.add": "新增积分超市商品", "goods.edit": "修改积分超市商品", "goods.enable": "启用积分超市商品",
    "goods.disable": "停用积分超市商品", "goods.restock": "积分超市入库", "goods.stocktake": "积分超市盘点",
    "exchange.make": "积分兑换", "exchange.undo": "撤销积分兑换",
    "demo.report_in": "生成演示社区报到数据", "report_in.register": "登记到社区报到", "report_in.withdraw": "撤销社区报到",
    "report_in.post_add": "新增服务岗位", "report_in.post_rename": "修改服务岗位", "report_in.post_active": "启停服务岗位",
    "report_in.evaluate": "登记社区民主测评",
    "review.committee": "记录支委会审核", "review.submit": "报送乡镇审核", "review.approve": "上级党委审核通过",
    "review.return": "上级党委退回", "review.filing": "备案", "reminder.send": "乡镇催办", "reminder.done": "催办事项已办理",
    "objection.take_over": "乡镇代为办结异议",
    "disposal.open": "生成处置案件", "disposal.talk": "登记谈心谈话", "disposal.plan": "制定整改计划",
    "disposal.recommend": "支部提出处置建议", "disposal.decide": "党委作出处置决定", "disposal.denied": "处置操作被拒绝",
}
LOGIN_ACTIONS = ("login", "login.failed", "logout")
UNKNOWN_ACTION = "其他操作"
NONE = "—"

ENTITY_NAMES = {
    "user": "用户", "event": "积分记录", "activity": "活动", "scores": "评议", "veto": "一票否决",
    "scheme_assignment": "方案设置", "publicity": "公示", "objection": "异议", "period_lock": "归档",
    "database": "数据库",
    "org": "组织", "member": "人员", "household_person": "户成员", "import_batch": "导入批次",
    "goods": "积分超市商品", "exchange": "积分兑换",
    "review_step": "上级审核", "reminder": "催办", "disposal_case": "处置案件",
    "report_in": "社区报到", "community_post": "服务岗位", "community_evaluation": "社区民主测评",
    "participation_target": "参与率目标",
}

FIELD_NAMES = {
    "active": "状态", "role": "角色", "org_code": "所属组织", "display_name": "姓名",
    "status": "审核状态", "points": "积分", "item": "项目", "date": "日期", "count": "数量", "note": "备注",
    "scheme": "积分方案", "scheme_id": "积分方案", "scheme_version": "方案版本", "from_date": "起用日期",
    "overrides": "调整", "reversal_id": "撤销记录编号", "effect": "否决效果",
    "type": "活动类型", "title": "活动名称", "present": "出席", "absent": "缺席", "leave": "请假",
    "events": "生成积分记录",
    "cycle": "积分周期", "component": "评议项目", "period": "期间", "rows": "人数",
    "start": "开始日期", "end": "结束日期", "results": "结果", "window": "公示期",
    "objector": "异议人", "content": "异议内容", "deadline": "办理期限", "handler": "经办人",
    "state": "状态", "resolution": "处理结果", "recheck": "复核意见", "corrections": "更正",
    "publicity": "公示编号", "locked": "期间锁定", "target": "覆盖率目标（%）",
    "orgs": "组织", "members": "成员", "activities": "活动", "attendance": "签到", "vetoes": "一票否决",
    # 组织与人员 (core.org_admin, core.subjects)
    "name": "名称", "level": "层级", "parent_code": "上级组织", "merged_into": "并入", "groups": "党小组（网格）",
    "member_status": "人员状态", "gender": "性别", "birth_date": "出生日期", "join_date": "入党日期",
    "probationary": "预备党员", "probation_start": "预备期开始", "probation_end": "预备期结束", "category": "类别",
    "phone": "联系电话", "branch_code": "所在支部", "group_code": "党小组/网格", "work_unit": "工作单位",
    "department": "所在部门", "exempt_reason": "免评原因", "exempt_by": "批准机构", "exempt_on": "批准日期",
    "id_card": "身份证号", "address": "住址", "house_no": "门牌号", "head_name": "户主", "relation": "与户主关系",
    "mobile": "流动党员", "joined_branch": "转入本支部日期",
    # 积分超市 (core.supermarket)
    "code": "编码", "unit": "单位", "price": "兑换积分", "unit_price": "单价（元）", "subsidy_rate": "补助比例",
    "stock": "库存", "qty": "数量", "amount": "金额（元）", "subsidy": "补助（元）", "goods": "商品",
    "move": "库存变动编号", "exchange": "兑换记录编号",
    # 党员义工 (core.volunteers)
    "approved_on": "登记（纳入积分）日期", "hours": "时长（小时）", "topic": "培训内容", "month": "月份", "due": "应报日期",
    # 在职党员到社区报到 (core.reportin)
    "community": "报到社区", "post": "服务岗位", "pledge": "承诺", "late": "逾期报到", "description": "岗位说明",
    "year": "年度", "half": "半年", "grade": "测评等次", "comment": "测评意见",
}
VALUE_NAMES: dict[str, dict[Any, str]] = {
    "active": {True: "启用", False: "停用"},
    "locked": {True: "已锁定", False: "已解锁"},
    "role": ROLE_NAMES,
    "member_status": {"active": "正常", "transferred": "已转出", "deceased": "已故", "exempt": "免于评星"},
    "level": {"county": "县", "township": "乡镇（街道）", "branch": "党支部（村）", "group": "党小组（网格）"},
    "probationary": {True: "是", False: "否"}, "mobile": {True: "是", False: "否"}, "late": {True: "是", False: "否"},
    "status": {"entered": "待审核", "approved": "已通过", "rejected": "已驳回"},
    "state": {"open": "进行中", "resolved": "已办结", "finalised": "已归档", "withdrawn": "已撤回"},
    "window": {"kept": "沿用原公示期", "new": "重新起算公示期"},
    "effect": {"force_grade": "定为规定等次", "zero": "总分记为0", "no_rating": "不参加评定",
               "no_redeem": "积分不得兑换", "handle": "不论得分均予处置"},
}


def action_name(action: str) -> str:
    return ACTION_NAMES.get(action, UNKNOWN_ACTION)


# -- before/after as words --------------------------------------------------------------------

@functools.lru_cache(maxsize=64)
def _scheme(ref: str | None):
    """The scheme an audit row names ("party-q100-3to1@1.2"), or None if it cannot be loaded."""
    from core.scheme.loader import load_scheme

    if not ref:
        return None
    try:
        return load_scheme(ref.split("@", 1)[0])
    except Exception:  # a scheme retired since: the row still reads, with plainer words
        return None


@functools.lru_cache(maxsize=1)
def _all_item_names() -> dict[str, str]:
    """Item and veto names of every shipped scheme, for rows that do not name their scheme."""
    from core.scheme.loader import list_schemes

    names: dict[str, str] = {}
    for scheme in list_schemes():
        names.update({code: item.name for code, item in scheme.items.items()})
        names.update({code: veto.name for code, veto in scheme.vetoes.items()})
    return names


def _item_name(code: str, scheme) -> str:
    if scheme is not None:
        if code in scheme.items:
            return scheme.items[code].name
        if code in scheme.vetoes:
            return scheme.vetoes[code].name
    return _all_item_names().get(code, "（方案中已无此项目）")


def _number(value: Any) -> str:
    """2.00 → 2, -2.50 → -2.5 (the ledger stores two decimals; a reader wants the number)."""
    try:
        number = Decimal(str(value))
    except (ArithmeticError, ValueError):
        return _plain(value)
    return format(number.normalize(), "f")


def _plain(value: Any) -> str:
    if value is None or value == "":
        return NONE
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "、".join(_plain(v) for v in value) if value else NONE
    if isinstance(value, dict):
        return f"{len(value)} 项"
    return str(value)


def _value(key: str, value: Any, row: dict, names: dict) -> str:
    """One field's value in words; ``row`` is the before/after dict it came from."""
    if value is None:
        return NONE
    if key in VALUE_NAMES:
        return VALUE_NAMES[key].get(value, _plain(value))
    scheme = _scheme(row.get("scheme") or row.get("scheme_id"))  # event rows say "scheme", scheme.assign "scheme_id"
    if key == "item":
        return _item_name(value, scheme)
    if key in ("scheme", "scheme_id"):
        loaded = _scheme(value)
        return loaded.name if loaded else NONE
    if key in ("org_code", "parent_code", "merged_into", "branch_code", "group_code"):
        return names["orgs"].get(value, value)
    if key == "period":
        return period_short(scheme, value) if scheme else ("全年" if value == "cycle" else NONE)
    if key == "cycle" and scheme is not None and isinstance(value, int):
        return cycle_label(scheme, value)
    if key == "component":
        return scheme.components[value].name if scheme and value in scheme.components else NONE
    if key in ("points", "count", "target"):
        return _number(value)
    if key == "events":
        return f"{len(value)} 条" if value else "无"
    if key == "corrections":
        return f"撤销或补录 {len(value)} 条记录（编号 {'、'.join(map(str, value))}）" if value else "无"
    if key == "overrides":
        return "有" if value else "无"
    return _plain(value)


def _results_lines(before: dict | None, after: dict | None, names: dict) -> list[str]:
    """公示 results: how many members; on a republish, each member whose result changed."""
    old, new = (before or {}).get("results") or {}, (after or {}).get("results") or {}
    if not before or not old:
        return [f"结果：{len(new)} 名成员"]
    lines = []
    for member in sorted(set(old) | set(new)):
        a, b = old.get(member) or [None] * 3, new.get(member) or [None] * 3
        parts = [f"{label} {_plain(x)} → {_plain(y)}" for label, x, y in zip(("总分", "等次", "星级"), a, b) if x != y]
        if parts:
            lines.append(f"{names['members'].get(member, '成员')}：" + "，".join(parts))
    return lines or ["结果：无变化"]


def describe_change(before: Any, after: Any, names: dict | None = None) -> str:
    """Before/after as lines of "字段：旧 → 新" (or "字段：新" for a new value), in Chinese."""
    names = names or {"orgs": {}, "members": {}}
    before = before if isinstance(before, dict) else None
    after = after if isinstance(after, dict) else None
    if before is None and after is None:
        return NONE
    lines: list[str] = []
    if before and after is not None and "rows" in after and set(before) - set(FIELD_NAMES):
        # scores.save keeps the replaced entries keyed by member: say how many were replaced
        lines.append(f"覆盖原有记录：{len(before)} 名成员")
        before = None
    keys = list(dict.fromkeys([*(after or {}), *(before or {})]))
    for key in keys:
        if key == "results":
            lines += _results_lines(before, after, names)
            continue
        label = FIELD_NAMES.get(key)
        if label is None:
            continue  # a key added later without a name: better unsaid than shown raw
        has_old, has_new = before is not None and key in before, after is not None and key in after
        old = _value(key, before[key], before, names) if has_old else None
        new = _value(key, after[key], after, names) if has_new else None
        if has_old and has_new:
            if old != new:
                lines.append(f"{label}：{old} → {new}")
        elif has_new:
            if after[key] not in (None, ""):  # a new record's empty fields (no 备注) go unsaid
                lines.append(f"{label}：{new}")
        else:
            lines.append(f"原{label}：{old}")
    return "\n".join(lines) if lines else NONE


def _names_for(store: Store, rows: list[dict]) -> dict:
    """Org labels and member names the change descriptions of these rows mention."""
    org_codes, member_ids = set(), set()
    for row in rows:
        for side in (row["before"], row["after"]):
            if isinstance(side, dict):
                for key in ("org_code", "parent_code", "merged_into", "branch_code", "group_code"):
                    if isinstance(side.get(key), str):
                        org_codes.add(side[key])
                if isinstance(side.get("results"), dict):
                    member_ids.update(side["results"])
    members = dict(store.all("SELECT id, name FROM members WHERE id = ANY(?)", [sorted(member_ids)])) \
        if member_ids else {}
    return {"orgs": orgs.labels(store, sorted(org_codes)), "members": members}


# -- search -----------------------------------------------------------------------------------

def _where(scope, username: str | None, member: str | None, start: dt.date | None,
           end: dt.date | None, actions: list[str] | None, logins: bool | None) -> tuple[str, list]:
    # A row is in scope through its organisation, its member, or the user who acted.
    clauses = ["(starts_with(o.path, ?) OR starts_with(mo.path, ?) OR starts_with(uo.path, ?))"]
    params: list = [scope.path] * 3
    if username:
        clauses.append("a.username = ?")
        params.append(username)
    if member and member.strip():
        clauses.append("(a.member_id = ? OR strpos(m.name, ?) > 0)")
        params += [member.strip(), member.strip()]
    if start:
        clauses.append("a.happened_at >= ?")
        params.append(dt.datetime.combine(start, dt.time.min))
    if end:
        clauses.append("a.happened_at < ?")
        params.append(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    if actions:
        clauses.append("a.action = ANY(?)")
        params.append(list(actions))
    if logins is not None:
        clauses.append(("" if logins else "NOT ") + "a.action = ANY(?)")
        params.append(list(LOGIN_ACTIONS))
    return " AND ".join(clauses), params


_FROM = """FROM audit_log a
  LEFT JOIN orgs o ON o.code = a.org_code
  LEFT JOIN members m ON m.id = a.member_id LEFT JOIN orgs mo ON mo.code = m.branch_code
  LEFT JOIN users u ON u.username = a.username LEFT JOIN orgs uo ON uo.code = u.org_code"""

CHANGE_COLUMNS = ["时间", "操作人", "操作", "对象", "组织", "成员", "变更内容", "原因"]
LOGIN_COLUMNS = ["时间", "用户", "操作", "说明"]


def person_label(username: str, display: str | None) -> str:
    """孙丽（zhen01）: how the 操作日志 and the 上级审核 steps name a person."""
    if username == "system":
        return "系统"
    if username == "cli":
        return "命令行"
    return f"{display}（{username}）" if display else username


def _object(entity: str | None, entity_id: str | None) -> str:
    name = ENTITY_NAMES.get(entity or "")
    if name is None:
        return NONE
    if entity_id is None or entity in ("scores", "database"):
        return name
    return f"{name}（{entity_id}）" if entity == "user" else f"{name}（编号 {entity_id}）"


def _rows(store: Store, where: str, params: list, limit: int | None, offset: int) -> list[dict]:
    page = " LIMIT ? OFFSET ?" if limit is not None else ""
    raw = store.all(
        f"""SELECT a.happened_at, a.username, u.display_name, a.action, a.entity, a.entity_id, a.org_code,
                   m.name, a.member_id, CAST(a.before_json AS VARCHAR), CAST(a.after_json AS VARCHAR), a.reason
            {_FROM} WHERE {where} ORDER BY a.id DESC{page}""",
        params + ([limit, offset] if limit is not None else []))
    keys = ("at", "username", "display", "action", "entity", "entity_id", "org", "member", "member_id",
            "before", "after", "reason")
    rows = [dict(zip(keys, r)) for r in raw]
    for row in rows:
        row["before"] = json.loads(row["before"]) if row["before"] else None
        row["after"] = json.loads(row["after"]) if row["after"] else None
    return rows


def search(store: Store, scope, *, username: str | None = None, member: str | None = None,
           start: dt.date | None = None, end: dt.date | None = None, actions: list[str] | None = None,
           logins: bool | None = False, limit: int | None = 50, offset: int = 0) -> tuple[pl.DataFrame, int]:
    """One page of audit rows, newest first, in Chinese; and the total.

    ``logins=False`` gives changes (everything but logging in and out), ``True`` only logins,
    ``None`` both. ``limit=None`` gives every row (the Excel export)."""
    where, params = _where(scope, username, member, start, end, actions, logins)
    total = store.scalar(f"SELECT count(*) {_FROM} WHERE {where}", params)
    rows = _rows(store, where, params, limit, offset)
    when = [f"{r['at']:%Y-%m-%d %H:%M}" for r in rows]
    if logins:
        frame = pl.DataFrame({
            "时间": when, "用户": [person_label(r["username"], r["display"]) for r in rows],
            "操作": [action_name(r["action"]) for r in rows], "说明": [r["reason"] or NONE for r in rows],
        }, schema={c: pl.String for c in LOGIN_COLUMNS})
        return frame, total
    names = _names_for(store, rows)
    org_labels = orgs.labels(store, sorted({r["org"] for r in rows if r["org"]}))
    frame = pl.DataFrame({
        "时间": when,
        "操作人": [person_label(r["username"], r["display"]) for r in rows],
        "操作": [action_name(r["action"]) for r in rows],
        "对象": [_object(r["entity"], r["entity_id"]) for r in rows],
        "组织": [org_labels.get(r["org"], NONE) if r["org"] else NONE for r in rows],
        "成员": [f"{r['member'] or '成员'}（{r['member_id']}）" if r["member_id"] else NONE for r in rows],
        "变更内容": [describe_change(r["before"], r["after"], names) for r in rows],
        "原因": [r["reason"] or NONE for r in rows],
    }, schema={c: pl.String for c in CHANGE_COLUMNS})
    return frame, total


def actions_in_use(store: Store, scope, logins: bool = False) -> dict[str, str]:
    """code → Chinese name of the actions present in the reader's scope (the action filter)."""
    where, params = _where(scope, None, None, None, None, None, logins)
    codes = [r[0] for r in store.all(f"SELECT DISTINCT a.action {_FROM} WHERE {where} ORDER BY 1", params)]
    return {code: action_name(code) for code in codes}


def export_excel(store: Store, scope, **filters) -> bytes:
    """The filtered log as .xlsx: 操作 and 登录 sheets (every row, not one page); text cells
    that look like formulas are neutralised by ``excel_bytes``."""
    filters.pop("logins", None)
    changes, _ = search(store, scope, logins=False, limit=None, **filters)
    login_filters = {k: v for k, v in filters.items() if k != "actions"}
    logins, _ = search(store, scope, logins=True, limit=None, **login_filters)
    return excel_bytes({"操作记录": changes, "登录记录": logins})


def users_in_scope(store: Store, scope) -> list[tuple[str, str]]:
    """(username, display name) of the users whose organisation is in scope."""
    return store.all("SELECT u.username, u.display_name FROM users u JOIN orgs o ON o.code = u.org_code"
                     " WHERE starts_with(o.path, ?) ORDER BY u.username", [scope.path])
