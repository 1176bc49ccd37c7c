"""积分录入: keyboard-first entry of one point event, the member's running total, and undo."""

import datetime as dt

import streamlit as st

from core.auth import can
from core.decimals import signed
from core.services import ledger
from core.services.entry_rules import EntryError, member_row
from core.services.member_summary import member_summary
from core.services.village import decision_note, kinds_of, needs_decision
from ui.entry_widgets import (drop_stale, flash, form_key, pick_branch, pick_member, pick_track, renew_form_key,
                              scheme_or_stop, show_flash)
from ui.session import guard
from ui.widgets import md

user, scope, store = guard("quick_entry")
st.title("积分录入")
st.caption("输入姓名或拼音首字母（如 zs 查找张三）后回车，选择项目，提交。提交后表单自动清空，可直接录入下一条。")
show_flash("qe")

branch = pick_branch(store, scope, "qe_branch", clears=("qe_member", "qe_item", "qe_track"))
today = dt.date.today()
# a village runs its party scheme and its household scheme: 积分对象 picks whose entry this is
track = pick_track(store, branch, today, "qe_track", clears=("qe_member", "qe_item"))
scheme = scheme_or_stop(store, branch, today, track)

left, right = st.columns([3, 2])
with left:
    member_id, names = pick_member(store, scope, "qe_member", branch_code=branch, kinds=kinds_of(track),
                                   label="农户" if track == "village" else "党员" if track == "party" else "义工")
    if member_id is None:
        st.stop()
    items = {i.code: i for i in ledger.items_for(scheme, member_row(store, member_id).kind)}
    if not items:
        # a scheme scored from appraisal grids alone (e.g. stars by votes): nothing to enter here
        st.info(f"方案「{scheme.name}」没有可为该成员录入的积分项目，评分请在「民主评议」页面录入")
        st.stop()
    # An item kept from another branch's scheme (or another kind of member) is not one of
    # these: start again from the first rather than fail on it.
    drop_stale("qe_item", items)
    code = st.selectbox("积分项目", list(items), format_func=lambda c: ledger.item_label(items[c]), key="qe_item")
    item = items[code]

    key = form_key("qe")
    with st.form(f"qe_form_{key}"):
        day = st.date_input("日期", value=st.session_state.get("qe_last_date", today), max_value=today,
                            format="YYYY-MM-DD")
        points = None
        if item.is_range:
            points = st.number_input(f"分值（{ledger.item_points_text(item)}）", min_value=float(item.min),
                                     max_value=float(item.max), value=None, step=1.0)
        count = 1
        if item.frequency == "per_unit":
            count = st.number_input("数量（小时数或人数）", min_value=0.5, value=1.0, step=0.5)
        rating = st.selectbox("服务评价", ledger.RATINGS) if item.earn_ratings else None
        decision = None
        if needs_decision(scheme, item):  # 处罚积分: only on a 村集体决定, which the record names
            decision = st.text_input("村集体决定", placeholder="会议日期或决定文号，如：2025年4月8日村民代表会议")
        note = st.text_input("备注", placeholder="事由，如：8月主题党日无故缺席")
        submitted = st.form_submit_button("提交", type="primary")
    if submitted:
        try:
            note = decision_note(scheme, item, decision, note)
            ledger.enter_event(store, user, member_id, code, day, points=points, count=count, note=note,
                               request_key=key, rating=rating)
        except (EntryError, LookupError, PermissionError) as exc:
            st.error(md(exc))
        else:
            renew_form_key("qe")
            st.session_state["qe_last_date"] = day
            flash("qe", f"已录入：{names[member_id]} {day:%Y-%m-%d} {ledger.item_label(item)}，待审核")
            st.rerun()

with right:
    summary = member_summary(store, user, member_id, today)
    st.subheader(md(summary["member"]))
    total = "—" if summary["total"] is None else f"{summary['total']:.1f}"
    c1, c2 = st.columns(2)
    # the cycle's full name (with its dates) is too long for a metric label: it goes in the help
    running = summary["period"] != "cycle"
    c1.metric("截至本期得分（已审核）" if running else "本周期总分（已审核）", total,
              help=f"{summary['cycle_label']}{summary['period_name'] if running else ''}；尚未评定的项目（如评议）不计入")
    if summary["grade"] or summary["stars"] is not None or summary["graded"]:
        c2.metric("等次" if summary["stars"] is None else "星级",
                  summary["grade"] or ("—" if summary["stars"] is None else f"{summary['stars']}星"))
    else:
        c2.metric("等次", "年度评定", help="本期只计分，等次在积分周期结束后评定")
    st.caption(f"{summary['cycle_label']}{summary['period_name'] if running else ''} · 待审核 {summary['pending']} 条 · 排名 {summary['rank'] or '—'} · "
               f"方案：{summary['scheme']}（版本 {summary['scheme_version']}）")

st.subheader("最近录入")
recent = ledger.recent_entries(store, user, limit=10)
if not recent:
    st.caption("还没有录入记录")
for row in recent:
    cols = st.columns([2, 2, 5, 1, 2, 2])
    cols[0].text(f"{row['date']:%Y-%m-%d}")
    cols[1].text(row["member"])
    cols[2].text(row["item"] + (f"（{row['note']}）" if row["note"] else ""))
    cols[3].text("" if row["points"] is None else signed(row["points"]))
    cols[4].text(row["status_name"] + (f"：{row['reason']}" if row["reason"] else ""))
    undoable = row["status"] == "entered" or (row["status"] == "approved" and can(user.role, "review"))
    if undoable and cols[5].button("撤销", key=f"qe_undo_{row['id']}"):
        try:
            ledger.reverse_event(store, user, row["id"], "录入页撤销")
        except (EntryError, PermissionError) as exc:
            st.error(md(exc))
        else:
            flash("qe", f"已撤销：{row['member']} {row['item']}")
            st.rerun()
