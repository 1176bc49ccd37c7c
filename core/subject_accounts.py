"""本人账号: staff open the login of a member or a household (its head) in their scope.

The initial password is either set by the clerk or generated here and shown once (it is
stored only as its hash); the subject changes it on 我的账号.
"""

from __future__ import annotations

import secrets

import polars as pl

from core import bounds
from core.auth import AuthError, require, scope_for
from core.auth.admin import NEVER_LOGGED_IN, apply_active, apply_password_reset
from core.auth.users import User, add_user
from core.store import Store

# No 0/O, 1/l/I: the password is read off a screen or a slip of paper and typed on a phone.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
GENERATED_LENGTH = 8


def generate_password() -> str:
    while True:
        password = "".join(secrets.choice(_ALPHABET) for _ in range(GENERATED_LENGTH))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


def open_account(store: Store, actor, subject_id: str, username: str | None = None,
                 password: str | None = None) -> tuple[User, str]:
    """Open ``subject_id``'s own login; returns the user and the initial password (generated
    when none is given, to be shown once). The subject must be in the actor's scope."""
    require(actor, "subject_accounts")
    scope_for(store, actor).check_member(store, subject_id)
    password = password or generate_password()
    user = add_user(store, username or subject_id, password, "subject", None, actor=actor.username,
                    subject_id=subject_id)
    return user, password


def accounts(store: Store, actor) -> pl.DataFrame:
    """The subject logins in the actor's scope, for the page's list."""
    require(actor, "subject_accounts")
    where, params = scope_for(store, actor).sql("o")
    frame = store.frame(
        f"""SELECT u.username AS 用户名, u.display_name AS 姓名, m.name AS 积分对象, o.name AS 所属组织,
                   CASE WHEN u.active THEN '启用' ELSE '停用' END AS 状态, u.last_login AS 最近登录
            FROM users u JOIN members m ON m.id = u.subject_id JOIN orgs o ON o.code = m.branch_code
            WHERE u.role = 'subject' AND {where} ORDER BY o.path, m.name COLLATE zh, u.username""", params)
    return frame.with_columns(
        pl.col("最近登录").cast(pl.Datetime("us")).dt.strftime("%Y-%m-%d %H:%M").fill_null(NEVER_LOGGED_IN))


def choices(store: Store, actor) -> dict[str, str]:
    """username -> 'name（username · subject）' of the subject logins in the actor's scope."""
    return {r[0]: f"{r[1]}（{r[0]} · {r[2]}）" + ("" if r[3] == "启用" else "〔已停用〕")
            for r in accounts(store, actor).select("用户名", "姓名", "积分对象", "状态").iter_rows()}


def _login(store: Store, actor, username: str) -> str:
    """The organisation of a subject's login the actor may manage (its subject in scope)."""
    require(actor, "subject_accounts")
    username = bounds.code(username, "用户名", error=AuthError)
    row = store.one("SELECT subject_id, org_code FROM users WHERE username = ? AND role = 'subject'", [username])
    if row is None:
        raise AuthError(f"{username} 不是党员或农户的本人账号")
    scope_for(store, actor).check_member(store, row[0])
    return row[1]


def reset_password(store: Store, actor, username: str, password: str | None = None) -> str:
    """A new password for a subject's login (generated when none is given, to be shown once)."""
    org = _login(store, actor, username)
    password = password or generate_password()
    apply_password_reset(store, actor, username, org, password)
    return password


def set_active(store: Store, actor, username: str, active: bool) -> None:
    apply_active(store, actor, username, _login(store, actor, username), active)


def account_of(store: Store, actor, subject_id: str) -> tuple[str, bool] | None:
    """(username, active) of the subject's own login, or None (the subject in the actor's scope)."""
    require(actor, "subject_accounts")
    scope_for(store, actor).check_member(store, subject_id)
    row = store.one("SELECT username, active FROM users WHERE subject_id = ?", [subject_id])
    return (row[0], bool(row[1])) if row else None
