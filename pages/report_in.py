"""社区报到: 在职党员到社区报到 — registrations (5月10日 deadline), a community's service posts,
its 社区报到活动, the half-yearly 民主测评, the feedback letter, and the rates."""

import datetime as dt

import polars as pl
import streamlit as st

from core.auth import can
from core.io.pdf import font_problem
from core.reportin import posts as post_service
from core.reportin.activities import record_activity
from core.reportin.evaluations import record_evaluations
from core.reportin.letter import letter_pdf, letters
from core.reportin.registrations import candidates, community_roster, register, withdraw
from core.reportin.rules import ACTIVITIES_MIN, GRADES, HALVES, RATE_TARGET, deadline
from core.reportin.stats import communities, community_summary, department_rates, member_year
from core.services.entry_rules import EntryError
from ui.charts import table
from ui.entry_widgets import drop_stale, flash, show_flash
from ui.session import guard
from ui.widgets import md

ERRORS = (EntryError, PermissionError, LookupError)

user, scope, store = guard("report_in")
st.title("在职党员到社区报到")
st.caption(f"在职党员于每年{deadline(2000):%-m月%-d日}前（含当日）到居住地社区报到，认领服务岗位、作出服务承诺；"
           f"之后报到的记为逾期报到。每名报到党员每年参加社区活动不少于 {ACTIVITIES_MIN} 次，社区每半年民主测评一次；"
           f"部门报到率不低于 {RATE_TARGET:.0f}%。")
show_flash("ri")

today = dt.date.today()
year = st.selectbox("年度", [today.year, today.year - 1, today.year - 2], format_func=lambda y: f"{y}年", key="ri_year")
every = communities(store, scope)
names = {code: name for code, name, _ in every}
own = {code: name for code, name, mine in every if mine}


def pick_community(key: str, choices: dict[str, str]) -> str | None:
    if not choices:
        st.info("您的管辖范围内没有社区党支部")
        return None
    drop_stale(key, choices)
    return st.selectbox("社区", list(choices), format_func=choices.get, key=key)


def done(message: str) -> None:
    flash("ri", message)
    st.rerun()


tabs = st.tabs(["报到情况", "报到登记", "服务岗位", "社区活动", "民主测评", "反馈函"])

with tabs[0]:
    rates = department_rates(store, scope, year)
    if rates.height:
        st.subheader("各派出单位报到率")
        below = rates.filter(~pl.col("meets"))
        if below.height:
            st.warning(f"报到率低于 {RATE_TARGET:.0f}%：" + "、".join(
                f"{md(r['department'])}（{r['rate'] or 0:.1f}%）" for r in below.iter_rows(named=True)))
        table(rates.select(派出单位="department", 正常党员="members", 已报到="reported", 按时报到="on_time", 逾期报到="late",
                           **{"报到率（%）": "rate"},
                           是否达标=pl.when(pl.col("meets")).then(pl.lit("达标")).otherwise(pl.lit("未达标"))))
    summary = community_summary(store, scope, year)
    if summary.height:
        st.subheader("各社区报到情况")
        table(summary.select(社区="community", 已报到="registered", 按时报到="on_time", 逾期报到="late",
                             社区报到活动="activities", **{f"参加活动≥{ACTIVITIES_MIN}次": "met_min"}))
    st.subheader("报到党员名单")
    people = member_year(store, scope, year)
    if people.is_empty():
        st.caption(f"{year}年还没有报到记录")
    else:
        table(people.select(
            姓名="name", 派出单位="department", 报到社区="community", 报到日期="date", 是否按时="timeliness",
            服务岗位=pl.col("post").fill_null("—"), 服务承诺="pledge", **{"参加活动（次）": "activities"},
            **{f"达到{ACTIVITIES_MIN}次": pl.when(pl.col("meets")).then(pl.lit("是")).otherwise(pl.lit("否"))},
            上半年测评=pl.col("h1").fill_null("未测评"), 下半年测评=pl.col("h2").fill_null("未测评")))
        with st.expander("撤销报到（登记有误或需更换社区、岗位）"):
            rows = {r["id"]: f"{r['name']}（{r['department']}）→ {r['community']}，{r['date']:%Y-%m-%d}"
                    for r in people.iter_rows(named=True)}
            chosen = st.selectbox("报到记录", list(rows), format_func=rows.get, index=None, placeholder="请选择…", key="ri_withdraw")
            reason = st.text_input("撤销原因", key="ri_withdraw_reason")
            if st.button("撤销报到", key="ri_withdraw_go"):
                try:
                    if chosen is None:
                        raise EntryError("请选择要撤销的报到记录")
                    withdraw(store, user, chosen, reason)
                except ERRORS as exc:
                    st.error(md(exc))
                else:
                    done("已撤销报到")

