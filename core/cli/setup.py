"""`setup`: the first admin of a real installation (the password is read from stdin)."""

from __future__ import annotations

import getpass
import sys

from core.cli import db_option, fail, open_db
from core.first_run import SetupError, setup


def register(sub) -> None:
    p = sub.add_parser("setup", help="首次使用：建立县级组织和第一个管理员（从标准输入读取密码）")
    db_option(p)
    p.add_argument("--county-code", required=True, help="县级组织编码，如 C01")
    p.add_argument("--county-name", required=True, help="县名称，如 某某县")
    p.add_argument("--admin", required=True, help="管理员用户名")
    p.add_argument("--display-name", default=None, help="管理员显示名称")
    p.set_defaults(func=run_setup)


def read_password() -> tuple[str, str | None]:
    """(password, confirmation): typed twice at a terminal, one line from a pipe."""
    if sys.stdin.isatty():
        return getpass.getpass("密码："), getpass.getpass("再次输入密码：")
    return sys.stdin.readline().rstrip("\r\n"), None


def run_setup(args) -> int:
    password, again = read_password()
    store = open_db(args)
    try:
        user = setup(store, args.county_code, args.county_name, args.admin, password, args.display_name, again)
    except SetupError as exc:
        return fail(exc)
    finally:
        store.close()
    print(f"已建立{args.county_name.strip()}（{user.org_code}）和管理员 {user.username}；"
          "现在可以启动应用并用该账号登录")
    return 0
