"""本人账号: open a member's or household's own login (我的积分, 自我申报), with an initial
password set here or generated and shown once."""

import streamlit as st

from core import members, subject_accounts
from core.auth import AuthError
from core.auth.credentials import PASSWORD_RULES
from ui.charts import table
from ui.session import guard
from ui.widgets import md

user, scope, store = guard("subject_accounts")
st.title("本人账号")
st.caption("为党员或农户（户主）开通本人账号：登录后只能查看本人的积分、积分卡和申报记录，并可自我申报。"
           "积分卡上的二维码打开登录页。")

# Shown once, right after the account is made: the password is kept only as a hash.
if opened := st.session_state.pop("sa_opened", None):
    st.success(md(f"已为{opened['name']}开通本人账号。用户名：{opened['username']}　初始密码：{opened['password']}"))
    st.caption("请把用户名和初始密码告诉本人（此密码只显示这一次），登录后可在「我的账号」修改密码。")

st.subheader("开通本人账号")
query = st.text_input("查找党员或农户", placeholder="输入姓名或拼音首字母", key="sa_query")
candidates = members.pick(store, scope, query or "", limit=30)
if not candidates:
    st.info("没有找到匹配的党员或农户")
else:
    labels = {c[0]: f"{c[1]}（{c[2]}，{c[0]}）" for c in candidates}
    subject_id = st.selectbox("积分对象", list(labels), format_func=labels.get, index=None, key="sa_subject",
                              placeholder="请选择…")
    with st.form("sa_form", clear_on_submit=True):
        username = st.text_input("用户名", placeholder="不填则用编号作用户名", key="sa_username")
        password = st.text_input("初始密码", type="password", key="sa_password", help=PASSWORD_RULES,
                                 placeholder="不填则自动生成")
        if st.form_submit_button("开通本人账号", type="primary"):
            if subject_id is None:
                st.error("请先选择积分对象")
            else:
                try:
                    made, initial = subject_accounts.open_account(store, user, subject_id, username or None,
                                                                  password or None)
                except (AuthError, PermissionError) as exc:
                    st.error(md(exc))
                else:
                    st.session_state["sa_opened"] = {"name": made.display_name, "username": made.username,
                                                     "password": initial if not password else "（您设置的密码）"}
                    st.rerun()

st.subheader("已开通的本人账号")
table(subject_accounts.accounts(store, user), empty="还没有开通本人账号")

logins = subject_accounts.choices(store, user)
if logins:
    st.subheader("停用、启用或重置密码")
    target = st.selectbox("本人账号", list(logins), format_func=logins.get, index=None, key="sa_target",
                          placeholder="选择账号（可输入姓名或用户名查找）")
    label = logins.get(target, "")
    c1, c2, c3 = st.columns(3)
    try:
        if c1.button("停用", disabled=target is None, key="sa_disable"):
            subject_accounts.set_active(store, user, target, False)
            st.session_state["sa_done"] = f"已停用 {label}，其登录已全部退出"
            st.rerun()
        if c2.button("启用", disabled=target is None, key="sa_enable"):
            subject_accounts.set_active(store, user, target, True)
            st.session_state["sa_done"] = f"已启用 {label}"
            st.rerun()
        if c3.button("重置密码", disabled=target is None, key="sa_reset"):
            new_password = subject_accounts.reset_password(store, user, target)
            st.session_state["sa_done"] = f"已重置 {label} 的密码，新密码：{new_password}（只显示这一次）"
            st.rerun()
    except (AuthError, PermissionError) as exc:
        st.error(md(exc))
    if done := st.session_state.pop("sa_done", None):
        st.success(md(done))
