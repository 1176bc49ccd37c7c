"""The logged-in user, the process's Store, and the page guard."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core.auth import Scope, User, can, scope_for
from core.auth.permissions import ROLE_NAMES
from core.store import Store, default_db_path, open_store
from ui.registry import BY_KEY

IDLE_LIMIT = dt.timedelta(hours=2)


@st.cache_resource
def _store_for(path: str) -> Store:
    return open_store(path)


def get_store() -> Store:
    return _store_for(str(default_db_path()))


def current_user() -> User | None:
    user = st.session_state.get("user")
    if user is None:
        return None
    now = dt.datetime.now()
    if now - st.session_state.get("last_seen", now) > IDLE_LIMIT:
        logout("长时间未操作，请重新登录")
        return None
    st.session_state["last_seen"] = now
    return user


def login(user: User) -> None:
    st.session_state["user"] = user
    st.session_state["last_seen"] = dt.datetime.now()


def logout(message: str | None = None) -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    if message:
        st.session_state["logout_message"] = message


def guard(page_key: str) -> tuple[User, Scope, Store]:
    """Stop the page unless the user is logged in and the role may open it."""
    user = current_user()
    if user is None:
        st.warning("请先登录")
        st.stop()
    spec = BY_KEY[page_key]
    if not can(user.role, spec.action):
        st.error(f"{ROLE_NAMES[user.role]}无权访问「{spec.title}」")
        st.stop()
    store = get_store()
    return user, scope_for(store, user), store
