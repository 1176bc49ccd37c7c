"""系统管理: users and roles, and database backup."""

from pathlib import Path

import streamlit as st

from core import orgs
from core.auth import ROLE_NAMES, AuthError
from core.auth.permissions import STAFF
from core.auth.admin import create_user, list_users, reset_password, set_active, user_choices
from core.auth.credentials import PASSWORD_RULES
from core.backup import BackupError, backup, backup_root, default_backup_dir, list_backups, zip_bytes
from ui.session import guard
from ui.widgets import md

user, scope, store = guard("admin")
st.title("系统管理")


def done(message: str) -> None:
    """Say what changed and rerun, so the user list above shows the change at once."""
    st.session_state["admin_flash"] = message
    st.rerun()


if flash := st.session_state.pop("admin_flash", None):
    st.success(md(flash))

# Keyed and tracked, so that a button inside 数据备份 does not send the admin back to the first tab.
users_tab, backup_tab = st.tabs(["用户与角色", "数据备份"], key="admin_tab", on_change="rerun")
with users_tab:
    st.dataframe(list_users(store, user, scope), hide_index=True, width="stretch")
    st.subheader("新增用户")
    codes = {r["code"]: "　" * r["depth"] + f"{r['name']}（{r['code']}）" for r in orgs.tree(store, scope, "group")}
    with st.form("add_user", clear_on_submit=True):
        c1, c2 = st.columns(2)
        username = c1.text_input("用户名", key="new_username")
        display = c2.text_input("姓名", key="new_display")
        # a subject's login is tied to its member or household: opened on 本人账号
        role = c1.selectbox("角色", list(STAFF), format_func=ROLE_NAMES.get, index=2,
                            help="党员、农户的本人账号请在「本人账号」页面开通")
        org_code = c2.selectbox("所属组织", list(codes), format_func=codes.get, key="new_org")
        password = c1.text_input("初始密码（至少8位）", type="password", key="new_password",
                                 help=PASSWORD_RULES)
        if st.form_submit_button("新增用户", type="primary"):
            try:
                added = create_user(store, user, scope, username, password, role, org_code, display or None)
            except (AuthError, PermissionError) as exc:
                st.error(md(exc))
            else:
                done(f"已新增用户 {added.username}")  # as stored: trimmed, NFKC

    st.subheader("停用、启用或重置密码")
    choices = user_choices(store, user, scope)
    target = st.selectbox("用户", list(choices), format_func=choices.get, index=None, key="manage_target",
                          placeholder="选择用户（可输入姓名或用户名查找）")
    label = choices.get(target, "")
    c1, c2 = st.columns(2)
    try:
        if c1.button("停用", disabled=target is None, key="disable_user"):
            set_active(store, user, scope, target, False)
            done(f"已停用 {label}，其登录已全部退出")
        if c2.button("启用", disabled=target is None, key="enable_user"):
            set_active(store, user, scope, target, True)
            done(f"已启用 {label}")
        with st.form("reset_password", clear_on_submit=True):
            new_password = st.text_input("新密码（至少8位）", type="password", key="reset_new",
                                         help=PASSWORD_RULES)
            again = st.text_input("再次输入新密码", type="password", key="reset_again")
            if st.form_submit_button("重置密码", disabled=target is None):
                if new_password != again:
                    raise AuthError("两次输入的新密码不一致")
                reset_password(store, user, scope, target, new_password)
                done(f"已重置 {label} 的密码并解除锁定，其登录已全部退出")
    except (AuthError, PermissionError) as exc:
        st.error(md(exc))

with backup_tab:
    root = backup_root(store)
    server = store.backend == "postgres"
    st.write(("备份由应用进程调用 PostgreSQL 的 pg_dump 完成，备份时照常录入和查看，" if server else
              "备份在应用进程内完成（DuckDB 不允许第二个进程打开数据库），") + "每次生成一个包含全部数据表的目录，存放在：")
    st.code(str(root), language=None, wrap_lines=True)
    st.caption("可用环境变量 JIFEN_BACKUP_DIR 指定其他目录。" + (
        "恢复到一个新建的空数据库：python -m core restore 备份目录 --db postgresql://…/新库名" if server else
        "恢复时停止应用，运行 python -m core restore 备份目录 --db 新文件") + "（下载的 zip 解压后即是备份目录）。")
    if st.button("立即备份", type="primary"):
        with st.spinner("正在备份…"):
            try:
                dest = backup(store, default_backup_dir(store), username=user.username)
            except BackupError as exc:
                st.error(md(exc))
            else:
                st.session_state["backup_pick"] = str(dest)
                st.success(f"已备份到 {dest}")
    folders = [str(p) for p in list_backups(store)]
    if folders:
        if st.session_state.get("backup_pick") not in folders:
            st.session_state["backup_pick"] = folders[0]
        pick = st.selectbox("已有备份（最新在前）", folders, format_func=lambda p: Path(p).name, key="backup_pick")
        st.caption(f"完整路径：{pick}")
        st.download_button("下载此备份（zip）", data=lambda: zip_bytes(pick), file_name=Path(pick).name + ".zip",
                           mime="application/zip", icon=":material/download:")
    else:
        st.info("尚无备份")
