"""User administration for the 系统管理 page: list, add, disable, reset a password; and the one
account change every role may make, its own password."""

from __future__ import annotations

import polars as pl

from core import audit, orgs
from core.auth.permissions import ROLE_NAMES, require
from core.auth.sessions import revoke_user
from core.auth.scope import Scope
from core.auth.credentials import check_password
from core.auth.users import AuthError, User, add_user, hash_password, verify_password
from core.store import Store


NEVER_LOGGED_IN = "从未登录"


def list_users(store: Store, actor: User, scope: Scope) -> pl.DataFrame:
    require(actor, "manage_users")
    where, params = scope.sql("o")
    frame = store.frame(
        f"""SELECT u.username AS 用户名, u.display_name AS 姓名, u.role AS 角色,
               o.name AS 所属组织, u.org_code AS 组织编码,
               CASE WHEN u.active THEN '启用' ELSE '停用' END AS 状态,
               u.last_login AS 最近登录
            FROM users u JOIN orgs o ON o.code = u.org_code
            WHERE {where} ORDER BY o.path, u.username""",
        params,
    )
    # formatted here, not in SQL: the two engines spell a timestamp's format differently
    return frame.with_columns(
        pl.col("角色").replace_strict(ROLE_NAMES, return_dtype=pl.String),
        pl.col("最近登录").cast(pl.Datetime("us")).dt.strftime("%Y-%m-%d %H:%M").fill_null(NEVER_LOGGED_IN))


def user_choices(store: Store, actor: User, scope: Scope) -> dict[str, str]:
    """username -> a label unique by construction: 姓名（用户名 · 组织）, the org labelled as every
    picker labels it (``orgs.labels``); two 王芳 of two 小河村 still differ by their username."""
    require(actor, "manage_users")
    where, params = scope.sql("o")
    rows = store.all(f"SELECT u.username, u.display_name, u.org_code, u.active FROM users u"
                     f" JOIN orgs o ON o.code = u.org_code WHERE {where} ORDER BY o.path, u.username", params)
    org_labels = orgs.labels(store, [r[2] for r in rows])
    return {username: f"{name}（{username} · {org_labels[org]}）" + ("" if active else "〔已停用〕")
            for username, name, org, active in rows}


def create_user(store: Store, actor: User, scope: Scope, username: str, password: str, role: str,
                org_code: str, display_name: str | None = None) -> User:
    require(actor, "manage_users")
    scope.check_org(store, org_code)
    return add_user(store, username, password, role, org_code, display_name, actor=actor.username)


def _target(store: Store, scope: Scope, username: str) -> str:
    org = store.scalar("SELECT org_code FROM users WHERE username = ?", [username])
    if org is None:
        raise AuthError(f"用户不存在：{username}")
    scope.check_org(store, org)
    return org


def set_active(store: Store, actor: User, scope: Scope, username: str, active: bool) -> None:
    require(actor, "manage_users")
    if username == actor.username and not active:
        raise AuthError("不能停用自己的账号")
    apply_active(store, actor, username, _target(store, scope, username), active)


def apply_active(store: Store, actor: User, username: str, org: str, active: bool) -> None:
    """Disable or enable, for a caller that has checked the actor may (系统管理; 本人账号 for a
    subject's login); a disabled login's sessions end at its next click."""

    def work(cur):
        was = cur.execute("SELECT active FROM users WHERE username = ?", [username]).fetchall()[0][0]
        cur.execute("UPDATE users SET active = ? WHERE username = ?", [active, username]).fetchall()
        if not active:
            revoke_user(cur, username, "disabled")  # logged out at the next click, wherever they are
        audit.record(cur, actor.username, "user.enable" if active else "user.disable", entity="user",
                     entity_id=username, org_code=org, before={"active": was}, after={"active": active})

    store.write(work)


def reset_password(store: Store, actor: User, scope: Scope, username: str, password: str) -> None:
    require(actor, "manage_users")
    apply_password_reset(store, actor, username, _target(store, scope, username), password)


def apply_password_reset(store: Store, actor: User, username: str, org: str, password: str) -> None:
    """A new password and the lock cleared, for a caller that has checked the actor may
    (系统管理; 本人账号 for a subject's login); the login's sessions end."""
    check_password(password, username)
    hashed = hash_password(password)

    def work(cur):
        cur.execute("UPDATE users SET password_hash = ?, failed_count = 0, locked_until = NULL WHERE username = ?",
                    [hashed, username]).fetchall()
        revoke_user(cur, username, "password_reset")
        audit.record(cur, actor.username, "user.reset_password", entity="user", entity_id=username, org_code=org)

    store.write(work)


def change_own_password(store: Store, actor: User, old_password: str, new_password: str,
                        keep_session: str | None = None) -> None:
    """Any role changes its own password, proving the old one. Its other sessions (another
    browser, a forgotten computer) are logged out; the one making the change stays."""
    hashed = store.scalar("SELECT password_hash FROM users WHERE username = ? AND active", [actor.username])
    if hashed is None or not verify_password(hashed, old_password):
        raise AuthError("原密码不正确")
    try:
        check_password(new_password, actor.username)
    except AuthError as exc:
        raise AuthError(f"新{exc}") from None  # 新密码至少8位, 新密码不能与用户名相同 …
    if new_password == old_password:
        raise AuthError("新密码不能与原密码相同")
    new_hash = hash_password(new_password)

    def work(cur):
        cur.execute("UPDATE users SET password_hash = ? WHERE username = ?", [new_hash, actor.username]).fetchall()
        revoke_user(cur, actor.username, "password_changed", keep=keep_session)
        audit.record(cur, actor.username, "user.change_password", entity="user", entity_id=actor.username,
                     org_code=actor.org_code)

    store.write(work)
