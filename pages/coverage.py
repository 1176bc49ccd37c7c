"""覆盖情况: branch × month progress (录入 → 审核 → 公示 → 归档), the share of branches and
villages running a scheme against the township's target, and 在职党员 report-in."""

import altair as alt
import polars as pl
import streamlit as st

from core.auth import can
from core.metrics.coverage import COMMUNITY_ACTIVITIES_MIN, REPORT_RATE_TARGET, STAGES, set_coverage_target
from core.metrics.filters import period_label
from ui.charts import ROW, bars, show, table, table_view
from ui.filters import cached, filter_bar
from ui.session import guard
from ui.widgets import md

COLOURS = ["#eeeeee", "#c6dbef", "#6baed6", "#fd8d3c", "#31a354"]

user, scope, store = guard("coverage")
st.title("覆盖情况")
flt = filter_bar(user, scope, cycle=False, category=False)

year = flt.period[:4]
st.subheader(f"{year}年各月进度")
matrix = cached("core.metrics.coverage:month_matrix", scope, flt)
if matrix.is_empty():
    st.info("所选范围内没有支部")
else:
    shown = matrix.with_columns(状态=pl.col("stage").map_elements(STAGES.__getitem__, return_dtype=pl.String),
                                月份=pl.col("month").dt.strftime("%Y-%m"), 月=pl.col("month").dt.month().cast(pl.String) + "月")
    order = shown["name"].unique(maintain_order=True).to_list()  # branches in the tree's order
    months = shown.sort("month")["月"].unique(maintain_order=True).to_list()  # 1月..12月, not "10月" before "2月"
    chart = alt.Chart(shown.to_pandas()).mark_rect(stroke="white").encode(
        x=alt.X("月:O", title=f"{year}年", sort=months, axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("name:N", title=None, sort=order),
        color=alt.Color("状态:N", scale=alt.Scale(domain=STAGES, range=COLOURS), sort=STAGES, title="进度",
                        legend=alt.Legend(orient="bottom", direction="horizontal")),
        tooltip=[alt.Tooltip("name:N", title="支部"), alt.Tooltip("月份:O", title="月份"), alt.Tooltip("状态:N", title="进度"),
                 alt.Tooltip("entries:Q", title="录入条数"), alt.Tooltip("pending:Q", title="待审核")])
    show(chart.properties(height=alt.Step(ROW)))
    st.caption("已录入：当月有积分记录；已审核：当月记录全部审核完毕；已公示／已归档：当月所在期间已发起公示／已归档。")
    wide = shown.pivot(on="月份", index="name", values="状态", aggregate_function="first").rename({"name": "支部"})
    table_view(wide, "各月进度", "coverage_matrix")

st.subheader(f"积分制覆盖率（{period_label(flt.period)}）")
running = cached("core.metrics.coverage:scheme_running", scope, flt)
shown = running.select(name="name", branches="branches", running="running", share="share", villages="villages",
                       villages_running="villages_running", village_share="village_share", target="target").rename(
    {"name": "乡镇（街道）", "branches": "支部数", "running": "运行积分制", "share": "覆盖率（%）", "villages": "村数",
     "villages_running": "运行积分制的村", "village_share": "村覆盖率（%）", "target": "目标（%）"})
table(shown)
st.caption("运行积分制：有在用的积分方案，且本期有积分、评分或组织生活记录。")
below = running.filter(pl.col("share") < pl.col("target"))
if below.height:
    st.warning("未达目标：" + "、".join(f"{md(r['name'])}（{r['share']:.1f}% < {r['target']:.1f}%）" for r in below.iter_rows(named=True)))
if can(user.role, "assign_scheme") and running.height:
    with st.form("coverage_target"):
        towns = dict(running.select("township", "name").iter_rows())
        c1, c2 = st.columns(2)
        town = c1.selectbox("乡镇（街道）", list(towns), format_func=towns.get, placeholder="请选择…")
        target = c2.number_input("目标覆盖率（%）", min_value=0.0, max_value=100.0, value=90.0, step=5.0)
        if st.form_submit_button("保存目标"):
            if town is None:
                st.error("请选择乡镇（街道）")
                st.stop()
            set_coverage_target(store, user, town, target)
            st.success(f"已将{md(towns[town])}的目标覆盖率设为 {target:.1f}%")
            st.rerun()

st.subheader(f"在职党员到社区报到（{year}年）")
by = st.radio("统计口径", ["department", "community"], horizontal=True, key="cov_report_by",
              format_func={"department": "按派出单位", "community": "按报到社区"}.get)
report = cached("core.metrics.coverage:report_in", scope, flt, by)
if report.is_empty():
    st.info("所选范围内没有派出在职党员的机关党支部" if by == "department" else "所选范围内没有社区党支部")
elif by == "department":
    show(bars(report, "rate", "department", sort=report.sort(["rate", "department"], descending=[True, False])["department"].to_list(),
              x_title="报到率（%）", y_title="派出单位")
         + alt.Chart(pl.DataFrame({"x": [REPORT_RATE_TARGET]}).to_pandas()).mark_rule(color="red").encode(x="x:Q"))
    st.caption(f"报到率 = 本年度已到社区报到（未撤销）的党员 ÷ 该机关党支部的正常党员；红线为要求（不低于 {REPORT_RATE_TARGET:.0f}%）。"
               "5月10日以后报到的计入已报到，另列为逾期。")
    below = report.filter(~pl.col("meets"))
    if below.height:
        st.warning("报到率未达到90%：" + "、".join(f"{md(r['department'])}（{r['rate'] or 0:.1f}%）" for r in below.iter_rows(named=True)))
    table_view(report.select(派出单位="department", 正常党员="members", 已报到="reported", 按时报到="on_time", 逾期报到="late",
                             **{"报到率（%）": "rate"}, 是否达标=pl.when(pl.col("meets")).then(pl.lit("达标")).otherwise(pl.lit("未达标"))),
               "在职党员报到率", "coverage_report", expanded=True)
else:
    table(report.select(社区="community", 已报到="registered", 按时报到="on_time", 逾期报到="late", 社区报到活动="activities",
                        **{f"参加活动≥{COMMUNITY_ACTIVITIES_MIN}次": "met_min"}))
    st.caption(f"每名报到党员每年参加社区活动不少于 {COMMUNITY_ACTIVITIES_MIN} 次；详细名单见「社区报到」页面。")
