"""Login sessions in the store: hand-off, cookie token, idle timeout, revocation."""

import datetime as dt
import hashlib

import pytest

from core.auth import get_user, scope_for
from core.auth import sessions
from core.auth.admin import change_own_password, reset_password, set_active
from core.auth.users import AuthError, authenticate

T0 = dt.datetime(2026, 7, 1, 8, 30)


def test_a_login_is_a_row_and_only_the_token_hash_is_stored(demo_store):
    sid, code = sessions.open_session(demo_store, "shuji01", now=T0)
    token = sessions.claim_handoff(demo_store, code, now=T0 + dt.timedelta(seconds=5))
    assert token and token != code
    row = demo_store.one("SELECT username, token_hash, handoff_hash, created_at, last_seen, revoked_at"
                         " FROM sessions WHERE id = ?", [sid])
    assert row == ("shuji01", hashlib.sha256(token.encode()).hexdigest(), None, T0, T0, None)
    assert token not in str(demo_store.all("SELECT * FROM sessions"))
    # a refresh: the cookie's token finds the same session and user
    resumed_id, user = sessions.resume(demo_store, token, now=T0 + dt.timedelta(minutes=3))
    assert (resumed_id, user.username, user.role) == (sid, "shuji01", "secretary")


def test_a_handoff_code_is_spent_once_and_expires(demo_store):
    sid, code = sessions.open_session(demo_store, "shuji01", now=T0)
    assert sessions.claim_handoff(demo_store, "not-the-code", now=T0) is None
    assert sessions.claim_handoff(demo_store, code, now=T0) is not None
    assert sessions.claim_handoff(demo_store, code, now=T0) is None  # replayed
    _, late = sessions.open_session(demo_store, "shuji01", now=T0)
    # HANDOFF_LIFETIME is 2 minutes: 2 min 1 s later the code is dead
    assert sessions.claim_handoff(demo_store, late, now=T0 + dt.timedelta(minutes=2, seconds=1)) is None
    assert sessions.resume(demo_store, "made-up-token", now=T0) is None
    assert sessions.resume(demo_store, None, now=T0) is None


def test_idle_timeout_is_enforced_from_the_row(demo_store):
    sid, code = sessions.open_session(demo_store, "shuji01", now=T0)
    token = sessions.claim_handoff(demo_store, code, now=T0)
    # activity at 1 h 59 min keeps it alive and moves last_seen
    seen = T0 + dt.timedelta(hours=1, minutes=59)
    assert sessions.check(demo_store, sid, now=seen).username == "shuji01"
    assert demo_store.scalar("SELECT last_seen FROM sessions WHERE id = ?", [sid]) == seen
    # 1 h 59 min + 2 h 1 min = 4 h: idle for 2 h 1 min > IDLE_LIMIT (2 h)
    assert sessions.check(demo_store, sid, now=T0 + dt.timedelta(hours=4)) is None
    assert sessions.end_reason(demo_store, sid) == "idle"
    assert sessions.resume(demo_store, token, now=T0 + dt.timedelta(hours=4)) is None


def test_checks_do_not_bump_the_data_version(demo_store):
    sid, _ = sessions.open_session(demo_store, "shuji01", now=T0)
    version = demo_store.data_version()
    sessions.check(demo_store, sid, now=T0 + dt.timedelta(minutes=5))  # touches last_seen
    assert demo_store.data_version() == version  # page caches are not thrown away by a click


def test_logout_revokes_and_is_audited(demo_store):
    sid, code = sessions.open_session(demo_store, "shuji01", now=T0)
    token = sessions.claim_handoff(demo_store, code, now=T0)
    sessions.log_out(demo_store, sid, "shuji01", now=T0)
    assert sessions.check(demo_store, sid, now=T0) is None
    assert sessions.resume(demo_store, token, now=T0) is None
    assert sessions.end_reason(demo_store, sid) == "logout"
    assert demo_store.scalar("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1") == "logout"


def test_disable_and_reset_revoke_every_session_of_the_user(demo_store):
    admin = get_user(demo_store, "admin")
    scope = scope_for(demo_store, admin)
    a, _ = sessions.open_session(demo_store, "jilu01")
    b, _ = sessions.open_session(demo_store, "jilu01")
    other, _ = sessions.open_session(demo_store, "shuji01")
    set_active(demo_store, admin, scope, "jilu01", False)
    assert sessions.check(demo_store, a) is None and sessions.check(demo_store, b) is None
    assert sessions.end_reason(demo_store, a) == "disabled"
    assert sessions.check(demo_store, other).username == "shuji01"  # someone else's session is untouched
    set_active(demo_store, admin, scope, "jilu01", True)
    c, _ = sessions.open_session(demo_store, "jilu01")
    reset_password(demo_store, admin, scope, "jilu01", "new-password-1")
    assert sessions.check(demo_store, c) is None and sessions.end_reason(demo_store, c) == "password_reset"


def test_a_disabled_user_is_refused_even_on_a_live_row(demo_store):
    sid, _ = sessions.open_session(demo_store, "jilu01")
    demo_store.write(lambda cur: cur.execute("UPDATE users SET active = false WHERE username = 'jilu01'").fetchall())
    assert sessions.check(demo_store, sid) is None


