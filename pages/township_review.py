"""上级审核: the township's queue of branch results sent up, approve or return with a reason,
催办 of overdue objections and unpublished quarters, and 代为办理 of an overdue objection."""

import datetime as dt

import polars as pl
import streamlit as st

from core import orgs
from core.auth import ScopeError
from core.scheme_assignments import NoSchemeError
from core.services.entry_rules import EntryError
from core.services.objections import STATE_NAMES, overdue_objections, take_over_objection, window_objections
from core.services.publicity import current_publicity
from core.services.reminders import open_reminders, remind, unpublished_quarters
from core.services.results import display_rows, result_rows
from core.services.review_chain import approve, chain_state, return_, township_queue
from ui.charts import table
from ui.links import arrived
from ui.session import guard
from ui.widgets import md

ERRORS = (EntryError, NoSchemeError, PermissionError, ScopeError, ValueError)

user, scope, store = guard("township_review")
st.title("上级审核")
st.caption("支部初评 → 支委会 → 公示 → 上级党委审核 → 备案。支部公示期满、异议办结后报送，乡镇党委审核通过后支部才能确认归档。")
today = dt.date.today()


def done(message: str) -> None:
    st.session_state["tr_flash"] = message
    st.rerun()


flash = st.session_state.pop("tr_flash", None)
if flash:
    st.success(md(flash))

# -- the queue -------------------------------------------------------------------------
st.subheader("待审核的支部结果")
queue = township_queue(store, scope, today)
table(pl.DataFrame([{"支部": w.branch_name, "期间": w.label, "报送日期": w.submitted_at.date(), "等待天数": w.days,
                     "报送人": w.submitted_by} for w in queue]), empty="暂无待审核的结果")
if queue:
    keys = [(w.branch_code, w.cycle, w.period, w.track) for w in queue]
    link = arrived()
    wanted = next((k for k in keys if link and k[0] == link.get("branch") and str(k[1]) == link.get("cycle")
                   and k[2] == link.get("period", "cycle")), None)
    # keyed on what each item is, not its place in the queue: after an approval the queue
    # shifts, and a kept index would show the approved item's label over the next one
    ids = ["|".join(map(str, k)) for k in keys]
    if wanted is not None:
        st.session_state["tr_pick"] = ids[keys.index(wanted)]
    labels = {ids[i]: f"{w.branch_name} · {w.label}（已等待 {w.days} 天）" for i, w in enumerate(queue)}
    if st.session_state.get("tr_pick") not in labels:
        st.session_state["tr_pick"] = ids[0]  # set, not dropped: the browser shows what the state holds
    pick = st.selectbox("审核哪一项", list(labels), format_func=labels.get, key="tr_pick")
    w = queue[ids.index(pick)]
    st.markdown("**审核步骤**")
    st.dataframe([{"步骤": s.name, "状态": s.state_name, "经办人": s.by or "—",
                   "时间": f"{s.at:%Y-%m-%d}" if s.at else "—", "说明": s.detail or "—"}
                  for s in chain_state(store, w.branch_code, w.cycle, w.period, w.track, today)],
                 hide_index=True, width="stretch")
    pub = current_publicity(store, w.branch_code, w.cycle, w.period, w.track)
    objections = window_objections(store, w.branch_code, w.cycle, w.period, w.track)
    st.markdown("**异议**")
    if objections:
        st.dataframe([{"成员": o.member_name, "异议人": o.objector, "内容": o.content, "状态": STATE_NAMES[o.state],
                       "处理意见": o.resolution or "—", "复核意见": o.recheck or "—"} for o in objections],
                     hide_index=True, width="stretch")
    else:
        st.caption("公示期内无异议。")
    if pub is not None:
        st.markdown("**公示的结果**")
        st.dataframe(display_rows(result_rows(pub.snapshot)), hide_index=True, width="stretch")
    with st.form(f"tr_decide_{pick}"):
        reason = st.text_area("退回原因（退回时必填）", placeholder="如：评议票数与参会人数不符，请核实后重新公示",
                              key=f"tr_reason_{w.branch_code}_{w.cycle}_{w.period}")
        ok_col, back_col = st.columns(2)
        ok = ok_col.form_submit_button("审核通过", type="primary")
        back = back_col.form_submit_button("退回支部")
    if ok or back:
        try:
            if ok:
                approve(store, user, w.branch_code, w.cycle, w.period, w.track, today=today)
            else:
                return_(store, user, w.branch_code, w.cycle, w.period, reason, w.track, today=today)
        except ERRORS as exc:
            st.error(md(exc))
        else:
            done(f"{w.branch_name}{w.label}结果" + ("已审核通过，支部可以确认归档" if ok else "已退回支部"))

# -- 催办 and 代为办理 ---------------------------------------------------------------------
st.subheader("催办")
names = orgs.labels(store, scope.branch_codes(store))
sent = {(r.kind, r.ref) for r in open_reminders(store, scope)}
overdue = overdue_objections(store, scope, today)
st.markdown("**逾期未办结的异议**")
if not overdue:
    st.caption("暂无逾期异议。")
for o in overdue:
    left, right = st.columns([5, 1])
    left.text(f"{names.get(o.branch_code, o.branch_code)}：{o.member_name}（{o.objector}提出），"
              f"办理期限 {o.deadline:%Y-%m-%d}，经办人 {o.handler}")
    if ("objection", str(o.id)) in sent:
        right.caption("已催办")
    elif right.button("催办", key=f"tr_remind_o_{o.id}"):
        try:
            remind(store, user, o.branch_code, "objection", str(o.id), today=today)
        except ERRORS as exc:
            st.error(md(exc))
        else:
            done(f"已向{names.get(o.branch_code, o.branch_code)}催办")
    with st.expander(md(f"代为办理：{o.member_name}的异议")):  # a name is text, never markup
        with st.form(f"tr_take_{o.id}"):
            resolution = st.text_area("处理意见", key=f"tr_res_{o.id}", placeholder="如：经镇党委核实，原记录无误")
            recheck = st.text_area("复核意见", key=f"tr_rec_{o.id}", placeholder="如：镇党委复核，维持原结果")
            if st.form_submit_button("代为办结"):
                try:
                    take_over_objection(store, user, o.id, resolution, recheck, today=today)
                except ERRORS as exc:
                    st.error(md(exc))
                else:
                    done(f"已代为办结{o.member_name}的异议")

st.markdown("**已结束尚未公示的季度**")
quarters = unpublished_quarters(store, scope, today)
if not quarters:
    st.caption("各支部已结束的季度均已公示。")
for q in quarters:
    left, right = st.columns([5, 1])
    left.text(f"{names.get(q.branch_code, q.branch_code)}：{q.label}已于 {q.ended:%Y-%m-%d} 结束，尚未公示")
    if ("publicity", q.ref) in sent:
        right.caption("已催办")
    elif right.button("催办", key=f"tr_remind_q_{q.branch_code}_{q.ref}"):
        try:
            remind(store, user, q.branch_code, "publicity", q.ref, today=today)
        except ERRORS as exc:
            st.error(md(exc))
        else:
            done(f"已向{names.get(q.branch_code, q.branch_code)}催办")
