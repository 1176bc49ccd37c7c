"""What each role may do. Pages and services both ask here, so hiding a button is never
the only guard."""

from __future__ import annotations

ROLES = ("admin", "township", "secretary", "recorder")
ROLE_NAMES = {"admin": "县级管理员", "township": "乡镇（街道）组织委员", "secretary": "支部书记", "recorder": "记分员"}

# action -> roles allowed
ACTIONS: dict[str, frozenset[str]] = {
    "view": frozenset(ROLES),
    "enter": frozenset({"admin", "secretary", "recorder"}),
    "review": frozenset({"admin", "secretary"}),
    "appraise": frozenset({"admin", "secretary"}),
    "publish": frozenset({"admin", "secretary"}),
    "finalise": frozenset({"admin", "secretary"}),
    "reopen": frozenset({"admin", "township"}),
    "assign_scheme": frozenset({"admin", "township"}),
    "dashboards": frozenset({"admin", "township", "secretary"}),
    "audit": frozenset({"admin", "township", "secretary"}),
    "manage_users": frozenset({"admin"}),
    "manage_orgs": frozenset({"admin", "township"}),
    "import": frozenset({"admin", "township", "secretary"}),
}

ACTION_NAMES = {
    "view": "查看", "enter": "录入积分", "review": "审核", "appraise": "民主评议", "publish": "发起公示",
    "finalise": "确认归档", "reopen": "重新开放", "assign_scheme": "设置方案", "dashboards": "查看统计",
    "audit": "查看操作日志", "manage_users": "管理用户",
    "manage_orgs": "管理组织与人员",
    "import": "导入数据",
}


class PermissionDenied(PermissionError):
    pass


def can(role: str, action: str) -> bool:
    return role in ACTIONS[action]


def require(user, action: str) -> None:
    if not can(user.role, action):
        raise PermissionDenied(f"{ROLE_NAMES.get(user.role, user.role)}无权{ACTION_NAMES[action]}")
