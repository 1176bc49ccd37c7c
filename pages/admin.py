"""系统管理: users and roles, and database backup."""

import streamlit as st

from core import orgs
from core.auth import ROLE_NAMES, AuthError
from core.auth.admin import create_user, list_users, reset_password, set_active
from core.backup import BackupError, backup, default_backup_dir
from ui.session import guard

user, scope, store = guard("admin")
st.title("系统管理")

users_tab, backup_tab = st.tabs(["用户与角色", "数据备份"])
with users_tab:
    st.dataframe(list_users(store, user, scope), hide_index=True, width="stretch")
    st.subheader("新增用户")
    codes = {r["code"]: "　" * r["depth"] + f"{r['name']}（{r['code']}）" for r in orgs.tree(store, scope, "group")}
    with st.form("add_user", clear_on_submit=True):
        c1, c2 = st.columns(2)
        username = c1.text_input("用户名", key="new_username")
        display = c2.text_input("姓名", key="new_display")
        role = c1.selectbox("角色", list(ROLE_NAMES), format_func=ROLE_NAMES.get, index=2)
        org_code = c2.selectbox("所属组织", list(codes), format_func=codes.get, key="new_org")
        password = c1.text_input("初始密码（至少8位）", type="password", key="new_password")
        if st.form_submit_button("新增用户", type="primary"):
            try:
                create_user(store, user, scope, username, password, role, org_code, display or None)
                st.success(f"已新增用户 {username}")
            except (AuthError, PermissionError) as exc:
                st.error(str(exc))
    st.subheader("停用、启用或重置密码")
    with st.form("manage_user"):
        target = st.text_input("用户名", key="manage_target")
        new_password = st.text_input("新密码（重置时填写）", type="password")
        c1, c2, c3 = st.columns(3)
        actions = {"disable": c1.form_submit_button("停用"), "enable": c2.form_submit_button("启用"),
                   "reset": c3.form_submit_button("重置密码")}
    try:
        if actions["disable"] or actions["enable"]:
            set_active(store, user, scope, target.strip(), actions["enable"])
            st.success(f"已{'启用' if actions['enable'] else '停用'} {target}")
        elif actions["reset"]:
            reset_password(store, user, scope, target.strip(), new_password)
            st.success(f"已重置 {target} 的密码，并解除锁定")
    except (AuthError, PermissionError) as exc:
        st.error(str(exc))

with backup_tab:
    st.write("备份在应用进程内完成（DuckDB 不允许第二个进程打开数据库），生成一个包含全部数据表的目录。"
             "恢复时停止应用，运行 `python -m core restore 备份目录 --db 新文件`。")
    if st.button("立即备份", type="primary"):
        with st.spinner("正在备份…"):
            try:
                dest = backup(store, default_backup_dir(), username=user.username)
                st.success(f"已备份到 {dest}")
            except BackupError as exc:
                st.error(str(exc))
