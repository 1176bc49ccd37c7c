"""结果运用: 评先评优 candidates, 处置 cases (谈心谈话 → 整改 → 转化期 → 支部建议 → 党委决定),
星级挂牌; all the rules in core.results_use, this page only picks, shows and submits."""

import datetime as dt

import streamlit as st

from core import orgs
from core.auth import can
from core.cycles import MONTHS, QUARTERS
from core.io.pdf import font_problem
from core.results_use import cases as C
from core.results_use.candidates import candidate_rows, candidates
from core.results_use.files import candidates_document, file_stem, pdf_bytes, stars_document, xlsx_bytes
from core.results_use.stars import star_groups, star_rows
from core.scheme_assignments import NoSchemeError
from core.services.entry_rules import EntryError
from core.services.results import display_rows
from ui.entry_widgets import drop_stale
from ui.links import arrived
from ui.session import get_store, guard
from ui.widgets import md

ERRORS = (EntryError, NoSchemeError, PermissionError, ValueError)
PERIOD_NAMES = {"cycle": "全年", **{q: f"第{q[1]}季度" for q in QUARTERS},
                **{m: f"年度第{m[1:]}个月" for m in MONTHS}}

user, scope, store = guard("results_use")
st.title("结果运用")
today = dt.date.today()


@st.cache_data(ttl=900, max_entries=64, show_spinner="正在计算积分结果…")
def _candidates(u, org: str, cycle: int, day: dt.date, version: int):
    return candidates(get_store(), u, org, cycle, day)


@st.cache_data(ttl=900, max_entries=64, show_spinner="正在计算积分结果…")
def _stars(u, org: str, cycle: int, period: str, day: dt.date, version: int):
    return star_groups(get_store(), u, org, cycle, period, day)


# -- what: a branch, or a township's (county's) branches together; which year --------------
choices = {**orgs.options(store, scope, "county"), **orgs.options(store, scope, "township")}
choices = {code: f"{label}（全部支部）" for code, label in choices.items()} | dict(orgs.branches(store, scope))
if not choices:
    st.info("您的管辖范围内没有党支部")
    st.stop()
linked = arrived().get("branch")  # 总览's 整改逾期 alert and 首页's 待办 land on the branch
if linked in choices:
    st.session_state["ru_org"] = linked
    st.session_state["ru_tab"] = "处置"  # the links are about 处置 cases
drop_stale("ru_org", choices)
left, right = st.columns([3, 1])
org = left.selectbox("范围", list(choices), format_func=choices.get, key="ru_org")
cycle = right.selectbox("积分年度", [today.year - n for n in range(5)], index=1,
                        format_func=lambda y: f"{y}年度", key="ru_cycle")
name = choices[org].removesuffix("（全部支部）")
version = store.data_version()
flash = st.session_state.pop("ru_flash", None)
if flash:
    st.success(md(flash))


def done(message: str) -> None:
    st.session_state["ru_flash"] = message
    st.rerun()


def downloads(document: dict, key: str) -> None:
    a, b = st.columns(2)
    problem = font_problem()
    if problem:
        a.caption(problem)
    else:
        a.download_button("下载 PDF（打印）", lambda: pdf_bytes(document), file_name=file_stem(document) + ".pdf",
                          mime="application/pdf", key=f"{key}_pdf")
    b.download_button("下载 Excel", lambda: xlsx_bytes(document), file_name=file_stem(document) + ".xlsx", key=f"{key}_xlsx")


award_tab, case_tab, star_tab = st.tabs(["评先评优", "处置", "星级挂牌"], key="ru_tab", on_change="rerun")

# -- 评先评优 ----------------------------------------------------------------------------------
with award_tab:
    if award_tab.open:  # only the open tab computes (on_change="rerun")
        try:
            chosen, struck = _candidates(user, org, cycle, today, version)
        except ERRORS as exc:
            st.error(md(exc))
        else:
            st.caption("按各支部积分方案的评先评优规则：方案规定上报表彰的（如前三名优秀、五星党员），否则年度等次为优秀或最高星级的；"
                       "已归档的年度用归档结果，未归档的用实时计算结果。标记为不具备评优资格或一票否决的不列入。")
            if chosen:
                st.dataframe(display_rows(candidate_rows(chosen)), hide_index=True, width="stretch")
            else:
                st.info(f"{md(name)}{cycle}年度没有符合评先评优条件的人选")
            if struck:
                st.caption("未列入：" + md("；".join(f"{c.name}（{c.branch_name}，{c.reason}）" for c in struck)))
            downloads(candidates_document(name, f"{cycle}年度", chosen, today), "ru_award")

