"""公示与异议: the review chain (支委会 record, 报送乡镇审核), open a 公示, print it, log and
resolve objections, finalise, reopen."""

import datetime as dt

import streamlit as st

from core.auth import can
from core.cycles import cycle_bounds, period_label
from core.scheme.model import COMMITTEE_BODIES
from core.scheme_assignments import NoSchemeError, scheme_for_cycle
from core.services import ledger
from core.services.entry_rules import EntryError, member_row
from core.services.finalise import finalise, finalise_blockers, publicity_blockers, reopen
from core.services.objections import (STATE_NAMES, Correction, correctable_events, file_objection, resolve_objection,
                                      window_objections)
from core.services.publicity import WINDOW_NAMES, current_publicity, open_publicity, open_window, pending_event_ids
from core.services.results import branch_results, display_rows, result_rows
from core.services.review_chain import chain_state, committee_record, people, record_committee, submit, submit_blockers
from ui.notice_files import notice_files
from ui.period_widgets import pick_track_period
from ui.session import guard
from ui.widgets import md

ERRORS = (EntryError, NoSchemeError, PermissionError, ValueError)

user, scope, store = guard("publicity")
st.title("公示与异议")
today = dt.date.today()
# a village publishes its households quarterly beside its party members: 积分对象 picks which
branch, track, cycle, period = pick_track_period(store, scope, "pub", today, start="current",
                                                 prefer=lambda b, t: open_window(store, b, t))
scope.check_org(store, branch)
may_publish = can(user.role, "publish")


def done(message: str) -> None:
    st.session_state["pub_flash"] = message
    st.rerun()


flash = st.session_state.pop("pub_flash", None)
if flash:
    st.success(md(flash))

pub = current_publicity(store, branch, cycle, period, track)
# whether the 公示 is settled evaluates the branch: worked out once for 报送 and 归档 both
settled = publicity_blockers(store, pub, today) if pub is not None and pub.state == "open" else None
try:
    scheme, _ = scheme_for_cycle(store, branch, cycle, today, track)
except NoSchemeError as exc:
    st.warning(md(exc))
    st.stop()
label = period_label(scheme, cycle, period)

# -- the review chain (上级审核): 支部初评 → 支委会 → 公示 → 上级党委审核 → 备案 -------------------------
st.subheader("审核步骤")
st.dataframe([{"步骤": s.name, "状态": s.state_name, "等待": s.who if s.state in ("waiting", "returned") else "—",
               "经办人": s.by or "—", "时间": f"{s.at:%Y-%m-%d}" if s.at else "—", "说明": s.detail or "—"}
              for s in chain_state(store, branch, cycle, period, track, today)], hide_index=True, width="stretch")
workflow = scheme.workflow
if workflow.has("committee") and can(user.role, "finalise"):
    met = committee_record(store, branch, cycle, period, track)
    with st.expander(f"记录{workflow.committee}会议" + ("（已记录，可补充新的会议记录）" if met else ""), expanded=met is None):
        with st.form("pub_committee", clear_on_submit=True):
            kind = st.selectbox("会议类型", COMMITTEE_BODIES, index=COMMITTEE_BODIES.index(workflow.committee))
            day = st.date_input("会议日期", value=today, max_value=today, format="YYYY-MM-DD")
            attendees = st.text_area("参会人员", placeholder="如：王建国、李明、张华（支委），党员代表2名")
            decision = st.text_area("会议决定", placeholder="如：同意支部初评结果，提交公示")
            if st.form_submit_button("保存会议记录", type="primary"):
                try:
                    record_committee(store, user, branch, cycle, period, track, kind, day, attendees, decision,
                                     today=today)
                except ERRORS as exc:
                    st.error(md(exc))
                else:
                    done(f"已记录{kind}会议（{day:%Y-%m-%d}）")
if workflow.needs_township(period) and can(user.role, "finalise"):
    not_yet = submit_blockers(store, branch, cycle, period, track, today, settled)
    if st.button("报送乡镇审核", type="primary", disabled=bool(not_yet), key="pub_submit"):
        try:
            submit(store, user, branch, cycle, period, track, today=today)
        except ERRORS as exc:
            st.error(md(exc))
        else:
            done(f"{label}结果已报送乡镇党委审核")
    for reason in not_yet:
        st.caption(md(f"暂不能报送：{reason}"))

