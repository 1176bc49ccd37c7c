"""总览: KPIs for the scope and the alert list, each alert linking to its branch."""

import altair as alt
import polars as pl
import streamlit as st

from core.metrics.alerts import RULE_NAMES, visit_list
from core.metrics.filters import period_label
from ui.charts import bars, show, table_view
from ui.filters import cached, drill_to, filter_bar
from ui.session import guard
from ui.widgets import md

user, scope, store = guard("overview")
st.title("总览")
flt = filter_bar(user, scope)
k = cached("core.metrics.overview:kpis", scope, flt)

cols = st.columns(6)
cols[0].metric("在册党员", f"{k['members']['active'] + k['members']['exempt']}",
               help=f"其中免于评星 {k['members']['exempt']} 人")
for col, label, value in ((cols[1], "本月参与率", k["participation_month"]),
                          (cols[3], f"出勤率（{period_label(flt.period)}）", k["attendance"])):
    col.metric(label, "—" if value is None else f"{value:.1f}%")
now, before = k["participation_quarter"], k["participation_last_quarter"]
cols[2].metric("本季度参与率", "—" if now is None else f"{now:.1f}%",
               delta=None if now is None or before is None else f"{now - before:+.1f} 个百分点",
               help=f"上季度（{period_label(k['last_quarter'])}）："
                    + ("—" if before is None else f"{before:.1f}%"))
if before is not None:
    cols[2].caption(f"上季度 {before:.1f}%")
cols[4].metric("本季度已公示支部", f"{k['published']['published']}/{k['published']['branches']}")
cols[5].metric(f"平均分（{flt.cycle}年度）", "—" if k["average"] is None else f"{k['average']:.1f}")
st.caption("参与率：有已审核积分记录或出席活动的党员 ÷ 在册且未免评的党员。出勤率：三会一课、主题党日、支委会的出席人次 ÷ 应到人次。")

alerts = cached("core.metrics.alerts:all_alerts", scope, flt)
visits = visit_list(alerts)
if visits:
    st.subheader("本月建议走访的支部")
    for i, visit in enumerate(visits):
        left, right = st.columns([5, 1])
        left.markdown(f"**{i + 1}. {md(visit.name)}**")
        for reason in visit.reasons:
            left.text(f"· {reason}")
        if right.button("查看支部", key=f"visit_{i}", icon=":material/arrow_forward:",
                        on_click=drill_to, args=(visit.branch,)):
            st.switch_page("pages/compare.py")

st.subheader("预警")
if not alerts:
    st.success("当前范围内没有预警")
rules = sorted({a.rule for a in alerts}, key=list(RULE_NAMES).index)
for tab, rule in zip(st.tabs([f"{RULE_NAMES[r]}（{sum(a.rule == r for a in alerts)}）" for r in rules]) if rules else [], rules):
    with tab:
        for i, alert in enumerate(a for a in alerts if a.rule == rule):
            left, right = st.columns([5, 1])
            left.markdown(f"**{md(alert.name)}**：{md(alert.message)}")
            if right.button("查看支部", key=f"alert_{rule}_{i}", icon=":material/arrow_forward:",
                            on_click=drill_to, args=(alert.branch,)):
                st.switch_page("pages/compare.py")

st.subheader(f"等次分布与比例限制（{flt.cycle}年度）")
grades = k["grades"]
if grades.is_empty():
    st.info("所选范围和周期暂无积分结果")
else:
    for scheme, part in grades.group_by("scheme", maintain_order=True):
        st.markdown(f"**{md(scheme[0])}**")
        order = part["level"].to_list()
        chart = bars(part, "share", "level", sort=order, x_title="占比（%）", y_title="等次")
        capped = part.filter(pl.col("quota").is_not_null())
        if not capped.is_empty():  # the scheme's quota, drawn where the bar must stay below it
            chart += alt.Chart(capped.to_pandas()).mark_tick(color="#d62728", thickness=3, size=26).encode(
                x="quota:Q", y=alt.Y("level:N", sort=order),
                tooltip=[alt.Tooltip("level:N", title="等次"), alt.Tooltip("quota:Q", title="比例上限（%）")])
        show(chart)
    st.caption("红色竖线为方案规定的比例上限（如优秀不超过20%）。")
    table_view(grades.rename({"scheme": "积分方案", "level": "等次", "count": "人数", "share": "占比（%）",
                              "quota": "比例上限（%）"}), "等次分布", "overview_grades")