# -- 处置 ------------------------------------------------------------------------------------
with case_tab:
    if case_tab.open:  # only the open tab computes (on_change="rerun")
        st.caption(f"年度等次为不合格、基本合格（或诫勉）、一票否决需处置或连续预警需处置的党员，以及预备党员延长预备期、取消预备党员资格的建议。"
                   f"处置流程：谈心谈话 → 整改计划 → {C.TRANSFORM_MONTHS}个月转化期 → 支部提出建议（转化、限期改正、劝退、除名）→ 党委作出决定。"
                   "生成案件时，已归档的年度用归档结果，未归档的用实时计算结果，宜在年度结果确认归档后生成。")
        if st.button(f"根据{cycle}年度积分结果生成处置案件", key="ru_open"):
            try:
                added = C.open_cases(store, user, org, cycle, today)
            except ERRORS as exc:
                st.error(md(exc))
            else:
                done(f"新生成 {added} 件处置案件" if added else "没有需要新生成的处置案件（已生成的不会重复）")
        only_late = st.checkbox("只看逾期", key="ru_late")
        try:
            listed = C.list_cases(store, user, org, today, cycle=cycle, overdue=only_late)
        except ERRORS as exc:
            st.error(md(exc))
            listed = []
        if not listed:
            st.info("没有逾期的处置案件" if only_late else f"{md(name)}{cycle}年度还没有处置案件")
        else:
            late = sum(c.overdue_days(today) is not None for c in listed)
            if late:
                st.warning(f"{late} 件处置案件转化期已满、尚未作出决定")
            st.dataframe(C.case_rows(listed, today), hide_index=True, width="stretch")
            by_id = {c.id: c for c in listed}
            drop_stale("ru_case", by_id)
            picked = by_id[st.selectbox("办理案件", list(by_id), key="ru_case", format_func=lambda i: (
                f"{by_id[i].name}（{by_id[i].branch_name}，{by_id[i].kind_name}）：{by_id[i].state_text(today)}"))]
            facts = [f"原因：{picked.reason or '—'}"]
            if picked.talk_date:
                facts.append(f"谈心谈话：{picked.talk_date:%Y-%m-%d}，{picked.talk_note}")
            if picked.plan_date:
                facts.append(f"整改计划（{picked.plan_date:%Y-%m-%d}）：{picked.plan}；转化期至 {picked.deadline:%Y-%m-%d}")
            if picked.recommendation:
                facts.append(f"支部建议：{picked.recommendation}")
            if picked.outcome:
                facts.append(f"党委决定：{picked.outcome}" + (f"（{picked.decision_note}）" if picked.decision_note else ""))
            st.text("\n".join(facts))
            branch_may, party_may = can(user.role, "recommend_disposal"), can(user.role, "decide_disposal")
            form = f"ru_form_{picked.id}_{picked.state}"  # a fresh form for each case and step
            try:
                if picked.state == "open" and picked.kind == C.DISPOSAL and branch_may:
                    with st.form(form):
                        day = st.date_input("谈心谈话日期", value=today, max_value=today, format="YYYY-MM-DD")
                        note = st.text_area("谈话情况", max_chars=500)
                        if st.form_submit_button("登记谈心谈话", type="primary"):
                            C.record_talk(store, user, picked.id, day, note, today=today)
                            done(f"已登记{picked.name}的谈心谈话")
                elif picked.state == "talked" and branch_may:
                    with st.form(form):
                        plan = st.text_area("整改计划", max_chars=500)
                        day = st.date_input("整改计划日期（转化期从这一天起算）", value=today, max_value=today, format="YYYY-MM-DD")
                        if st.form_submit_button("保存整改计划", type="primary"):
                            C.record_plan(store, user, picked.id, plan, day, today=today)
                            done(f"已保存{picked.name}的整改计划，转化期至 {C.months_later(day, C.TRANSFORM_MONTHS):%Y-%m-%d}")
                elif (picked.state == "planned" or picked.state == "open" and picked.kind != C.DISPOSAL) and branch_may:
                    with st.form(form):
                        outcome = st.selectbox("支部建议", C.outcomes(picked.kind))
                        if st.form_submit_button("提交支部建议（报党委决定）", type="primary"):
                            C.recommend(store, user, picked.id, outcome)
                            done(f"已提交{picked.name}的支部建议：{outcome}")
                elif picked.state == "recommended" and party_may:
                    with st.form(form):
                        options = C.outcomes(picked.kind)
                        outcome = st.selectbox("党委决定", options, index=options.index(picked.recommendation))
                        note = st.text_input("决定说明（可不填）", max_chars=500)
                        if st.form_submit_button("作出决定", type="primary"):
                            C.decide(store, user, picked.id, outcome, note)
                            done(f"已作出决定：{picked.name}{outcome}")
                elif picked.state != "decided":
                    st.caption("下一步由党委（乡镇或县级）作出决定" if picked.state == "recommended" else "下一步由支部办理")
            except ERRORS as exc:
                st.error(md(exc))
            st.download_button("导出处置案件（Excel）", lambda: xlsx_bytes({"sheet": "处置案件", "rows": C.case_rows(listed, today)}),
                               file_name=f"{file_stem({'title': name})}_{cycle}年度_处置案件.xlsx", key="ru_cases_xlsx")

# -- 星级挂牌 ----------------------------------------------------------------------------------
with star_tab:
    if star_tab.open:  # only the open tab computes (on_change="rerun")
        period = st.selectbox("评定期间", list(PERIOD_NAMES), format_func=PERIOD_NAMES.get, key="ru_period")
        try:
            groups, label = _stars(user, org, cycle, period, today, version)
        except ERRORS as exc:
            st.error(md(exc))
        else:
            if not groups:
                st.info(f"{md(name)}没有按{PERIOD_NAMES[period]}评定星级的积分方案，或还没有星级结果")
            for group in groups:
                st.markdown(f"**{md(group.branch_name)} · {group.title}**（{len(group.members)} 人）")
                st.text("、".join(m["name"] for m in group.members))
            if groups:
                st.dataframe(star_rows(groups), hide_index=True, width="stretch")
                downloads(stars_document(name, label, groups, today), "ru_stars")
