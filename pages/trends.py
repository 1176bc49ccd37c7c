"""趋势: points entered and participation per month, and the average total at each quarter
end of the cycle, for the whole selection or per branch."""

import polars as pl
import streamlit as st

from core import orgs
from core.metrics.filters import cycle_name, cycle_starts, period_label
from ui.charts import YEAR_MONTH, lines, show, table_view
from ui.filters import cached, filter_bar
from ui.session import guard

user, scope, store = guard("trends")
st.title("趋势")
flt = filter_bar(user, scope)
by_branch = st.toggle("按支部分别显示", key="trend_by_branch", value=False)
colour = "name" if by_branch else None
year = flt.period[:4]

st.subheader(f"每月积分（{period_label(year)}）")
points = cached("core.metrics.trends:monthly_points", scope, flt, by_branch)
if points.is_empty():
    st.info("所选范围暂无积分记录")
else:
    show(lines(points, "month", "points", color=colour, x_title="月份", y_title="净积分", color_title="支部"))
    table_view(points.rename({"month": "月份", "entries": "录入条数", "points": "净积分"}
                              | ({"name": "支部", "branch": "编码"} if by_branch else {})),
               "每月积分", "trend_points")

st.subheader(f"每月参与率（{period_label(year)}）")
part = cached("core.metrics.trends:monthly_participation", scope, flt, by_branch)
if not part.is_empty():
    show(lines(part, "month", "rate", color=colour, x_title="月份", y_title="参与率（%）", color_title="支部"))
    table_view(part.rename({"month": "月份", "base": "党员数", "participants": "参与人数", "rate": "参与率（%）"}
                           | ({"name": "支部", "branch": "编码"} if by_branch else {})), "每月参与率", "trend_part")

starts = cycle_starts(store, scope, flt)
st.subheader(f"季度末平均分（{cycle_name(starts, flt.cycle, dates=False)}，逐季累计）")
st.caption(f"积分周期：{cycle_name(starts, flt.cycle)}。每个季度末计算截至该季度的累计得分，取平均；"
           "以后的季度不计入，尚未到评定时间的项目（如年终评议）也不计入，所以评议之后的季度会明显升高。")
quarters = cached("core.metrics.trends:quarterly_average", scope, flt, by_branch)
if quarters is None:
    st.info("范围较大，请先选择一个乡镇（街道）再查看季度平均分")
elif quarters.is_empty():
    st.info("暂无总分")
else:
    if by_branch:
        names = orgs.names(store, quarters["branch"].unique().to_list())
        quarters = quarters.with_columns(name=pl.col("branch").replace_strict(names, default=pl.col("branch")))
    show(lines(quarters, "quarter_end", "average", color=colour, x_title="季度末", y_title="平均分", color_title="支部",
               x_format=YEAR_MONTH))
    table_view(quarters.rename({"quarter_end": "季度末", "average": "平均分"} | ({"name": "支部", "branch": "编码"} if by_branch else {})),
               "季度平均分", "trend_quarters")
