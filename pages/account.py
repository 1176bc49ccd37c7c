"""我的账号: every role changes its own password here."""

import streamlit as st

from core.auth import AuthError
from core.auth.admin import change_own_password
from core.auth.credentials import MIN_PASSWORD_LENGTH, PASSWORD_RULES
from core.orgs import labels
from ui.session import guard
from ui.widgets import md

user, scope, store = guard("account")
st.title("我的账号")
st.markdown(f"**{md(user.display_name)}**（用户名 {md(user.username)}） · {user.role_name} · "
            f"{md(labels(store, [user.org_code])[user.org_code])}")

if flash := st.session_state.pop("account_flash", None):
    st.success(md(flash))

st.subheader("修改密码")
with st.form("change_password", clear_on_submit=True):
    old = st.text_input("原密码", type="password", key="own_old")
    new = st.text_input(f"新密码（至少{MIN_PASSWORD_LENGTH}位）", type="password", key="own_new",
                        help=PASSWORD_RULES)
    again = st.text_input("再次输入新密码", type="password", key="own_again")
    submitted = st.form_submit_button("修改密码", type="primary")
if submitted:
    try:
        if new != again:
            raise AuthError("两次输入的新密码不一致")
        change_own_password(store, user, old, new, keep_session=st.session_state.get("session_id"))
    except AuthError as exc:
        st.error(md(exc))
    else:
        st.session_state["account_flash"] = "密码已修改。在其他浏览器或电脑上的登录已退出。"
        st.rerun()
