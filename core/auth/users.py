"""Users: argon2id password hashes, login with lock-out after repeated failures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from core import audit
from core.auth.permissions import ROLE_NAMES, ROLES
from core.levels import LEVEL_NAMES
from core.store import Store

_hasher = PasswordHasher()  # argon2id with the library's current recommended cost
MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 8


class AuthError(ValueError):
    pass


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    role: str
    org_code: str

    @property
    def role_name(self) -> str:
        return ROLE_NAMES[self.role]


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def add_user(store: Store, username: str, password: str, role: str, org_code: str,
             display_name: str | None = None, actor: str = "system") -> User:
    username = username.strip()
    if not username:
        raise AuthError("用户名不能为空")
    if role not in ROLES:
        raise AuthError(f"未知角色：{role}（可选：{', '.join(ROLES)}）")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"密码至少{MIN_PASSWORD_LENGTH}位")
    level = store.scalar("SELECT level FROM orgs WHERE code = ?", [org_code])
    if level is None:
        raise AuthError(f"未知组织编码：{org_code}")
    expected = {"admin": ("county",), "township": ("township",), "secretary": ("branch",), "recorder": ("branch", "group")}
    if level not in expected[role]:
        raise AuthError(f"{ROLE_NAMES[role]}的所属组织必须是{'或'.join(LEVEL_NAMES[x] for x in expected[role])}，"
                        f"{org_code} 是{LEVEL_NAMES[level]}")
    if store.scalar("SELECT count(*) FROM users WHERE username = ?", [username]):
        raise AuthError(f"用户已存在：{username}")
    user = User(username, display_name or username, role, org_code)
    hashed = hash_password(password)

    def work(cur):
        cur.execute(
            "INSERT INTO users(username, display_name, password_hash, role, org_code) VALUES (?, ?, ?, ?, ?)",
            [user.username, user.display_name, hashed, role, org_code],
        ).fetchall()
        audit.record(cur, actor, "user.add", entity="user", entity_id=username, org_code=org_code,
                     after={"role": role, "org_code": org_code, "display_name": user.display_name})

    store.write(work)
    return user


def get_user(store: Store, username: str) -> User | None:
    row = store.one("SELECT username, display_name, role, org_code FROM users WHERE username = ? AND active", [username])
    return User(*row) if row else None


def authenticate(store: Store, username: str, password: str, now: dt.datetime | None = None) -> User:
    """Return the user, or raise AuthError with a message fit to show on the login page."""
    now = now or dt.datetime.now()
    row = store.one(
        "SELECT password_hash, failed_count, locked_until, active FROM users WHERE username = ?", [username.strip()]
    )
    if row is None:
        raise AuthError("用户名或密码错误")
    hashed, failures, locked_until, active = row
    if not active:
        raise AuthError("该账号已停用，请联系管理员")
    if locked_until is not None and locked_until > now:
        raise AuthError(f"连续登录失败次数过多，账号已锁定至 {locked_until:%Y-%m-%d %H:%M}")
    if not verify_password(hashed, password):
        failures += 1
        lock = now + dt.timedelta(minutes=LOCK_MINUTES) if failures >= MAX_FAILURES else None

        def fail(cur):
            cur.execute("UPDATE users SET failed_count = ?, locked_until = ? WHERE username = ?",
                        [0 if lock else failures, lock, username]).fetchall()
            audit.record(cur, username, "login.failed", entity="user", entity_id=username,
                         reason="账号锁定" if lock else None)

        store.write(fail)
        if lock:
            raise AuthError(f"连续{MAX_FAILURES}次登录失败，账号锁定{LOCK_MINUTES}分钟")
        raise AuthError("用户名或密码错误")

    rehash = hash_password(password) if _hasher.check_needs_rehash(hashed) else hashed

    def ok(cur):
        cur.execute("UPDATE users SET failed_count = 0, locked_until = NULL, last_login = ?, password_hash = ?"
                    " WHERE username = ?", [now, rehash, username]).fetchall()
        audit.record(cur, username, "login", entity="user", entity_id=username)

    store.write(ok)
    return get_user(store, username)
