"""The login form."""

from __future__ import annotations

import streamlit as st

from core.auth import AuthError, authenticate
from core.first_run import needs_setup
from ui.first_run import first_run_page
from ui.session import get_store, login
from ui.widgets import md


def login_page(target: str | None = None) -> None:
    """The login form; ``target`` names the page the URL asked for, opened once logged in.
    A database without an admin shows the first-run form instead."""
    if needs_setup(get_store()):
        first_run_page()
        return
    st.title("积分制管理系统")
    st.caption("党员积分 · 乡村治理积分 · 党员义工")
    if target:
        st.caption(f"登录后将打开「{target}」")
    message = st.session_state.pop("logout_message", None)
    if message:
        st.info(message)
    with st.form("login"):
        username = st.text_input("用户名")
        password = st.text_input("密码", type="password")
        submitted = st.form_submit_button("登录", type="primary")
    if submitted:
        try:
            user = authenticate(get_store(), username, password)
        except AuthError as exc:
            st.error(md(exc))
        else:
            login(user)
            st.rerun()
