"""What each role may do. Pages and services both ask here, so hiding a button is never
the only guard."""

from __future__ import annotations

# Staff record, review and watch within their organisation. A ``subject`` (a member or a
# household head) sees only their own account and declares items: never any staff page.
STAFF = ("admin", "township", "secretary", "recorder")
ROLES = STAFF + ("subject",)
ROLE_NAMES = {"admin": "县级管理员", "township": "乡镇（街道）组织委员", "secretary": "支部书记", "recorder": "记分员",
              "subject": "积分对象（党员、户主）"}

# action -> roles allowed
ACTIONS: dict[str, frozenset[str]] = {
    "view": frozenset(STAFF),
    "account": frozenset(ROLES),  # one's own password and sessions
    "self": frozenset({"subject"}),  # my points, my 积分卡, my declarations
    "declare": frozenset({"subject"}),
    "subject_accounts": frozenset({"admin", "township", "secretary"}),  # open a member's or household's own login
    "exchange": frozenset({"admin", "secretary", "recorder"}),  # at the 积分超市 counter
    "manage_goods": frozenset({"admin", "secretary"}),  # catalogue, restocking, stock-taking
    "log_service": frozenset({"admin", "secretary", "recorder"}),  # volunteers' service log
    "report_in": frozenset({"admin", "township", "secretary", "recorder"}),  # 在职党员到社区报到
    "evaluate_community": frozenset({"admin", "secretary"}),  # the community's half-yearly 测评
    "enter": frozenset({"admin", "secretary", "recorder"}),
    "review": frozenset({"admin", "secretary"}),
    "appraise": frozenset({"admin", "secretary"}),
    "publish": frozenset({"admin", "secretary"}),
    "finalise": frozenset({"admin", "secretary"}),
    "reopen": frozenset({"admin", "township"}),
    "township_review": frozenset({"admin", "township"}),  # 上级审核: approve/return, 催办, 代为办理 an overdue objection
    "assign_scheme": frozenset({"admin", "township"}),
    "tune_scheme": frozenset({"admin", "township"}),  # edit what a scheme marks editable, simulate, adopt
    "set_targets": frozenset({"admin", "township"}),  # participation targets per subject kind (its subtree)
    "results_use": frozenset({"admin", "township", "secretary"}),  # 结果运用: 评先评优, 处置, 星级挂牌
    "recommend_disposal": frozenset({"admin", "secretary"}),  # the branch's 谈心谈话, 整改, recommendation
    "decide_disposal": frozenset({"admin", "township"}),  # the Party committee's decision on a 处置 case
    "dashboards": frozenset({"admin", "township", "secretary"}),
    "audit": frozenset({"admin", "township", "secretary"}),
    "manage_users": frozenset({"admin"}),
    "manage_orgs": frozenset({"admin", "township"}),
    "import": frozenset({"admin", "township", "secretary"}),
}

ACTION_NAMES = {
    "view": "查看", "enter": "录入积分", "review": "审核", "appraise": "民主评议", "publish": "发起公示",
    "finalise": "确认归档", "reopen": "重新开放", "township_review": "上级审核", "assign_scheme": "设置方案", "dashboards": "查看统计",
    "audit": "查看操作日志", "manage_users": "管理用户",
    "manage_orgs": "管理组织与人员",
    "import": "导入数据",
    "account": "管理账号", "self": "查看本人积分", "declare": "自我申报", "subject_accounts": "开通本人账号",
    "exchange": "办理积分兑换", "manage_goods": "管理积分超市商品", "log_service": "登记义工服务",
    "report_in": "办理社区报到", "evaluate_community": "录入社区测评",
    "set_targets": "设置参与率目标", "tune_scheme": "调整积分方案",
    "results_use": "查看结果运用", "recommend_disposal": "办理支部处置步骤", "decide_disposal": "作出党委处置决定",
}


class PermissionDenied(PermissionError):
    pass


def can(role: str, action: str) -> bool:
    return role in ACTIONS[action]


def require(user, action: str) -> None:
    if not can(user.role, action):
        raise PermissionDenied(f"{ROLE_NAMES.get(user.role, user.role)}无权{ACTION_NAMES[action]}")
