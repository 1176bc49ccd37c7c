"""成员档案: one member's timeline, totals per cycle, grade history and the explanation."""

import altair as alt
import polars as pl
import streamlit as st

from core import members
from core.auth.scope import ScopeError
from core.metrics import member_file
from ui.charts import show, table, table_view
from ui.export_files import card_button
from ui.filters import today
from ui.session import guard
from ui.widgets import md, page_offset, pager, reset_page

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
                         on_change=reset_page("mf_page"), placeholder="请选择…")
if member_id is None:
    st.stop()
try:
    member = member_file.profile(store, scope, member_id)
except ScopeError as exc:
    st.error(md(exc))
    st.stop()

now = today()
# Names and branches are too long for st.metric at 1024 px (cut to "双河非公企…"): plain text.
status = {"active": "在册", "exempt": "免于评星", "transferred": "已转出"}.get(member["status"], "—")
st.subheader(md(member["name"]))
facts = [f"所在支部：{member['branch_name']}", f"类别：{member['category'] or '—'}",
         "状态：" + status + ("（预备党员）" if member["probationary"] else "")]
if member["department"]:
    facts.append(f"在职党员，派出单位：{member['department']}")
st.caption(md(" · ".join(facts)))

st.subheader("历年积分与等次")
history = member_file.per_cycle(store, member, now)
if history.is_empty():
    st.info("暂无积分结果")
else:
    shown = history.select(label="label", total="total", grade="grade", stars="stars", rank="rank", source="source").rename(
        {"label": "年度", "total": "总分", "grade": "等次", "stars": "星级", "rank": "支部内排名", "source": "来源"})
    table(shown)
    scored = history.filter(pl.col("total").is_not_null() | pl.col("stars").is_not_null()).with_columns(
        value=pl.coalesce(pl.col("total"), pl.col("stars").cast(pl.Float64)),
        grade_label=pl.coalesce(pl.col("grade"), pl.col("stars").cast(pl.String) + "星", pl.lit("—")))
    if scored.height:
        scored = scored.sort("cycle").with_columns(short=pl.col("label").str.split("（").list.first())
        chart = alt.Chart(scored.rename({"label": "name"}).to_pandas()).mark_line(point=True).encode(
            x=alt.X("short:O", title="年度", sort=scored["short"].to_list(), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("value:Q", title="总分（或星级）"),
            tooltip=[alt.Tooltip("name:N", title="年度"), alt.Tooltip("value:Q", title="总分/星级", format=".1f"),
                     alt.Tooltip("grade_label:N", title="等次")])
        show(chart.properties(height=220))
    table_view(shown, "历年积分", "mf_history")

    st.subheader("计分说明")
    computed = history.filter(pl.col("source") == "台账计算")["cycle"].to_list()
    if computed:
        names = dict(history.select("cycle", "label").iter_rows())
        cycle = st.selectbox("年度", computed, format_func=names.get, key="mf_cycle", placeholder="请选择…")
        lines = member_file.explanation(store, member, cycle, now) if cycle is not None else []
        table(pl.DataFrame({"序号": list(range(1, len(lines) + 1)), "说明": lines}, schema={"序号": pl.Int64, "说明": pl.String}))
        if cycle is not None:
            card_button(scope, member["branch"], cycle, member["id"], key="mf_card")

st.subheader("记录时间线")
page, total = member_file.timeline(store, member, page_offset("mf_page", PAGE_SIZE), PAGE_SIZE, now)
shown = page.rename({"date": "日期", "kind": "类型", "what": "事项", "detail": "分值/结果", "status": "状态", "note": "备注"})
table(shown)
pager("mf_page", total, PAGE_SIZE)
