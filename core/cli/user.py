"""`user add`: create a login; the password is read from stdin."""

from __future__ import annotations

import getpass
import sys

from core.auth import ROLES, AuthError, add_user
from core.cli import db_option, fail, open_db


def register(sub) -> None:
    p = sub.add_parser("user", help="用户管理")
    users = p.add_subparsers(dest="user_command", required=True)
    add = users.add_parser("add", help="新增用户（从标准输入读取密码）")
    add.add_argument("name", help="用户名")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--org", default=None, help="组织编码，如 C01T01B01（积分对象账号不填，取其所在支部或村）")
    add.add_argument("--subject", default=None, help="积分对象编号（--role subject 时必填：本人账号关联的党员或农户）")
    add.add_argument("--display-name", default=None, help="显示名称")
    db_option(add)
    add.set_defaults(func=user_add)


def user_add(args) -> int:
    if sys.stdin.isatty():
        password = getpass.getpass("密码：")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    store = open_db(args)
    try:
        if args.role != "subject" and not args.org:
            raise AuthError("请用 --org 指定所属组织")
        user = add_user(store, args.name, password, args.role, args.org, args.display_name, actor="cli",
                        subject_id=args.subject)
    except AuthError as exc:
        return fail(exc)
    finally:
        store.close()
    print(f"已创建用户 {user.username}（{user.role_name}，{user.org_code}）")
    return 0
