"""The logged-in user, the process's Store, and the page guard.

Who is logged in is decided on every rerun from the store, not from memory: the session row
must be live (``core.auth.sessions``) and its user active. A refreshed page or a typed URL
starts a new Streamlit session, which finds its session again through the cookie.
"""

from __future__ import annotations

import json

import streamlit as st

from core.auth import Scope, User, can, get_user, scope_for
from core.auth import sessions
from core.auth.permissions import ROLE_NAMES
from core.store import Store, default_db_path, open_store
from ui.registry import BY_KEY

# Why a session ended, as the login page says it.
END_MESSAGES = {
    "idle": "长时间未操作，请重新登录",
    "logout": "已退出登录",
    "disabled": "该账号已停用，请联系管理员",
    "password_reset": "密码已由管理员重置，请用新密码登录",
    "password_changed": "密码已修改，请用新密码重新登录",
}
COOKIE_ROUTE = "/jifen-auth/session"


@st.cache_resource
def _store_for(path: str) -> Store:
    return open_store(path)


def get_store() -> Store:
    return _store_for(str(default_db_path()))


def _cookie_token() -> str | None:
    try:
        token = st.context.cookies.get(sessions.COOKIE_NAME)
    except Exception:  # a bare script run has no request context
        return None
    return token if isinstance(token, str) else None  # AppTest's context is a stand-in


def current_user() -> User | None:
    store = get_store()
    session_id = st.session_state.get("session_id")
    if session_id is not None:
        user = sessions.check(store, session_id)
        if user is None:
            reason = sessions.end_reason(store, session_id)
            logout(END_MESSAGES.get(reason, END_MESSAGES["disabled"]), revoke=False)
            return None
        st.session_state["user"] = user  # a changed role or name shows at once
        return user
    if "user" in st.session_state:
        # A user placed in session_state without a session row (page tests run one page
        # alone): the account is still re-read, so a disabled one is refused.
        user = get_user(store, st.session_state["user"].username)
        if user is None:
            logout(END_MESSAGES["disabled"], revoke=False)
        return user
    resumed = sessions.resume(store, _cookie_token())
    if resumed is None:
        return None
    st.session_state["session_id"], st.session_state["user"] = resumed
    return resumed[1]


def login(user: User) -> None:
    session_id, code = sessions.open_session(get_store(), user.username)
    st.session_state["user"] = user
    st.session_state["session_id"] = session_id
    st.session_state["cookie_handoff"] = code


def logout(message: str | None = None, revoke: bool = True) -> None:
    session_id, user = st.session_state.get("session_id"), st.session_state.get("user")
    if revoke and session_id is not None and user is not None:
        sessions.log_out(get_store(), session_id, user.username)
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.session_state["clear_cookie"] = True
    if message:
        st.session_state["logout_message"] = message


def sync_cookie() -> None:
    """Send the browser what its cookie should become, once, after a login or a logout.

    Streamlit answers over a websocket and cannot set a cookie itself, so a few lines of
    script post to the app's cookie route (``server.py``), whose HTTP answer sets or clears
    an HttpOnly cookie. After a login only the one-time hand-off code is sent; the token is
    minted by the route and never seen by page script.
    """
    code = st.session_state.get("cookie_handoff")
    clear = st.session_state.pop("clear_cookie", False)
    if code is None and not clear:
        return
    # The code goes out on the login's run and the two after it: a run that follows at once
    # (the navigation landing on the user's first page) can drop the element before the
    # browser has run its script, and the route answers a spent code with 403, changing nothing.
    sent = st.session_state.get("cookie_handoff_sent", 0) + 1
    if code is None or sent >= 3:
        st.session_state.pop("cookie_handoff", None)
        st.session_state.pop("cookie_handoff_sent", None)
    else:
        st.session_state["cookie_handoff_sent"] = sent
    body = json.dumps({"code": code} if code else {"clear": True})
    st.html(f"<script>fetch({json.dumps(COOKIE_ROUTE)}, {{method: 'POST', credentials: 'same-origin',"
            f" headers: {{'Content-Type': 'application/json'}}, body: {json.dumps(body)}}});</script>",
            unsafe_allow_javascript=True)


def guard(page_key: str) -> tuple[User, Scope | None, Store]:
    """Stop the page unless the user is logged in and the role may open it. A subject's
    pages (我的积分, 自我申报, 我的账号) get no scope: it has none (``scope_for`` refuses it)."""
    user = current_user()
    if user is None:
        st.warning("请先登录")
        st.stop()
    spec = BY_KEY[page_key]
    if not can(user.role, spec.action):
        refuse(user, spec.title)
    store = get_store()
    return user, None if user.role == "subject" else scope_for(store, user), store


def refuse(user: User, title: str) -> None:
    st.error(f"{ROLE_NAMES[user.role]}无权访问「{title}」")
    st.stop()