# -- no 公示 yet: open one ------------------------------------------------------------
if pub is None:
    st.info(f"{md(label)}尚未公示。")
    results = branch_results(store, branch, cycle, period, today, track)
    if may_publish:
        waiting = len(pending_event_ids(store, branch, cycle_bounds(scheme.cycle_start, cycle)[0], results.through,
                                        track))
        if waiting:
            st.warning(f"还有 {waiting} 条积分记录待审核，请先到「审核」页面处理，之后才能公示。")
        with st.form("pub_open"):
            st.write(f"发起公示（公示期不少于 {scheme.publicity_min_days} 天，含首尾两天）")
            c1, c2 = st.columns(2)
            start = c1.date_input("公示开始日期", value=today, min_value=today, format="YYYY-MM-DD")
            end = c2.date_input("公示结束日期", value=today + dt.timedelta(days=scheme.publicity_min_days - 1),
                                min_value=today, format="YYYY-MM-DD")
            if st.form_submit_button("发起公示", type="primary"):
                try:
                    open_publicity(store, user, branch, cycle, period, start, end, today=today, track=track)
                except ERRORS as exc:
                    st.error(md(exc))
                else:
                    done(f"已发起{label}公示：{start:%Y-%m-%d} 至 {end:%Y-%m-%d}")
    st.caption("将要公示的结果（实时计算）：")
    st.dataframe(display_rows(result_rows(results.output)), hide_index=True, width="stretch")
    st.stop()

# -- the current 公示 ------------------------------------------------------------------
window = pub.window(today)
cols = st.columns(4)
cols[0].metric("状态", WINDOW_NAMES[window])
cols[1].metric("公示期", f"{pub.start_date:%m-%d} 至 {pub.end_date:%m-%d}")
cols[2].metric("剩余天数", pub.days_left(today) if window in ("open", "upcoming") else 0)
cols[3].metric("方案版本", pub.scheme_version, help="所用积分方案见下方说明")

sheet, pdf, no_pdf, excel = notice_files(pub.id)
st.subheader(md(sheet["title"]))
for line in sheet["lines"]:
    st.caption(md(line))
st.dataframe(display_rows(sheet["rows"]), hide_index=True, width="stretch")
d1, d2, _ = st.columns([2, 2, 3])  # wide enough at 1024 px for the whole button text
if pdf is None:
    d1.warning(no_pdf)
else:
    d1.download_button("下载公示PDF", pdf, file_name=f"{sheet['title']}.pdf", mime="application/pdf")
