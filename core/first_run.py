"""First run of a real installation: the county and its first admin.

``python -m core setup`` and the app's first screen (shown while the database has no admin)
both call ``setup``. It refuses once an admin exists, so nobody can take over an installed
system through the first screen, and no known password exists outside the demo.
"""

from __future__ import annotations

import re

from core import audit
from core.auth.credentials import check_password, clean_username
from core.auth.users import AuthError, User, add_user
from core.org_admin import insert_org
from core.store import Store

COUNTY_CODE = re.compile(r"[A-Z][A-Z0-9]{1,15}")


class SetupError(ValueError):
    """Bad first-run input; the message names the field."""


def needs_setup(store: Store) -> bool:
    """True while no admin account exists (a fresh ``init``)."""
    return not store.scalar("SELECT count(*) FROM users WHERE role = 'admin'")


def setup(store: Store, county_code: str, county_name: str, username: str, password: str,
          display_name: str | None = None, password_again: str | None = None) -> User:
    """Create the county (or take the existing one of that code) and its first admin."""
    if not needs_setup(store):
        raise SetupError("系统已有管理员，不能再次初始化；请用管理员账号登录后在「系统管理」中添加用户")
    county_code = (county_code or "").strip().upper()
    county_name = re.sub(r"\s+", "", county_name or "")
    if not COUNTY_CODE.fullmatch(county_code):
        raise SetupError(f"县级组织编码：应以字母开头，只含大写字母和数字（2—16位），如 C01，「{county_code}」不行")
    if not county_name:
        raise SetupError("县名称：不能为空")
    # the account rules every other way of adding a user applies, checked before the county is written
    try:
        username = clean_username(username)
    except AuthError as exc:
        raise SetupError(f"管理员用户名：{str(exc).removeprefix('用户名')}") from None
    try:
        check_password(password, username)
    except AuthError as exc:
        raise SetupError(f"密码：{str(exc).removeprefix('密码')}") from None
    if password_again is not None and password_again != password:
        raise SetupError("确认密码：两次输入的密码不一致")
    level = store.scalar("SELECT level FROM orgs WHERE code = ?", [county_code])
    if level is not None and level != "county":
        raise SetupError(f"县级组织编码：{county_code} 已是一个非县级组织的编码")
    if level is None:
        def work(cur):
            insert_org(cur, county_code, county_name, "county", "county", None)
            audit.record(cur, username, "org.add", entity="org", entity_id=county_code, org_code=county_code,
                         after={"name": county_name, "level": "county"}, reason="首次使用：建立县级组织")
        store.write(work)
    try:
        return add_user(store, username, password, "admin", county_code, display_name or None, actor="setup")
    except AuthError as exc:
        raise SetupError(str(exc)) from None