def test_own_password_change_needs_the_old_one_and_keeps_this_session(demo_store):
    from tests.conftest import DEMO_PASSWORD

    user = get_user(demo_store, "jilu01")
    here, _ = sessions.open_session(demo_store, "jilu01")
    elsewhere, _ = sessions.open_session(demo_store, "jilu01")
    with pytest.raises(AuthError, match="原密码不正确"):
        change_own_password(demo_store, user, "wrong-old", "brand-new-pass", keep_session=here)
    with pytest.raises(AuthError, match="至少8位"):
        change_own_password(demo_store, user, DEMO_PASSWORD, "short", keep_session=here)
    change_own_password(demo_store, user, DEMO_PASSWORD, "brand-new-pass", keep_session=here)
    assert sessions.check(demo_store, here).username == "jilu01"
    assert sessions.check(demo_store, elsewhere) is None
    assert authenticate(demo_store, "jilu01", "brand-new-pass").username == "jilu01"
    with pytest.raises(AuthError):
        authenticate(demo_store, "jilu01", DEMO_PASSWORD)
    assert demo_store.scalar("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1") == "login.failed"
    assert demo_store.scalar("SELECT count(*) FROM audit_log WHERE action = 'user.change_password'") == 1


# -- the app: every rerun asks the store ------------------------------------------------------

def _open_session_of(at):
    from core.store import default_db_path, open_store
    return open_store(str(default_db_path())), at.session_state["session_id"]


def test_login_creates_a_session_row(app_as):
    # (AppTest cannot click a button of app.py's own sidebar; logout is driven in
    # test_browser_session.py and log_out above)
    at = app_as("shuji01")
    store, sid = _open_session_of(at)
    assert store.scalar("SELECT username FROM sessions WHERE id = ? AND revoked_at IS NULL", [sid]) == "shuji01"
    assert store.scalar("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1") == "login"


@pytest.mark.parametrize("change, message", [
    ("UPDATE users SET active = false WHERE username = 'shuji01'", "该账号已停用，请联系管理员"),
    ("UPDATE sessions SET revoked_at = now(), revoke_reason = 'password_reset'", "密码已由管理员重置，请用新密码登录"),
    ("UPDATE sessions SET last_seen = last_seen - INTERVAL '3 hours'", "长时间未操作，请重新登录"),
])
def test_a_disabled_user_or_dead_session_is_logged_out_at_the_next_click(app_as, change, message):
    at = app_as("shuji01")
    store, _ = _open_session_of(at)
    store.write(lambda cur: cur.execute(change).fetchall())
    at.run()  # (AppTest reruns the page file alone; its guard asks current_user like app.py does)
    assert not at.exception
    assert at.session_state["logout_message"] == message
    assert "user" not in at.session_state and "session_id" not in at.session_state
    assert [w.value for w in at.warning] == ["请先登录"]


def test_a_changed_role_shows_at_the_next_click(app_as):
    at = app_as("shuji01")
    store, _ = _open_session_of(at)
    store.write(lambda cur: cur.execute("UPDATE users SET role = 'recorder' WHERE username = 'shuji01'").fetchall())
    at.run()
    assert at.session_state["user"].role == "recorder"


def test_rows_idle_for_a_month_are_pruned_by_the_next_login(demo_store):
    old, _ = sessions.open_session(demo_store, "shuji01", now=T0)
    recent, _ = sessions.open_session(demo_store, "shuji01", now=T0 + dt.timedelta(days=20))
    sessions.open_session(demo_store, "jilu01", now=T0 + dt.timedelta(days=31))  # 31 > KEEP_ENDED (30 days)
    ids = {r[0] for r in demo_store.all("SELECT id FROM sessions")}
    assert old not in ids and recent in ids


def _post(body: bytes):
    """The cookie route's answer to a POST of ``body`` (a bare ASGI request: no HTTP client needed)."""
    import asyncio

    from starlette.requests import Request

    from ui.auth_routes import PATH, session_cookie

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    scope = {"type": "http", "method": "POST", "path": PATH, "headers": [(b"content-type", b"application/json")],
             "query_string": b"", "scheme": "http", "server": ("127.0.0.1", 8501)}
    return asyncio.run(session_cookie(Request(scope, receive)))


def test_the_cookie_route_sets_an_httponly_cookie_for_a_handoff_code(demo_path, monkeypatch):
    import json

    from core.store import open_store

    monkeypatch.setenv("JIFEN_DB", str(demo_path))
    store = open_store(str(demo_path))
    sid, code = sessions.open_session(store, "shuji01")
    response = _post(json.dumps({"code": code}).encode())
    assert response.status_code == 204
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("jifen_session=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    # no Max-Age or expiry: the cookie ends with the browser; the store's idle timeout is the limit
    assert "Path=/" in cookie and "Max-Age" not in cookie and "expires" not in cookie.lower()
    token = cookie.split(";")[0].split("=", 1)[1]
    assert sessions.resume(store, token)[0] == sid
    assert _post(json.dumps({"code": code}).encode()).status_code == 403  # spent
    assert _post(b"not json").status_code == 400
    cleared = _post(b'{"clear": true}').headers["set-cookie"]
    assert cleared.startswith('jifen_session=""') and "Max-Age=0" in cleared
