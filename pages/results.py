"""积分结果: the engine's results for a branch and period, and any member's explanation."""

import datetime as dt

import streamlit as st

from core.scheme_assignments import NoSchemeError
from core.services.results import (
    display_rows, explain_lines, result_rows, scheme_version_text, view_results, warning_lines,
)
from ui.entry_widgets import pick_member
from ui.export_files import ledger_button
from core.services.village import SUBJECT_NAMES, honour_counts, honours
from ui.period_widgets import pick_track_period
from ui.village_files import village_buttons
from ui.session import guard
from ui.widgets import md

user, scope, store = guard("results")
st.title("积分结果")
today = dt.date.today()
branch, track, cycle, period = pick_track_period(store, scope, "res", today, start="current")
try:
    results = view_results(store, scope, branch, cycle, period, today, track)
except (NoSchemeError, ValueError) as exc:
    st.warning(md(exc))
    st.stop()

output = results.output
# A running period counts what is approved so far: say "as of today", not the period's end.
state = ("已归档，显示归档时冻结的结果" if results.frozen
         else f"实时计算，计入截至 {min(results.through, dt.date.today()):%Y-%m-%d} 已审核通过的记录")
st.caption(md(f"{results.label} · 积分方案：{scheme_version_text(output)} · {state}"))
if period == "cycle" and not results.frozen and results.through > today:
    # A running cycle's annual result counts every later quarter at its base and every
    # appraisal not yet held as missing: say so, so nobody reads it as the year's grade.
    st.warning(f"本积分周期到 {results.through:%Y-%m-%d} 才结束，全年等次届时评定。现在的“全年”结果按全年规则试算："
               "尚未开始的季度按基础分、尚未进行的评议按缺评计算，仅供参考；请看本期（季度、月份）结果。")

rows = result_rows(output)
score_column = "总分" if output.get("period", "cycle") == "cycle" else "截至本期得分"
scored = [r[score_column] for r in rows if r.get(score_column) is not None]
cols = st.columns(3)
cols[0].metric("参评户数" if track == "village" else "参评人数", sum(1 for r in rows if r["标记"] != "免于评星"))
if scored:
    cols[1].metric("平均分" if score_column == "总分" else "截至本期平均分", f"{sum(scored) / len(scored):.1f}")
    cols[2].metric("最高分" if score_column == "总分" else "截至本期最高分", f"{max(scored):.1f}")
if output.get("period", "cycle") != "cycle" and not output.get("graded"):
    st.info(f"{results.label}：只公布本期各项得分和截至本期的累计得分，等次、名额和年度标记在全年评定；"
            "尚未到评定时间的项目显示“未评”，不按 0 分计。")
st.dataframe(display_rows(rows), hide_index=True, width="stretch")
if track == "party":
    ledger_button(scope, branch, cycle, key="res_ledger")
else:
    village_buttons(scope, branch, cycle, period, track, today)

if period == "cycle" and any(honour_counts(results.scheme)):
    # 每年年终按当年积分排名（不按累计积分）：表彰和反面教育两个名单，同一户不会同时在两个名单上
    awards, education = honour_counts(results.scheme)
    lists = honours(results)
    st.subheader("年终表彰与反面教育名单")
    st.caption(f"按本周期（当年）积分排名，不按累计积分；表彰前 {awards} 名（积分须大于 0），"
               f"未获表彰的末尾 {education} 名列入反面教育名单；最后一个名次并列的全部列入。")
    left, right = st.columns(2)
    for col, flag, title in ((left, "award", "年终表彰"), (right, "education", "反面教育")):
        col.markdown(f"**{title}（{len(lists[flag])}）**")
        if lists[flag]:
            col.dataframe(display_rows([{k: v for k, v in r.items() if k != "编号"} for r in lists[flag]]),
                          hide_index=True, width="stretch")
        else:
            col.caption("无")

warnings = warning_lines(output)
if warnings:
    with st.expander(f"提示（{len(warnings)} 条）", expanded=False):
        for line in warnings:
            st.text(line)

st.subheader("计分说明")
# searched by name or pinyin initials like 积分录入 (ui.entry_widgets.pick_member)
who = "农户" if track == "village" else SUBJECT_NAMES.get(track, "党员")
subject, _ = pick_member(store, scope, "res_subject", branch_code=branch, label=who,
                         among={r["编号"]: f"{r['姓名']}（{r['编号']}）" for r in rows},
                         placeholder=f"选择{who}查看逐项说明")
if subject:
    st.caption(md(f"按「{scheme_version_text(output)}」计算"))
    st.dataframe([{"序号": i, "说明": line} for i, line in enumerate(explain_lines(output, subject), start=1)],
                 hide_index=True, width="stretch")
