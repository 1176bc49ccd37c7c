"""操作日志: who did what, when, before and after, and why."""

import datetime as dt

import streamlit as st

from core.audit_log import search, users_in_scope
from ui.session import guard
from ui.widgets import page_offset, pager, reset_page

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

frame, total = search(store, scope, username=username, member=member, start=start, end=end, limit=PAGE_SIZE,
                      offset=page_offset("audit_page", PAGE_SIZE))
st.dataframe(frame, hide_index=True, width="stretch")
pager("audit_page", total, PAGE_SIZE)
