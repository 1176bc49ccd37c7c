"""操作日志: who did what, when, what changed and why; logins apart from changes."""

import datetime as dt

import streamlit as st

from core.audit_log import actions_in_use, export_excel, search, users_in_scope
from ui.session import guard
from ui.widgets import md, page_offset, pager, reset_page

PAGE_SIZE = 50

user, scope, store = guard("audit_log")
st.title("操作日志")
st.caption("每一次录入、审核、公示、异议、归档和重新开放都会留下记录：谁、何时、改了什么、为什么。")

users = dict(users_in_scope(store, scope))
c1, c2, c3 = st.columns([1, 1, 2])
username = c1.selectbox("操作人", [None, *users], format_func=lambda u: "全部" if u is None else f"{users[u]}（{u}）",
                        key="audit_user", on_change=reset_page("audit_page"))
member = c2.text_input("成员", placeholder="姓名或编号", key="audit_member", on_change=reset_page("audit_page"))
today = dt.date.today()
dates = c3.date_input("日期范围", value=(today - dt.timedelta(days=30), today), format="YYYY-MM-DD",
                      key="audit_dates", on_change=reset_page("audit_page"))
start, end = (dates[0], dates[1]) if len(dates) == 2 else (dates[0], dates[0]) if dates else (None, None)

# Keyed and tracked, so that changing a filter keeps the tab the user is on.
changes_tab, logins_tab = st.tabs(["操作记录", "登录记录"], key="audit_tab", on_change="rerun")
with changes_tab:
    names = actions_in_use(store, scope)
    actions = st.multiselect("操作类型", list(names), format_func=names.get, key="audit_actions",
                             placeholder="全部操作", on_change=reset_page("audit_page"), select_all=False)
    filters = dict(username=username, member=member, start=start, end=end, actions=actions or None)
    frame, total = search(store, scope, **filters, limit=PAGE_SIZE, offset=page_offset("audit_page", PAGE_SIZE))
    picked = st.dataframe(frame, hide_index=True, width="stretch", row_height=70, key="audit_rows",
                          on_select="rerun", selection_mode="single-row",
                          column_config={"变更内容": st.column_config.TextColumn(width="large")})
    pager("audit_page", total, PAGE_SIZE)
    rows = picked.selection.rows if picked else []
    if rows and rows[0] < frame.height:
        row = frame.row(rows[0], named=True)
        with st.container(border=True):
            st.markdown(f"**{md(row['时间'])} {md(row['操作人'])} · {md(row['操作'])}** {md(row['对象'])}")
            st.text(row["变更内容"])
            if row["原因"] != "—":
                st.text(f"原因：{row['原因']}")
    else:
        st.caption("点选表格中的一行，可查看完整的变更内容。")
    st.download_button("导出 Excel（按当前筛选，含登录记录）", data=lambda: export_excel(store, scope, **filters),
                       file_name=f"操作日志-{today:%Y%m%d}.xlsx", icon=":material/download:",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

with logins_tab:
    logins, login_total = search(store, scope, username=username, start=start, end=end, logins=True,
                                 limit=PAGE_SIZE, offset=page_offset("audit_login_page", PAGE_SIZE))
    st.dataframe(logins, hide_index=True, width="stretch")
    pager("audit_login_page", login_total, PAGE_SIZE)
