"""Login sessions kept in the store, so that a page refresh or a typed URL stays logged in.

The life of a session:

1. ``open_session`` after a successful login: a row with a one-time hand-off code (valid
   ``HANDOFF_LIFETIME``). The Streamlit session that logged in keeps the row's id.
2. The browser posts that code to the app's cookie route (``server.py``), which calls
   ``claim_handoff``: it mints the token, stores only its sha256, and answers with an
   HttpOnly cookie. The code is spent, so replaying it does nothing.
3. A refreshed page or a typed URL starts a new Streamlit session; it reads the cookie and
   calls ``resume``.
4. Every rerun calls ``check``: the row must be unrevoked, seen within ``IDLE_LIMIT``, and
   its user still active. A disabled user or a revoked session is logged out at once.
5. Logout, disabling the account and a password reset revoke the rows (``revoke`` /
   ``revoke_user``), the latter two in the same write as the account change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import duckdb

from core import audit
from core.auth.users import User
from core.store import Store

IDLE_LIMIT = dt.timedelta(hours=2)
HANDOFF_LIFETIME = dt.timedelta(minutes=2)
# last_seen is written at most this often: a write per rerun would queue every click behind
# the process's write lock, and two hours of idle time need no finer clock.
TOUCH_EVERY = dt.timedelta(minutes=1)
COOKIE_NAME = "jifen_session"
KEEP_ENDED = dt.timedelta(days=30)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def open_session(store: Store, username: str, now: dt.datetime | None = None) -> tuple[str, str]:
    """A new session for ``username``: (session id, one-time hand-off code)."""
    now = now or dt.datetime.now()
    session_id, code = secrets.token_urlsafe(16), secrets.token_urlsafe(32)

    def work(cur):
        # Rows of sessions ended or idle for a month say nothing more: they go as new ones come.
        cur.execute("DELETE FROM sessions WHERE last_seen < ?", [now - KEEP_ENDED]).fetchall()
        cur.execute("INSERT INTO sessions(id, username, handoff_hash, handoff_expires, created_at, last_seen)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    [session_id, username, _hash(code), now + HANDOFF_LIFETIME, now, now]).fetchall()

    store.write(work, bump=False)
    return session_id, code


def claim_handoff(store: Store, code: str, now: dt.datetime | None = None) -> str | None:
    """Spend a hand-off code: the cookie token of its session, or None if the code is unknown,
    spent or expired, or the session is no longer valid."""
    now = now or dt.datetime.now()
    if not code:
        return None
    token = secrets.token_urlsafe(32)

    def work(cur):
        row = cur.execute(
            "SELECT id FROM sessions WHERE handoff_hash = ? AND handoff_expires >= ? AND revoked_at IS NULL",
            [_hash(code), now]).fetchall()
        if not row:
            return None
        # The code is tested again in the UPDATE: on PostgreSQL two processes can both read the
        # row before either spends it; the second UPDATE waits for the first, then finds no code.
        spent = cur.execute("UPDATE sessions SET token_hash = ?, handoff_hash = NULL, handoff_expires = NULL"
                            " WHERE id = ? AND handoff_hash = ?", [_hash(token), row[0][0], _hash(code)]).fetchall()
        return token if spent[0][0] else None

    return store.write(work, bump=False)


def resume(store: Store, token: str | None, now: dt.datetime | None = None) -> tuple[str, User] | None:
    """The session (id, user) a cookie token belongs to, if it is still valid."""
    if not token:
        return None
    session_id = store.scalar("SELECT id FROM sessions WHERE token_hash = ?", [_hash(token)])
    if session_id is None:
        return None
    user = check(store, session_id, now)
    return (session_id, user) if user else None


def check(store: Store, session_id: str, now: dt.datetime | None = None) -> User | None:
    """The session's user if the session is live and the user active; else None.

    An idle session is revoked here, so that its cookie stays dead even if the clock moves back.
    """
    now = now or dt.datetime.now()
    row = store.one(
        "SELECT s.last_seen, s.revoked_at IS NULL, u.active, u.username, u.display_name, u.role, u.org_code"
        " FROM sessions s JOIN users u ON u.username = s.username WHERE s.id = ?", [session_id])
    if row is None:
        return None
    last_seen, live, active, *user = row
    if not live or not active:
        return None
    if now - last_seen > IDLE_LIMIT:
        revoke(store, session_id, "idle", now)
        return None
    if now - last_seen >= TOUCH_EVERY:
        store.write(lambda cur: cur.execute("UPDATE sessions SET last_seen = ? WHERE id = ?",
                                            [now, session_id]).fetchall(), bump=False)
    return User(*user)


def revoke(store: Store, session_id: str, reason: str = "logout", now: dt.datetime | None = None) -> None:
    now = now or dt.datetime.now()
    store.write(lambda cur: cur.execute(
        "UPDATE sessions SET revoked_at = ?, revoke_reason = ?, handoff_hash = NULL"
        " WHERE id = ? AND revoked_at IS NULL", [now, reason, session_id]).fetchall(), bump=False)


def revoke_user(cur: duckdb.DuckDBPyConnection, username: str, reason: str, *, keep: str | None = None,
                now: dt.datetime | None = None) -> None:
    """Revoke every live session of ``username`` (but ``keep``) inside the caller's write."""
    cur.execute(
        "UPDATE sessions SET revoked_at = ?, revoke_reason = ?, handoff_hash = NULL"
        " WHERE username = ? AND revoked_at IS NULL AND id IS DISTINCT FROM ?",
        [now or dt.datetime.now(), reason, username, keep]).fetchall()


def log_out(store: Store, session_id: str, username: str, now: dt.datetime | None = None) -> None:
    """The user's own logout: the session is revoked and the log says so."""
    now = now or dt.datetime.now()

    def work(cur):
        cur.execute("UPDATE sessions SET revoked_at = ?, revoke_reason = 'logout', handoff_hash = NULL"
                    " WHERE id = ? AND revoked_at IS NULL", [now, session_id]).fetchall()
        audit.record(cur, username, "logout", entity="user", entity_id=username)

    store.write(work)


def end_reason(store: Store, session_id: str) -> str | None:
    """Why a session ended: 'idle', 'logout', 'disabled', 'password_reset', 'password_changed',
    or None if the row is gone or still live (then the account itself was disabled)."""
    return store.scalar("SELECT revoke_reason FROM sessions WHERE id = ?", [session_id])