d2.download_button("导出Excel", excel, file_name=f"{sheet['title']}.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

# -- objections ------------------------------------------------------------------------
st.subheader("异议")
objections = window_objections(store, branch, cycle, period, track)
if objections:
    st.dataframe(
        [{"编号": o.id, "成员": o.member_name, "异议人": o.objector, "内容": o.content,
          "登记日期": f"{o.filed_on:%Y-%m-%d}", "办理期限": f"{o.deadline:%Y-%m-%d}",
          "状态": "已逾期" if o.overdue(today) else STATE_NAMES[o.state],
          # a null cell is drawn as "None": a settled objection has "—" days left
          "剩余工作日": str(o.working_days_left(today)) if o.state == "open" else "—", "经办人": o.handler,
          "处理意见": o.resolution or "", "复核意见": o.recheck or ""} for o in objections],
        hide_index=True, width="stretch")
else:
    st.caption("本期暂无异议。")

members = {r["subject"]: f"{r.get('name') or r['subject']}（{r['subject']}）" for r in pub.snapshot["results"]}
if may_publish and pub.state == "open" and window == "open":
    with st.expander("登记异议", expanded=not objections):
        with st.form("pub_objection", clear_on_submit=True):
            member = st.selectbox("对谁的结果有异议", list(members), format_func=members.get)
            objector = st.text_input("异议人", placeholder="提出异议的人")
            content = st.text_area("异议内容", placeholder="如：8月3日缺席已请假，不应扣分")
            handler = st.text_input("经办人", value=user.display_name)
            if st.form_submit_button("登记异议", type="primary"):
                try:
                    oid = file_objection(store, user, pub.id, member, objector, content, handler, today=today)
                except ERRORS as exc:
                    st.error(md(exc))
                else:
                    done(f"已登记异议 {oid}，请在办理期限内答复")

pending = [o for o in objections if o.state == "open"]
if may_publish and pending and pub.state == "open":
    st.write("**办结异议**")
    choice = {o.id: f"{o.id} · {o.member_name} · {o.content[:20]}（期限 {o.deadline:%Y-%m-%d}）" for o in pending}
    oid = st.selectbox("选择异议", list(choice), format_func=choice.get, key="pub_resolve_pick")
    target = next(o for o in pending if o.id == oid)
    # Every widget below is keyed on the objection: the next objection's form starts empty,
    # never with the previous one's record, opinions or ticks.
    fix = st.radio("是否更正积分", ["不更正", "撤销一条积分记录", "补录一条积分记录"], horizontal=True,
                   key=f"pub_fix_{oid}")
    correction, missing = None, None
    if fix == "撤销一条积分记录":
        events = {e["id"]: e["label"] for e in correctable_events(store, target)}
        if events:
            event_id = st.selectbox("要撤销的记录（本次公示结果所依据的该成员记录）", list(events),
                                    format_func=events.get, index=None, placeholder="请选择要撤销的记录",
                                    key=f"pub_fix_event_{oid}")
            if event_id is None:
                missing = "请选择要撤销的记录"
            else:
                correction = Correction(reverse_event=event_id)
        else:
            st.caption("本次公示结果中，该成员没有可撤销的记录。")
            missing = "该成员没有可撤销的记录，请选择「不更正」或「补录一条积分记录」"
    elif fix == "补录一条积分记录":
        items = {i.code: i for i in ledger.items_for(scheme, member_row(store, target.member_id).kind)}
        code = st.selectbox("积分项目", list(items), format_func=lambda c: ledger.item_label(items[c]), index=None,
                            placeholder="请选择积分项目", key=f"pub_fix_item_{oid}")
        day = st.date_input("日期", value=today, max_value=today, format="YYYY-MM-DD", key=f"pub_fix_day_{oid}")
        points = None
        if code is not None and items[code].is_range:
            points = st.number_input("分值", min_value=float(items[code].min), max_value=float(items[code].max),
                                     value=None, key=f"pub_fix_points_{oid}")
        if code is None:
            missing = "请选择要补录的积分项目"
        else:
            correction = Correction(member_id=target.member_id, item=code, date=day, points=points)
    with st.form(f"pub_resolve_{oid}"):
        resolution = st.text_area("处理意见", placeholder="如：经核实，当日已请假，撤销该扣分",
                                  key=f"pub_resolution_{oid}")
        recheck = st.text_area("复核意见", placeholder="如：支委会复核，同意处理意见", key=f"pub_recheck_{oid}")
        # keyed on the choice too: picking a correction ticks it afresh, 不更正 unticks it
        again = st.checkbox("办结后重新公示更正后的结果", value=fix != "不更正", key=f"pub_again_{oid}_{fix}")
        keep = st.checkbox(f"沿用原公示期（不勾选则自办结之日起重新公示不少于 {scheme.publicity_min_days} 天）",
                           value=False, key=f"pub_keep_{oid}")
        if st.form_submit_button("办结异议", type="primary"):
            try:
                if missing:
                    raise EntryError(missing)
                new = resolve_objection(store, user, oid, resolution, recheck, today=today,
                                        corrections=[correction] if correction else [], republish_results=again,
                                        keep_window=keep)
            except ERRORS as exc:
                st.error(md(exc))
            else:
                done(f"异议 {oid} 已办结" + ("，已重新公示" if new else ""))

# -- finalise / reopen -----------------------------------------------------------------
st.subheader("确认归档")
if pub.state == "open":
    blockers = finalise_blockers(store, pub, today, settled)
    for reason in blockers:
        st.info(md(f"暂不能归档：{reason}"))
    if can(user.role, "finalise"):
        if st.button("确认归档", type="primary", disabled=bool(blockers), key="pub_finalise"):
            try:
                finalise(store, user, pub.id, today=today)
            except ERRORS as exc:
                st.error(md(exc))
            else:
                done(f"{label}已确认归档，该期间的积分已锁定")
else:
    st.success(f"{md(label)}已于 {pub.finalised_at:%Y-%m-%d} 由 {md(people(store, [pub.finalised_by])[pub.finalised_by])} 确认归档，结果已冻结，该期间不能再录入。")
    if can(user.role, "reopen"):
        with st.form("pub_reopen"):
            reason = st.text_input("重新开放的原因", placeholder="如：上级检查发现漏记，需更正后重新公示", key="pub_reopen_reason")
            if st.form_submit_button("重新开放"):
                try:
                    reopen(store, user, branch, cycle, period, reason, track)
                except ERRORS as exc:
                    st.error(md(exc))
                else:
                    done(f"{label}已重新开放，可更正后重新公示")
