"""本人账号: staff open the login of a member or a household (its head) in their scope.

The initial password is either set by the clerk or generated here and shown once (it is
stored only as its hash); the subject changes it on 我的账号.
"""

from __future__ import annotations

import secrets

import polars as pl

from core.auth import require, scope_for
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
        pl.col("最近登录").cast(pl.Datetime("us")).dt.strftime("%Y-%m-%d %H:%M").fill_null("从未登录"))
