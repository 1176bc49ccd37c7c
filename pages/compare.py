"""支部对比: a sortable table per branch, a box plot of totals, and a ranking; selecting a
row drills every dashboard down to that branch."""

import altair as alt
import polars as pl
import streamlit as st

from core.metrics.compare import COLUMN_HELPS, column_labels
from core.metrics.filters import cycle_name, cycle_starts, period_label
from ui.charts import ROW, bars, download, show, table, table_view
from ui.export_files import report_button
from ui.filters import cached, drill_to, filter_bar
from ui.session import guard

user, scope, store = guard("compare")
st.title("支部对比")
flt = filter_bar(user, scope)
starts = cycle_starts(store, scope, flt)
period, cycle = period_label(flt.period), cycle_name(starts, flt.cycle, dates=False)
# Activity columns count the chosen period, score columns the chosen cycle: each header says
# which, and its help says what it is a share of.
COLUMNS = column_labels(period, cycle)
table_data = cached("core.metrics.compare:branch_table", scope, flt)
grade_cols = [c for c in table_data.columns if c.startswith("grade:")]
labels = COLUMNS | {g: f"{g[6:]}占比（%，{cycle}）" for g in grade_cols}
helps = {COLUMNS[c]: help for c, help in COLUMN_HELPS.items()} | {
    labels[g]: f"{g[6:]}人数 ÷ 参评人数；所用方案没有这一等次的支部显示“—”" for g in grade_cols}
shown = table_data.select(["branch"] + list(COLUMNS) + grade_cols).rename(labels)
st.caption(f"共 {table_data.height} 个支部。参与、出勤、录入按统计期间，参评人数、平均分、中位数和等次占比按积分周期，"
           "各列名注明所属期间；表格可左右滚动。点击列名排序；选中一行可查看该支部。")


def _drill() -> None:
    rows = st.session_state["compare_table"].selection.rows
    if rows:
        drill_to(shown["branch"][rows[0]])


table(shown.drop("branch"), helps=helps, pinned=["支部"], on_select=_drill, selection_mode="single-row",
      key="compare_table")
download(shown.rename({"branch": "编码"}), "支部对比", "compare_table")
report_button(scope, flt, key="compare_report")

box = cached("core.metrics.compare:box_by_filter", scope, flt)
if box.is_empty():
    st.info("所选周期暂无总分")
    st.stop()
names = dict(table_data.select("branch", "name").iter_rows())
box = box.with_columns(name=pl.col("branch").replace_strict(names, default=pl.col("branch")))
order = box.sort("median", descending=True)["name"].to_list()
st.subheader(f"总分分布（{cycle}）")
base = alt.Chart(box.to_pandas()).encode(y=alt.Y("name:N", sort=order, title="支部"))
chart = (base.mark_rule().encode(x=alt.X("min:Q", title="总分"), x2="max:Q")
         + base.mark_bar(size=12).encode(x="q1:Q", x2="q3:Q", tooltip=[
             alt.Tooltip("name:N", title="支部"), alt.Tooltip("min:Q", title="最低", format=".1f"),
             alt.Tooltip("q1:Q", title="下四分位", format=".1f"), alt.Tooltip("median:Q", title="中位数", format=".1f"),
             alt.Tooltip("q3:Q", title="上四分位", format=".1f"), alt.Tooltip("max:Q", title="最高", format=".1f")])
         + base.mark_tick(color="white", thickness=2, size=12).encode(x="median:Q")).properties(height=alt.Step(ROW))
show(chart)
table_view(box.select("name", "min", "q1", "median", "q3", "max").rename(
    {"name": "支部", "min": "最低", "q1": "下四分位", "median": "中位数", "q3": "上四分位", "max": "最高"}), "总分分布", "compare_box")

st.subheader(f"平均分排名（{cycle}）")
ranking = table_data.filter(pl.col("average").is_not_null()).select("name", "average").sort("average", descending=True)
show(bars(ranking, "average", "name", sort=ranking["name"].to_list(), x_title="平均分", y_title="支部"))
table_view(ranking.rename({"name": "支部", "average": "平均分"}), "平均分排名", "compare_rank")
