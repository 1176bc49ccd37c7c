"""Users: argon2id password hashes, login with lock-out after repeated failures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from core import audit, bounds
from core.auth.credentials import MIN_PASSWORD_LENGTH, AuthError, check_password, clean_username, login_name
from core.auth.permissions import ROLE_NAMES, ROLES
from core.levels import LEVEL_NAMES
from core.store import Store

_hasher = PasswordHasher()  # argon2id with the library's current recommended cost
# An unknown username is verified against this hash, so that it costs what a known one costs
# and the answer's timing does not tell which usernames exist.
_DUMMY_HASH = _hasher.hash("jifen-no-such-user")
MAX_FAILURES = 5
LOCK_MINUTES = 15

__all__ = ["MIN_PASSWORD_LENGTH", "MAX_FAILURES", "LOCK_MINUTES", "AuthError", "User", "add_user",
           "authenticate", "get_user", "hash_password", "subject_of", "verify_password"]


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
    except (VerifyMismatchError, VerificationError, InvalidHashError, TypeError, ValueError):
        # TypeError: no password (None); ValueError: one the hasher cannot encode (a lone surrogate)
        return False


def add_user(store: Store, username: str, password: str, role: str, org_code: str | None,
             display_name: str | None = None, actor: str = "system", subject_id: str | None = None) -> User:
    """A staff login for ``org_code``, or (role ``subject``) the login of one member or
    household, ``subject_id``: its organisation is the subject's own, never chosen."""
    username = clean_username(username)
    if not isinstance(role, str) or role not in ROLES:
        raise AuthError(f"未知角色：{role}（可选：{', '.join(ROLES)}）")
    check_password(password, username)
    display_name = bounds.text(display_name, "显示名", max_len=bounds.NAME_MAX, multiline=False, error=AuthError)
    if role == "subject":
        subject_id, org_code, default_name = _subject_account(store, subject_id)
        display_name = display_name or default_name
    elif subject_id is not None:
        raise AuthError("只有积分对象账号才关联积分对象")
    if not isinstance(org_code, str) or not org_code.strip():
        raise AuthError("请选择所属组织")
    level = store.scalar("SELECT level FROM orgs WHERE code = ?", [org_code])
    if level is None:
        raise AuthError(f"未知组织编码：{org_code}")
    expected = {"admin": ("county",), "township": ("township",), "secretary": ("branch",), "recorder": ("branch", "group"),
                "subject": (level,)}
    if level not in expected[role]:
        raise AuthError(f"{ROLE_NAMES[role]}的所属组织必须是{'或'.join(LEVEL_NAMES[x] for x in expected[role])}，"
                        f"{org_code} 是{LEVEL_NAMES[level]}")
    user = User(username, display_name or username, role, org_code)
    hashed = hash_password(password)

    def work(cur):
        # Checked in the write, so that two parallel adds of one name cannot both pass; case is
        # ignored (Admin beside admin), as the unique index on lower(username) also insists.
        taken = cur.execute("SELECT username FROM users WHERE lower(username) = lower(?)", [username]).fetchall()
        if taken:
            raise AuthError(f"用户已存在：{taken[0][0]}")
        if subject_id is not None:
            # one login per subject, checked in the write like the name
            held = cur.execute("SELECT username FROM users WHERE subject_id = ?", [subject_id]).fetchall()
            if held:
                raise AuthError(f"{user.display_name}已有本人账号：{held[0][0]}（可由管理员重置密码或停用）")
        cur.execute(
            "INSERT INTO users(username, display_name, password_hash, role, org_code, subject_id)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [user.username, user.display_name, hashed, role, org_code, subject_id],
        ).fetchall()
        audit.record(cur, actor, "user.add", entity="user", entity_id=username, org_code=org_code,
                     after={"role": role, "org_code": org_code, "display_name": user.display_name,
                            **({"subject_id": subject_id} if subject_id is not None else {})})

    try:
        store.write(work)
    except AuthError:
        raise
    except Exception as exc:
        # On a server a parallel add of the same name can still reach the unique index after
        # the write's retries; the name is then taken, and the user hears it as above.
        taken = store.scalar("SELECT username FROM users WHERE lower(username) = lower(?)", [username])
        held = store.scalar("SELECT username FROM users WHERE subject_id = ?", [subject_id]) if subject_id else None
        if taken is None and held is None:
            raise
        raise AuthError(f"用户已存在：{taken}" if taken else f"{user.display_name}已有本人账号：{held}") from exc
    return user


