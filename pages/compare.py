"""支部对比: a sortable table per branch, a box plot of totals, and a ranking; selecting a
row drills every dashboard down to that branch."""

import altair as alt
import polars as pl
import streamlit as st

from ui.charts import bars, download, number_columns, show, table_view
from ui.filters import cached, drill_to, filter_bar
from ui.session import guard

COLUMNS = {"name": "支部", "base": "党员数", "average": "平均分", "median": "中位数", "participation": "参与率（%）",
           "attendance": "出勤率（%）", "per_member": "人均录入条数", "entries": "录入条数", "days_since": "距上次录入（天）"}

user, scope, store = guard("compare")
st.title("支部对比")
flt = filter_bar(user, scope)
table = cached("core.metrics.compare:branch_table", scope, flt)
grade_cols = [c for c in table.columns if c.startswith("grade:")]
shown = table.select(["branch"] + list(COLUMNS) + grade_cols).rename(
    {**COLUMNS, **{c: f"{c[6:]}占比（%）" for c in grade_cols}})
st.caption(f"共 {table.height} 个支部。点击列名排序；选中一行可查看该支部。")


def _drill() -> None:
    rows = st.session_state["compare_table"].selection.rows
    if rows:
        drill_to(shown["branch"][rows[0]])


st.dataframe(shown.drop("branch"), hide_index=True, width="stretch", on_select=_drill,
             selection_mode="single-row", key="compare_table", column_config=number_columns(shown))
download(shown, "支部对比", "compare_table")

box = cached("core.metrics.compare:box_by_filter", scope, flt)
if box.is_empty():
    st.info("所选周期暂无总分")
    st.stop()
names = dict(table.select("branch", "name").iter_rows())
box = box.with_columns(name=pl.col("branch").replace_strict(names, default=pl.col("branch")))
order = box.sort("median", descending=True)["name"].to_list()
st.subheader(f"总分分布（{flt.cycle}年度）")
base = alt.Chart(box.to_pandas()).encode(y=alt.Y("name:N", sort=order, title="支部"))
chart = (base.mark_rule().encode(x=alt.X("min:Q", title="总分"), x2="max:Q")
         + base.mark_bar(size=12).encode(x="q1:Q", x2="q3:Q", tooltip=[
             alt.Tooltip("name:N", title="支部"), alt.Tooltip("min:Q", title="最低", format=".1f"),
             alt.Tooltip("q1:Q", title="下四分位", format=".1f"), alt.Tooltip("median:Q", title="中位数", format=".1f"),
             alt.Tooltip("q3:Q", title="上四分位", format=".1f"), alt.Tooltip("max:Q", title="最高", format=".1f")])
         + base.mark_tick(color="white", thickness=2, size=12).encode(x="median:Q")).properties(height=max(160, 20 * box.height))
show(chart)
table_view(box.select("name", "min", "q1", "median", "q3", "max").rename(
    {"name": "支部", "min": "最低", "q1": "下四分位", "median": "中位数", "q3": "上四分位", "max": "最高"}), "总分分布", "compare_box")

st.subheader("平均分排名")
ranking = table.filter(pl.col("average").is_not_null()).select("name", "average").sort("average", descending=True)
show(bars(ranking, "average", "name", sort=ranking["name"].to_list(), x_title="平均分", y_title="支部"))
table_view(ranking.rename({"name": "支部", "average": "平均分"}), "平均分排名", "compare_rank")