with tabs[1]:
    st.caption("派出单位（机关党支部）或社区均可登记；社区可登记全县的党员，派出单位可登记本单位党员到任一社区报到。")
    community = pick_community("ri_reg_community", names)
    if community:
        query = st.text_input("查找党员（姓名或拼音首字母）", key="ri_reg_query")
        found = {mid: f"{name}（{branch}）" for mid, name, branch in candidates(store, user, community, query)}
        drop_stale("ri_reg_member", found, None)
        member = st.selectbox("党员", list(found), format_func=found.get, index=None, placeholder="请选择…", key="ri_reg_member")
        day = st.date_input("报到日期", value=today, max_value=today, format="YYYY-MM-DD", key="ri_reg_date")
        offered = {p["id"]: p["name"] for p in post_service.posts(store, community, active_only=True)}
        if not offered:
            st.info(f"{md(names[community])}还没有设立服务岗位，请社区先在「服务岗位」中设立")
        drop_stale("ri_reg_post", offered, None)
        post = st.selectbox("认领服务岗位", list(offered), format_func=offered.get, index=None, placeholder="请选择…",
                            key="ri_reg_post")
        pledge = st.text_area("服务承诺", key="ri_reg_pledge", placeholder="如：每月参加一次社区政策宣传，帮扶一户困难群众")
        if isinstance(day, dt.date) and day > deadline(day.year):
            st.info(f"{day:%Y-%m-%d}晚于{day.year}年的报到截止日{deadline(day.year):%Y-%m-%d}，将记为逾期报到")
        if st.button("登记报到", type="primary", key="ri_reg_go"):
            try:
                if member is None:
                    raise EntryError("请选择党员")
                register(store, user, member, community, day, post, pledge)
            except ERRORS as exc:
                st.error(md(exc))
            else:
                done(f"已登记{found[member]}到{names[community]}报到")

with tabs[2]:
    community = pick_community("ri_post_community", own)
    if community:
        listed = post_service.posts(store, community)
        table(pl.DataFrame({"岗位": [p["name"] for p in listed], "岗位职责": [p["description"] or "—" for p in listed],
                            "状态": ["在用" if p["active"] else "已停用" for p in listed],
                            "认领人数": [p["holders"] for p in listed]}, schema={"岗位": pl.String, "岗位职责": pl.String,
                                                                             "状态": pl.String, "认领人数": pl.Int64}),
              empty="还没有服务岗位")
        st.caption("可参考：" + "、".join(post_service.SUGGESTED))
        c1, c2 = st.columns(2)
        new_name = c1.text_input("新岗位名称", key="ri_post_name")
        new_duty = c2.text_input("岗位职责", key="ri_post_duty")
        if st.button("设立岗位", key="ri_post_add"):
            try:
                post_service.add_post(store, user, community, new_name, new_duty)
            except ERRORS as exc:
                st.error(md(exc))
            else:
                done(f"已设立岗位「{new_name.strip()}」")
        if listed:
            labels = {p["id"]: f"{p['name']}（{'在用' if p['active'] else '已停用'}）" for p in listed}
            drop_stale("ri_post_pick", labels)
            picked = st.selectbox("选择岗位", list(labels), format_func=labels.get, key="ri_post_pick")
            rename_to = st.text_input("改名为", key="ri_post_rename")
            c1, c2 = st.columns(2)
            if c1.button("改名", key="ri_post_rename_go"):
                try:
                    post_service.rename_post(store, user, picked, rename_to)
                except ERRORS as exc:
                    st.error(md(exc))
                else:
                    done("已改名")
            active = next(p["active"] for p in listed if p["id"] == picked)
            if c2.button("停用" if active else "恢复使用", key="ri_post_toggle"):
                try:
                    post_service.set_post_active(store, user, picked, not active)
                except ERRORS as exc:
                    st.error(md(exc))
                else:
                    done("已停用岗位" if active else "已恢复岗位")

