"""成员档案: one member's timeline, totals per cycle, grade history and the explanation."""

import altair as alt
import polars as pl
import streamlit as st

from core import members
from core.auth.scope import ScopeError
from core.metrics import member_file
from ui.charts import number_columns, show, table_view
from ui.filters import today
from ui.session import guard
from ui.widgets import page_offset, pager, reset_page

PAGE_SIZE = 30

user, scope, store = guard("member_file")
st.title("成员档案")
query = st.text_input("查找党员", placeholder="输入姓名或拼音首字母，如 zs 查找张三", key="mf_query")
candidates = members.pick(store, scope, query or "", limit=30)
if not candidates:
    st.info("没有找到匹配的党员")
    st.stop()
labels = {c[0]: f"{c[1]}（{c[2]}，{c[0]}）" for c in candidates}
member_id = st.selectbox("党员", list(labels), format_func=labels.get, key="mf_member",
                         on_change=reset_page("mf_page"))
try:
    member = member_file.profile(store, scope, member_id)
except ScopeError as exc:
    st.error(str(exc))
    st.stop()

now = today()
cols = st.columns(4)
cols[0].metric("姓名", member["name"])
cols[1].metric("所在支部", member["branch_name"])
cols[2].metric("类别", member["category"] or "—")
cols[3].metric("状态", {"active": "在册", "exempt": "免于评星", "transferred": "已转出"}[member["status"]]
               + ("（预备党员）" if member["probationary"] else ""))
if member["department"]:
    st.caption(f"在职党员，派出单位：{member['department']}")

st.subheader("历年积分与等次")
history = member_file.per_cycle(store, member, now)
if history.is_empty():
    st.info("暂无积分结果")
else:
    shown = history.rename({"cycle": "年度", "total": "总分", "grade": "等次", "stars": "星级", "rank": "支部内排名", "source": "来源"})
    st.dataframe(shown, hide_index=True, width="stretch", column_config=number_columns(shown))
    scored = history.filter(pl.col("total").is_not_null() | pl.col("stars").is_not_null()).with_columns(
        value=pl.coalesce(pl.col("total"), pl.col("stars").cast(pl.Float64)), label=pl.coalesce(pl.col("grade"), pl.col("stars").cast(pl.String) + "星"))
    if scored.height:
        chart = alt.Chart(scored.to_pandas()).mark_line(point=True).encode(
            x=alt.X("cycle:O", title="年度", sort="ascending"), y=alt.Y("value:Q", title="总分（或星级）"),
            tooltip=[alt.Tooltip("cycle:O", title="年度"), alt.Tooltip("value:Q", title="总分/星级", format=".1f"),
                     alt.Tooltip("label:N", title="等次")])
        show(chart.properties(height=220))
    table_view(shown, "历年积分", "mf_history")

    st.subheader("计分说明")
    computed = history.filter(pl.col("source") == "台账计算")["cycle"].to_list()
    if computed:
        cycle = st.selectbox("年度", computed, format_func=lambda c: f"{c}年度", key="mf_cycle")
        lines = member_file.explanation(store, member, cycle, now)
        st.dataframe(pl.DataFrame({"序号": list(range(1, len(lines) + 1)), "说明": lines}),
                     hide_index=True, width="stretch")

st.subheader("记录时间线")
page, total = member_file.timeline(store, member_id, page_offset("mf_page", PAGE_SIZE), PAGE_SIZE)
shown = page.rename({"date": "日期", "kind": "类型", "what": "事项", "detail": "分值/结果", "status": "状态", "note": "备注"})
st.dataframe(shown, hide_index=True, width="stretch", column_config=number_columns(shown))
pager("mf_page", total, PAGE_SIZE)
