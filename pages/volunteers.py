"""志愿服务: a volunteer work station's service log, stars, training and 月报 (core.volunteers)."""

import datetime as dt

import polars as pl
import streamlit as st

from core.auth import can
from core.cycles import cycle_bounds, cycle_label, cycle_of, month_end, month_start
from core.decimals import fmt, to_decimal
from core.io.pdf import font_problem
from core.scheme_assignments import NoSchemeError, scheme_for
from core.services import ledger
from core.services.entry_rules import EntryError
from core.volunteers import FORMS, SERVICE_TYPES, TRACK, monthly, service_log, standing, training
from core.volunteers.stations import set_registered, stations, volunteers
from ui.charts import table
from ui.entry_widgets import drop_stale, flash, form_key, renew_form_key, show_flash
from ui.session import guard
from ui.widgets import md

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rows(records: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(records, infer_schema_length=None)


user, scope, store = guard("volunteers")
st.title("志愿服务")
st.caption("党员义工工作站：登记服务时长（每小时、评价满意积 5 分，全年 300/600/900 分为一/二/三星级），"
           "查看星级、培训和每月集中服务，打印月报。")
show_flash("vol")

found = dict(stations(store, scope))
if not found:
    st.info("您的管辖范围内没有党员义工工作站（设置了党员义工积分方案的组织）")
    st.stop()
drop_stale("vol_station", found)
station = st.selectbox("党员义工工作站", list(found), format_func=found.get, key="vol_station")
today = dt.date.today()
try:
    scheme, _ = scheme_for(store, station, today, TRACK)
except NoSchemeError as exc:
    st.warning(md(exc))
    st.stop()
current = cycle_of(scheme.cycle_start, today)
cycle = st.selectbox("年度", [current, current - 1, current - 2], format_func=lambda c: cycle_label(scheme.cycle_start, c), key="vol_cycle")
may_log = can(user.role, "log_service")

log_tab, stars_tab, training_tab, report_tab = st.tabs(["服务登记", "义工星级", "培训", "月报"])

with log_tab:
    people = {v["id"]: f"{v['name']}（{v['id']}）" for v in volunteers(store, station, on=today)}
    if not may_log:
        st.caption("服务登记由工作站的支部书记或记分员办理")
    elif not people:
        st.info("本工作站还没有登记的义工，请在「组织与人员」或「导入导出」中登记义工")
    else:
        key = form_key("vol")
        with st.form(f"vol_form_{key}"):
            left, right = st.columns(2)
            volunteer = left.selectbox("义工", list(people), format_func=people.get, key=f"vol_who_{key}")
            day = right.date_input("服务日期", value=today, max_value=today, format="YYYY-MM-DD", key=f"vol_day_{key}")
            hours = left.number_input("服务时长（小时，可填半小时）", min_value=0.5, max_value=24.0, value=1.0, step=0.5,
                                      key=f"vol_hours_{key}")
            kind = right.selectbox("服务类别", SERVICE_TYPES, format_func=lambda t: f"{t}服务", key=f"vol_type_{key}")
            form = left.radio("服务形式", FORMS, horizontal=True, format_func=lambda f: f"{f}服务", key=f"vol_form_{key}")
            rating = right.radio("服务评价", ledger.RATINGS, horizontal=True, key=f"vol_rating_{key}")
            confirmed = left.text_input("认定人", value=user.display_name, key=f"vol_conf_{key}",
                                        help="集中服务、定点服务的时长由工作站认定；派单服务由服务对象签字认定，可留空")
            served = right.text_input("服务对象姓名（派单服务必填）", key=f"vol_served_{key}")
            note = st.text_input("备注", placeholder="服务内容，如：为独居老人代购药品", key=f"vol_note_{key}")
            submitted = st.form_submit_button("保存", type="primary")
        if submitted:
            try:
                service_log.log_service(store, user, volunteer, day, hours, kind, form, rating,
                                        confirmed_by="" if form == "派单" and confirmed == user.display_name else confirmed,
                                        served_name=served, note=note, request_key=key)
            except (EntryError, LookupError, PermissionError) as exc:
                st.error(md(exc))
            else:
                renew_form_key("vol")
                flash("vol", f"已登记：{people[volunteer]} {day:%Y-%m-%d} {kind}服务（{form}）{fmt(to_decimal(hours))} 小时，待审核")
                st.rerun()
    if can(user.role, "review") or can(user.role, "manage_orgs"):
        with st.expander("义工登记日期（从这天起计分）"):
            listed = {v["id"]: v for v in volunteers(store, station)}
            if listed:
                who = st.selectbox("义工", list(listed), key="vol_reg_who",
                                   format_func=lambda v: f"{listed[v]['name']}（{v}）：" + (
                                       f"{listed[v]['approved_on']:%Y-%m-%d}" if listed[v]["approved_on"] else "未填"))
                when = st.date_input("登记日期", value=listed[who]["approved_on"] or today, max_value=today,
                                     format="YYYY-MM-DD", key=f"vol_reg_day_{who}")
                if st.button("保存登记日期", key="vol_reg_save"):
                    try:
                        set_registered(store, user, who, when)
                    except (EntryError, PermissionError) as exc:
                        st.error(md(exc))
                    else:
                        flash("vol", f"已修改：{listed[who]['name']} 的登记日期为 {when:%Y-%m-%d}")
                        st.rerun()
    st.subheader("服务记录")
    start, end = cycle_bounds(scheme.cycle_start, cycle)
    log = service_log.log_table(store, user, station, start, min(today, end))
    st.caption(f"{cycle}年度共 {log.height} 条；待审核的记录由支部书记在「审核」页面审核，审核通过后计入积分")
    table(log, empty="本年度还没有服务记录")

try:
    year = standing.standing(store, user, station, cycle, today)
except (NoSchemeError, EntryError) as exc:
    year = None
    message = str(exc)

with stars_tab:
    if year is None:
        st.warning(md(message))
    else:
        share = year["share"]
        cols = st.columns(3)
        cols[0].metric("义工人数", len(year["rows"]))
        cols[1].metric("服务时长合计（小时）", fmt(to_decimal(sum(r["服务时长（小时）"] for r in year["rows"]))))
        if share is not None and share["percent"] is not None:
            target = share["min_percent"]
            cols[2].metric("三星级及以上占比", f"{share['percent']:.1f}%",
                           help=f"三星级及以上义工人数 ÷ 义工人数（按人数计），目标不低于 {target}%")
            met = target is None or share["percent"] >= target
            st.caption(f"三星级及以上义工 {share['hits']}/{share['of']} 人 = {share['percent']:.1f}%，"
                       f"目标不低于 {target}%：{'已达到' if met else '未达到'}")
        st.caption(f"{md(year['label'])} · 积分和星级按已审核通过的服务记录计算（评价为满意的每小时 5 分），"
                   "与「积分结果」一致；待审核的记录审核通过后计入")
        table(rows(year["rows"]), pinned=["义工"], empty="本工作站还没有义工")
        st.subheader("每月集中服务")
        st.caption("工作站每月至少组织一次党员义工集中服务活动")
        table(rows(year["months"]))

with training_tab:
    st.caption(f"每名义工每年至少参加集中培训 {training.MIN_SESSIONS} 次、累计 {fmt(training.MIN_HOURS)} 小时")
    everyone = {v["id"]: f"{v['name']}（{v['id']}）" for v in volunteers(store, station)}
    if may_log and everyone:
        tkey = form_key("vol_train")
        with st.form(f"vol_train_form_{tkey}"):
            who = st.multiselect("参加培训的义工", list(everyone), default=list(everyone), format_func=everyone.get,
                                 key=f"vol_train_who_{tkey}")
            left, right = st.columns(2)
            tday = left.date_input("培训日期", value=today, max_value=today, format="YYYY-MM-DD",
                                   key=f"vol_train_day_{tkey}")
            thours = right.number_input("培训时长（小时）", min_value=0.5, max_value=24.0, value=2.0, step=0.5,
                                        key=f"vol_train_hours_{tkey}")
            topic = st.text_input("培训内容", placeholder="如：党性教育、急救技能", key=f"vol_train_topic_{tkey}")
            saved = st.form_submit_button("保存培训记录")
        if saved:
            try:
                n = training.add_training(store, user, station, who, tday, thours, topic)
            except (EntryError, PermissionError) as exc:
                st.error(md(exc))
            else:
                renew_form_key("vol_train")
                flash("vol", f"已登记培训：{tday:%Y-%m-%d} {topic}，{n} 人")
                st.rerun()
    if year is not None:
        table(rows([{"义工": r["义工"], "培训情况": r["培训"], "是否达标": r["培训达标"]} for r in year["rows"]]),
              empty="本工作站还没有义工")

with report_tab:
    this_month = month_start(today)
    months, month = [], this_month
    for _ in range(12):
        month = month_start(month - dt.timedelta(days=1))
        months.append(month)
    months.insert(0, this_month)
    chosen = st.selectbox("月份", months, index=1, format_func=monthly.month_label, key="vol_month")
    rep = monthly.report(store, user, station, chosen, today)
    state = rep["state"]
    (st.error if state["overdue"] else st.info)(md(f"{monthly.month_label(chosen)}月报：{state['text']}"))
    for line in rep["lines"][3:]:
        st.caption(md(line))
    table(rows(rep["summary"]))
    st.markdown("**服务活动（按类别、形式）**")
    table(rows(rep["by_type"]))
    st.markdown("**义工服务情况**")
    table(rows(rep["by_volunteer"]), empty="本工作站还没有义工")
    with st.expander(f"服务明细（{len(rep['details'])} 条）"):
        table(rows(rep["details"]), empty="本月没有服务记录")
    cols = st.columns(3)
    name = f"{found[station]}-{chosen:%Y%m}-月报"
    cols[0].download_button("导出 Excel", lambda: monthly.report_excel(monthly.report(store, user, station, chosen, today)),
                            file_name=f"{name}.xlsx", mime=XLSX, key="vol_xlsx", on_click="ignore")
    problem = font_problem()
    if problem:
        cols[1].caption(problem)
    else:
        cols[1].download_button("打印月报（PDF）",
                                lambda: monthly.report_pdf(monthly.report(store, user, station, chosen, today)),
                                file_name=f"{name}.pdf", mime="application/pdf", key="vol_pdf", on_click="ignore")
    if may_log and state["submitted"] is None and today > month_end(chosen):
        if cols[2].button("标记为已上报", key="vol_submit", help="月报报送服务中心后在此登记，记入操作日志"):
            try:
                monthly.submit(store, user, station, chosen)
            except (EntryError, PermissionError) as exc:
                st.error(md(exc))
            else:
                flash("vol", f"已登记上报：{monthly.month_label(chosen)}月报")
                st.rerun()