with tabs[3]:
    if not can(user.role, "enter"):
        st.info("社区活动由社区书记或记分员登记")
    else:
        community = pick_community("ri_act_community", own)
        if community:
            day = st.date_input("活动日期", value=today, max_value=today, format="YYYY-MM-DD", key="ri_act_date")
            title = st.text_input("活动名称", key="ri_act_title", placeholder="如：政策宣传进小区")
            listed = {m.id: m.name for m in community_roster(store, community, day)} if isinstance(day, dt.date) else {}
            if not listed:
                st.caption("该日期前没有党员向本社区报到")
            else:
                if st.session_state.pop("ri_act_saved", False):
                    # emptied before the widget, by a set, not popped after the save: the browser
                    # is told only a set value, and went on showing the saved activity's members
                    st.session_state["ri_act_present"] = []
                came = st.multiselect(f"到场的报到党员（共 {len(listed)} 人）", list(listed), format_func=listed.get,
                                      key="ri_act_present", placeholder="请选择到场党员")
                if st.button(f"保存活动（到场 {len(came)} 人）", type="primary", key="ri_act_go"):
                    try:
                        record_activity(store, user, community, day, title, came)
                    except ERRORS as exc:
                        st.error(md(exc))
                    else:
                        st.session_state["ri_act_saved"] = True
                        done(f"已保存社区报到活动，到场 {len(came)} 人")

with tabs[4]:
    if not can(user.role, "evaluate_community"):
        st.info("民主测评由社区书记录入")
    else:
        community = pick_community("ri_eval_community", own)
        if community:
            half = st.radio("测评期间", list(HALVES), format_func=HALVES.get, horizontal=True, key="ri_eval_half")
            people = member_year(store, scope, year, community_code=community)
            column = "h1" if half == 1 else "h2"
            waiting = people.filter(pl.col(column).is_null())
            graded = people.filter(pl.col(column).is_not_null())
            if graded.height:
                st.caption("已测评：" + "、".join(f"{md(r['name'])}（{r[column]}）" for r in graded.iter_rows(named=True)))
            if waiting.is_empty():
                st.caption(f"{year}年{HALVES[half]}没有待测评的报到党员")
            else:
                grades = {}
                for r in waiting.iter_rows(named=True):
                    c1, c2 = st.columns([1, 2])
                    grade = c1.selectbox(f"{r['name']}（{r['department']}）", GRADES, index=None, placeholder="未测评",
                                         key=f"ri_eval_grade_{r['member_id']}")
                    comment = c2.text_input("评语", key=f"ri_eval_comment_{r['member_id']}")
                    if grade is not None:
                        grades[r["member_id"]] = (grade, comment)
                if st.button(f"保存测评（{len(grades)} 人）", type="primary", key="ri_eval_go"):
                    try:
                        count = record_evaluations(store, user, community, year, half, grades)
                    except ERRORS as exc:
                        st.error(md(exc))
                    else:
                        done(f"已保存 {count} 人的{year}年{HALVES[half]}测评")

with tabs[5]:
    problem = font_problem()
    community = pick_community("ri_letter_community", names)
    if problem:
        st.warning(problem)
    elif community:
        people = member_year(store, scope, year, community_code=community)
        if people.is_empty():
            st.caption(f"{year}年没有向该社区报到的党员（或不在您的管辖范围内）")
        else:
            mode = st.radio("打印", ["member", "department"], horizontal=True, key="ri_letter_mode",
                            format_func={"member": "一名党员", "department": "一个派出单位的全部党员"}.get)
            if mode == "member":
                options = dict(people.select("member_id", pl.format("{}（{}）", "name", "department")).iter_rows())
            else:
                options = dict(people.select("department_code", "department").unique(maintain_order=True).iter_rows())
            drop_stale("ri_letter_pick", options)
            picked = st.selectbox("党员" if mode == "member" else "派出单位", list(options), format_func=options.get,
                                  key="ri_letter_pick")
            try:
                items = letters(store, user, community, year, **({"member_id": picked} if mode == "member" else {"department": picked}))
            except ERRORS as exc:
                st.error(md(exc))
            else:
                st.download_button("下载反馈函（PDF）", lambda: letter_pdf(items), file_name=f"{year}年社区报到反馈函.pdf",
                                   mime="application/pdf", key="ri_letter_go", icon=":material/download:")
