"""「开通本人账号」 on a subject's record (组织与人员): the login it has, or a button that opens
one with a generated password, shown once. The 本人账号 page lists and manages them all."""

from __future__ import annotations

import streamlit as st

from core import subject_accounts
from core.auth import AuthError, can
from ui.widgets import md


def account_box(store, user, subject_id: str) -> None:
    if not can(user.role, "subject_accounts"):
        return
    shown = st.session_state.pop(f"subject_login_{subject_id}", None)
    if shown:
        st.success(md(shown))
    login = subject_accounts.account_of(store, user, subject_id)
    if login is not None:
        st.caption(md(f"本人账号：{login[0]}" + ("" if login[1] else "（已停用）") + "，可在「本人账号」页面停用或重置密码"))
        return
    if st.button("开通本人账号", key=f"open_login_{subject_id}", help="用编号作用户名，自动生成初始密码（只显示一次）"):
        try:
            made, password = subject_accounts.open_account(store, user, subject_id)
        except (AuthError, PermissionError) as exc:
            st.error(md(exc))
        else:
            st.session_state[f"subject_login_{subject_id}"] = (
                f"已为{made.display_name}开通本人账号。用户名：{made.username}　初始密码：{password}（只显示这一次）")
            st.rerun()