def _subject_account(store: Store, subject_id) -> tuple[str, str, str]:
    """The subject's id, organisation and default display name for its login: it must exist
    and be scored (not transferred, deceased or exempt); a household's login is its head's."""
    subject_id = bounds.text(subject_id, "积分对象编号", required=True, max_len=bounds.NAME_MAX, multiline=False,
                             error=AuthError)
    row = store.one("SELECT name, branch_code, kind, status, head_name FROM members WHERE id = ?", [subject_id])
    if row is None:
        raise AuthError(f"未找到积分对象 {subject_id}")
    from core.subjects import HOUSEHOLD_KINDS  # here: core.subjects imports core.auth

    name, branch, kind, status, head = row
    if status != "active":
        reason = {"transferred": "已转出", "deceased": "已去世", "exempt": "免于评星"}.get(status, "不在册")
        raise AuthError(f"{name}{reason}，不能开通本人账号")
    # a household is named after its head where no head is recorded (core.subjects does the same)
    return subject_id, branch, head if kind in HOUSEHOLD_KINDS and head else name


def subject_of(store: Store, username: str) -> str | None:
    """The subject id of an active ``subject`` login, read from the account row (a session's
    User object does not carry it, and a page parameter must never supply it)."""
    return store.scalar("SELECT subject_id FROM users WHERE username = ? AND role = 'subject' AND active",
                        [username])


def get_user(store: Store, username: str) -> User | None:
    row = store.one("SELECT username, display_name, role, org_code FROM users WHERE username = ? AND active", [username])
    return User(*row) if row else None


def authenticate(store: Store, username: str, password: str, now: dt.datetime | None = None) -> User:
    """Return the user, or raise AuthError with a message fit to show on the login page.

    The name matches whatever its case. A failure is counted by ``failed_count + 1`` inside the
    write, never by writing back a count read earlier: parallel wrong guesses each add one, and
    the fifth locks the account. A success clears the count only if no lock came meanwhile.
    """
    now = now or dt.datetime.now()
    row = store.one(
        "SELECT username, password_hash, locked_until, active FROM users WHERE lower(username) = lower(?)",
        [login_name(username)],
    )
    if row is None:
        verify_password(_DUMMY_HASH, password)
        raise AuthError("用户名或密码错误")
    username, hashed, locked_until, active = row
    if not active:
        raise AuthError("该账号已停用，请联系管理员")
    if locked_until is not None and locked_until > now:
        raise AuthError(_locked_message(locked_until))
    if not verify_password(hashed, password):
        _count_failure(store, username, now)
        raise AuthError("用户名或密码错误")

    rehash = hash_password(password) if _hasher.check_needs_rehash(hashed) else hashed

    def ok(cur):
        done = cur.execute(
            "UPDATE users SET failed_count = 0, locked_until = NULL, last_login = ?, password_hash = ?"
            " WHERE username = ? AND active AND (locked_until IS NULL OR locked_until <= ?) RETURNING locked_until",
            [now, rehash, username, now]).fetchall()
        if done:
            audit.record(cur, username, "login", entity="user", entity_id=username)
        return bool(done)

    if not store.write(ok):
        # Locked or disabled by a parallel request between the read and this write.
        row = store.one("SELECT locked_until, active FROM users WHERE username = ?", [username])
        if row and not row[1]:
            raise AuthError("该账号已停用，请联系管理员")
        raise AuthError(_locked_message(row[0]))
    return get_user(store, username)


def _locked_message(locked_until: dt.datetime) -> str:
    return f"连续登录失败次数过多，账号已锁定至 {locked_until:%Y-%m-%d %H:%M}"


def _count_failure(store: Store, username: str, now: dt.datetime) -> None:
    """One more failure, counted atomically; the MAX_FAILURES-th locks for LOCK_MINUTES. A lock
    that has run out starts the count again, so one wrong guess after it does not re-lock."""
    lock = now + dt.timedelta(minutes=LOCK_MINUTES)

    def fail(cur):
        failures, locked_until = cur.execute(
            "UPDATE users SET"
            " failed_count = CASE WHEN locked_until <= ? THEN 1 ELSE failed_count + 1 END,"
            " locked_until = CASE WHEN locked_until <= ? THEN NULL ELSE locked_until END"
            " WHERE username = ? RETURNING failed_count, locked_until", [now, now, username]).fetchall()[0]
        locking = failures >= MAX_FAILURES and locked_until is None
        if locking:
            cur.execute("UPDATE users SET locked_until = ? WHERE username = ?", [lock, username]).fetchall()
        audit.record(cur, username, "login.failed", entity="user", entity_id=username,
                     reason="账号锁定" if locking else None)
        return locking

    if store.write(fail):
        raise AuthError(f"连续{MAX_FAILURES}次登录失败，账号锁定{LOCK_MINUTES}分钟")
