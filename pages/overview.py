"""总览: KPIs for the scope and the alert list, each alert linking to the view that explains it."""

import altair as alt
import polars as pl
import streamlit as st

from core import orgs
from core.attention import Link, alert_link
from core.metrics.alerts import RULE_NAMES, visit_list
from core.metrics.filters import cycle_name, cycle_starts, month_key, period_label, quarter_key
from core.services.review_chain import waiting_list
from ui.charts import ROW, bars, show, table, table_view
from ui.filters import cached, filter_bar
from ui.links import page_link
from ui.session import guard
from ui.widgets import md

user, scope, store = guard("overview")
st.title("总览")
flt = filter_bar(user, scope)
k = cached("core.metrics.overview:kpis", scope, flt)

# Two rows of three, so no label or value is cut short at 1024 px; each says its period.
starts = cycle_starts(store, scope, flt)
month, quarter, last = (period_label(p) for p in (month_key(flt.today), quarter_key(flt.today), k["last_quarter"]))


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


row = st.columns(3)
row[0].metric("在册党员", f"{k['members']['active'] + k['members']['exempt']}",
              help=f"其中免于评星 {k['members']['exempt']} 人")
row[1].metric(f"参与率 · {month}", percent(k["participation_month"]), help="本月")
now, before = k["participation_quarter"], k["participation_last_quarter"]
row[2].metric(f"参与率 · {quarter}", percent(now),
              delta=None if now is None or before is None else f"{now - before:+.1f} 个百分点",
              help=f"本季度；与上季度（{last}：{percent(before)}）相比")
row = st.columns(3)
row[0].metric(f"出勤率 · {period_label(flt.period)}", percent(k["attendance"]), help="统计期间")
row[1].metric(f"已公示 · {quarter}", f"{k['published']['published']}/{k['published']['branches']}",
              help="本季度已发起公示的支部 / 支部总数")
row[2].metric(f"平均分 · {cycle_name(starts, flt.cycle, dates=False)}",
              "—" if k["average"] is None else f"{k['average']:.1f}", help=cycle_name(starts, flt.cycle))
st.caption("参与率：有已审核积分记录或出席活动的党员 ÷ 在册且未免评的党员。出勤率：三会一课、主题党日、支委会的出席人次 ÷ 应到人次。")

alerts = cached("core.metrics.alerts:all_alerts", scope, flt)
visits = visit_list(alerts)
order = list(RULE_NAMES)
names = orgs.labels(store, sorted({a.branch for a in alerts}))  # unique even when two branches share a name
if visits:
    st.subheader("本月建议走访的支部")
    # Each reason links to the page, branch and period that explain it (core.attention).
    for i, visit in enumerate(visits):
        st.markdown(f"**{i + 1}. {md(names.get(visit.branch, visit.name))}**")
        for j, alert in enumerate(sorted((a for a in alerts if a.branch == visit.branch),
                                         key=lambda a: order.index(a.rule))):
            left, right = st.columns([5, 1])
            left.text(f"· {alert.rule_name}：{alert.message}")
            with right:
                page_link(alert_link(alert, flt.cycle), "查看", icon=":material/arrow_forward:")

st.subheader("预警")
if not alerts:
    st.success("当前范围内没有预警")
rules = sorted({a.rule for a in alerts}, key=order.index)
for tab, rule in zip(st.tabs([f"{RULE_NAMES[r]}（{sum(a.rule == r for a in alerts)}）" for r in rules]) if rules else [], rules):
    with tab:
        for alert in (a for a in alerts if a.rule == rule):
            left, right = st.columns([5, 1])
            left.markdown(f"**{md(names.get(alert.branch, alert.name))}**：{md(alert.message)}")
            with right:
                page_link(alert_link(alert, flt.cycle), "查看支部", icon=":material/arrow_forward:")

st.subheader(f"参与率未达目标（{period_label(flt.period)}）")
below = cached("core.targets:below_target", scope, flt)  # core.targets: the nearest organisation's target
if below.is_empty():
    st.caption("所选范围内各支部的参与率均达到目标（未设置目标的对象类别不计）。")
else:
    shown = orgs.labels(store, below["branch"].to_list())
    table(below.select(支部=pl.col("branch").replace_strict(shown, default=pl.col("name")), 对象类别="kind_name",
                       **{"参与（人）": "participants", "应参与（人）": "base", "参与率（%）": "rate", "目标（%）": "target"}))
page_link(Link("monthly"), "月报与参与率目标", icon=":material/arrow_forward:")

st.subheader("待审核与催办")
waiting = waiting_list(store, scope, flt.today)  # per branch: the step it waits at, for whom, since when
table(pl.DataFrame([{k: v for k, v in w.items() if k in ("支部", "期间", "等待步骤", "等待谁", "等待天数")}
                    for w in waiting]), empty="没有等待上级审核或催办的事项")

st.subheader(f"等次分布与比例限制（{cycle_name(starts, flt.cycle, dates=False)}）")
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
            chart += alt.Chart(capped.to_pandas()).mark_tick(color="#d62728", thickness=3, size=ROW - 6).encode(
                x="quota:Q", y=alt.Y("level:N", sort=order),
                tooltip=[alt.Tooltip("level:N", title="等次"), alt.Tooltip("quota:Q", title="比例上限（%）")])
        show(chart)
    st.caption("红色竖线为方案规定的比例上限（如优秀不超过20%）。")
    table_view(grades.rename({"scheme": "积分方案", "level": "等次", "count": "人数", "share": "占比（%）",
                              "quota": "比例上限（%）"}), "等次分布", "overview_grades")
