"""The first screen of a fresh installation: the county and its first admin.

Shown instead of the login form while the database has no admin (``core.first_run``); the
service refuses once one exists, so this form cannot take over an installed system.
"""

from __future__ import annotations

import streamlit as st

from core.auth.credentials import PASSWORD_RULES
from core.first_run import SetupError, setup
from ui.session import get_store, login
from ui.widgets import md


def first_run_page() -> None:
    st.title("积分制管理系统")
    st.subheader("首次使用：建立县级组织和管理员")
    st.caption("数据库中还没有管理员。请填写本县的组织编码和名称，并设置第一个管理员账号；"
               "之后用该账号在「组织与人员」「导入导出」中建立组织和名册。")
    with st.form("first_run"):
        county_code = st.text_input("县级组织编码", placeholder="如 C01", key="setup_county_code")
        county_name = st.text_input("县名称", placeholder="如 某某县", key="setup_county_name")
        username = st.text_input("管理员用户名", key="setup_username")
        display_name = st.text_input("管理员姓名", key="setup_display_name")
        password = st.text_input("密码（至少8位）", type="password", key="setup_password", help=PASSWORD_RULES)
        again = st.text_input("再次输入密码", type="password", key="setup_password_again")
        submitted = st.form_submit_button("建立并登录", type="primary")
    if submitted:
        try:
            user = setup(get_store(), county_code, county_name, username, password, display_name, again)
        except SetupError as exc:
            st.error(md(exc))
        else:
            login(user)
            st.rerun()
