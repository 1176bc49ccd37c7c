"""首页: the organisation tree in scope, counts, and the searchable member list."""

import streamlit as st

from core import members, orgs
from core.attention import todos
from core.auth import can
from ui.charts import table
from ui.links import page_link
from ui.registry import BY_KEY
from ui.session import guard
from ui.widgets import md, page_offset, pager, reset_page

user, scope, store = guard("home")
org = orgs.get_org(store, user.org_code)
st.title(f"{md(org.name)} · 工作台")
st.caption(f"{md(user.display_name)}（{user.role_name}），管辖范围：{md(org.name)}")

c = orgs.counts(store, scope)
cols = st.columns(4)
cols[0].metric("党支部（村）", c["branches"])
cols[1].metric("在册党员", c["active"] + c["exempt"])
cols[2].metric("其中预备党员", c["probationary"])
cols[3].metric("免于评星", c["exempt"])

st.subheader("今日待办")
items = todos(store, user, scope)
if not items:
    st.success("暂无待办事项")
for i, todo in enumerate(items[:12]):
    text_col, link_col = st.columns([6, 1])
    (text_col.warning if todo.urgent else text_col.info)(md(todo.text))  # names, objectors in it
    page = BY_KEY[todo.page]
    if can(user.role, page.action):  # lands on the item's branch and period (core.attention)
        with link_col:
            page_link(todo, f"去{page.title}", icon=":material/arrow_forward:")
if len(items) > 12:
    st.caption(f"另有 {len(items) - 12} 项，请在各页面查看")

left, right = st.columns([1, 2])
with left:
    st.subheader("组织架构")
    rows = orgs.tree(store, scope, max_level="branch" if user.role in ("admin", "township") else "group")
    st.dataframe(
        [{"组织": "　" * r["depth"] + r["name"], "编码": r["code"], "党员数": r["members"]} for r in rows],
        hide_index=True, width="stretch", height=min(35 * len(rows) + 40, 600),
    )
with right:
    st.subheader("党员名册")
    query = st.text_input("搜索党员", placeholder="输入姓名或拼音首字母，如 zs 查找张三",
                          key="home_member_query", on_change=reset_page("home_member_page"))
    frame, total = members.search(store, scope, query, limit=50, offset=page_offset("home_member_page", 50))
    table(frame, empty="没有找到符合条件的党员" if query else "还没有党员：请在「导入导出」上传花名册，或在「组织与人员」中添加")
    pager("home_member_page", total, 50)
