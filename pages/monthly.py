"""月报与目标: a township's month for the county (每月上报1次信息动态), exportable to Excel,
and the participation targets per subject kind (参与率目标) that 总览 and the 月报 compare with."""

import datetime as dt

import polars as pl
import streamlit as st

from core import orgs
from core.auth import can
from core.cycles import month_start
from core.metrics.monthly_report import file_name, month_label, monthly_report, workbook
from core.services.entry_rules import EntryError
from core.targets import KIND_NAMES, set_target, targets_set
from ui.charts import table
from ui.filters import today
from ui.session import guard
from ui.widgets import md

user, scope, store = guard("monthly")
st.title("月报与目标")
now = today()

# --- 月报 -------------------------------------------------------------------------------
st.subheader("月报")
st.caption("每月上报1次信息动态：各支部当月录入与审核、参与率与目标、活动、公示、异议、积分兑换和义工服务时长。")
towns = orgs.in_use(store, scope, levels=("township",)) or orgs.in_use(store, scope, levels=("branch",))
months = []
first = month_start(now)
for _ in range(12):  # the last complete month first (the one to report), then this month and earlier ones
    first = month_start(first - dt.timedelta(days=1))
    months.append(first)
months.insert(1, month_start(now))
if not towns:
    st.info("您的管辖范围内没有乡镇（街道）或支部")
    st.stop()
left, right = st.columns([2, 1])
org = left.selectbox("乡镇（街道）", list(towns), format_func=towns.get, key="monthly_org")
month = right.selectbox("月份", months, format_func=month_label, key="monthly_month")
report = monthly_report(store, scope, org, month, now)
if report.height <= 1:
    st.info("所选范围内没有支部")
else:
    table(report, pinned=["支部"])
    # the frame on screen is the file: the report is not run again for the download
    st.download_button("导出 Excel", data=lambda: workbook(report),
                       file_name=file_name(store, org, month),
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    st.caption("参与率：当月有已审核积分记录或出席活动的对象 ÷ 在册且未免评的对象（按类别）；目标由乡镇或支部设置，"
               "就近适用。逾期异议：截至月末已过办理期限仍未办结。")

# --- 参与率目标 ---------------------------------------------------------------------------
st.subheader("参与率目标")
targets = targets_set(store, scope)
shown = orgs.labels(store, targets["org"].to_list())
table(targets.select(组织=pl.col("org").replace_strict(shown, default=pl.col("name")),
                     对象类别=pl.col("kind").replace_strict(KIND_NAMES, default="其他"),
                     **{"目标参与率（%）": "percent"}), empty="尚未设置参与率目标")
st.caption("目标按组织和对象类别设置，支部适用离它最近的上级（或本支部）的目标：如全镇党员 100%、户 50%，示范村户 70%。")
if can(user.role, "set_targets"):
    places = orgs.in_use(store, scope, levels=("county", "township", "branch"))
    with st.form("monthly_target"):
        c1, c2, c3 = st.columns([2, 1, 1])
        place = c1.selectbox("组织", list(places), format_func=places.get)
        kind = c2.selectbox("对象类别", list(KIND_NAMES), format_func=KIND_NAMES.get)
        percent = c3.number_input("目标参与率（%）", min_value=0.0, max_value=100.0, value=100.0, step=5.0)
        save, clear = st.columns(2)
        saved, cleared = save.form_submit_button("保存目标"), clear.form_submit_button("取消该目标")
    if saved or cleared:
        try:
            set_target(store, user, place, kind, None if cleared else percent)
        except EntryError as exc:
            st.error(str(exc))
        else:  # said after the rerun, so the table above shows the new target
            what = "已取消" if cleared else f"已设为 {percent:.1f}%"
            st.session_state["monthly_saved"] = f"{md(places[place])}的{KIND_NAMES[kind]}参与率目标{what}"
            st.rerun()
    if "monthly_saved" in st.session_state:
        st.success(st.session_state.pop("monthly_saved"))
