"""活动签到: create an activity, untick the absent, save; the scheme's items follow."""

import datetime as dt

import polars as pl
import streamlit as st

from core import orgs
from core.services import attendance, ledger
from core.services.entry_rules import EntryError
from ui.entry_widgets import flash, form_key, pick_branch, renew_form_key, rows_key, scheme_or_stop, show_flash
from ui.session import guard
from ui.widgets import md

user, scope, store = guard("attendance")
st.title("活动签到")
st.caption("默认全员出席：只需取消缺席人员的「出席」勾选；请假的勾选「请假」。保存后按积分方案自动生成扣分（加分）记录，经审核后计入。")
show_flash("att")

branch = pick_branch(store, scope, "att_branch")
today = dt.date.today()

c1, c2, c3 = st.columns([2, 2, 3])
kind = c1.selectbox("活动类型", attendance.ACTIVITY_TYPES, key="att_type")
day = c2.date_input("活动日期", value=today, max_value=today, format="YYYY-MM-DD", key="att_date")
title = c3.text_input("活动名称", key="att_title", placeholder=f"留空则为「{day:%Y年%m月}{kind}」")
scheme = scheme_or_stop(store, branch, day)

roster = attendance.roster(store, branch)
if not roster:
    st.info("本支部没有在册党员")
    st.stop()
key = form_key("att")
editor_key = f"att_editor_{key}_{rows_key(m.id for m in roster)}"
base = pl.DataFrame({"编号": [m.id for m in roster], "姓名": [m.name for m in roster],
                     "出席": [True] * len(roster), "请假": [False] * len(roster)})
edited = st.data_editor(
    base, key=editor_key, hide_index=True, disabled=["编号", "姓名"], num_rows="fixed",
    height=min(38 * len(roster) + 40, 760),
    column_config={"出席": st.column_config.CheckboxColumn("出席", default=True),
                   "请假": st.column_config.CheckboxColumn("请假", help="勾选请假即不扣分，无需再取消出席", default=False)},
)
# 请假 wins over 出席, so marking leave is a single click.
statuses = {mid: "leave" if leave else ("present" if present else "absent")
            for mid, present, leave in edited.select("编号", "出席", "请假").iter_rows()}
counts = {s: sum(1 for v in statuses.values() if v == s) for s in attendance.STATUSES}
follows = attendance.following_items(scheme, kind, roster, statuses)
st.write(f"应到 {len(roster)} 人，出席 {counts['present']} 人，请假 {counts['leave']} 人，缺席 {counts['absent']} 人。")
if follows:
    labels = sorted({ledger.item_label(scheme.items[code]) for _, code in follows})
    st.text(f"将生成 {len(follows)} 条「{'、'.join(labels)}」记录（待审核）："
            + "、".join(m.name for m, _ in follows))
else:
    st.caption("本次活动不产生积分记录（只记录签到）。")

# the button names the branch and the head count, like every batch action
if st.button(f"保存签到（{md(orgs.labels(store, [branch])[branch])}，{len(roster)} 人）", type="primary",
             key=f"att_save_{key}"):
    try:
        saved = attendance.create_activity(store, user, branch, kind, day, title or f"{day:%Y年%m月}{kind}",
                                           statuses, request_key=key)
    except (EntryError, LookupError, PermissionError) as exc:
        st.error(md(exc))
    else:
        renew_form_key("att")
        flash("att", f"已保存签到，生成 {len(saved.event_ids)} 条积分记录，请到「审核」页审核")
        st.rerun()

st.subheader("最近活动")
recent = attendance.recent_activities(store, branch)
if recent:
    st.dataframe(
        [{"日期": f"{r['date']:%Y-%m-%d}", "类型": r["type"], "名称": r["title"], "应到": r["expected"],
          "出席": r["present"], "请假": r["leave"], "缺席": r["absent"], "生成记录": r["events"],
          "参与率": "—" if r["rate"] is None else f"{r['rate']}%"} for r in recent],
        hide_index=True, width="stretch")
else:
    st.caption("还没有活动记录")
