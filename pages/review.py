"""审核: filter the entered events, tick them, approve in a batch or reject with a reason."""

import datetime as dt

import polars as pl
import streamlit as st

from core import orgs
from core.decimals import signed
from core.labels import unique
from core.services import review
from core.services.entry_rules import EntryError
from core.services.village import SUBJECT_NAMES
from ui.entry_widgets import (drop_stale, flash, form_key, pick_branch, pick_track, renew_form_key, rows_key,
                              show_flash)
from ui.evidence_view import declaration_photos, entered_by_label
from ui.session import guard
from ui.widgets import md

user, scope, store = guard("review")
st.title("审核")
st.caption("勾选要处理的记录后「批量通过」，或填写理由后「驳回」。撤销记录立即生效，不需审核。")
show_flash("rv")

branch = pick_branch(store, scope, "rv_branch", clears=("rv_by", "rv_item", "rv_track", "rv_month"))
branch_label = orgs.labels(store, [branch])[branch]
today = dt.date.today()
# a village reviews its households month by month (一月一审核) beside its party members' records
track = pick_track(store, branch, today, "rv_track", clears=("rv_by", "rv_item", "rv_month"))
who = SUBJECT_NAMES.get(track, "党员") if track != "village" else "农户"
months = [dt.date(today.year + (today.month - 1 - i) // 12, (today.month - 1 - i) % 12 + 1, 1) for i in range(12)]
# 全部 is the None option; a picker restarted to None shows its placeholder, so that says 全部 too
drop_stale("rv_month", [None, *months])
month = st.selectbox("月份", [None] + months, key="rv_month", placeholder="全部",
                     format_func=lambda m: "全部" if m is None else f"{m:%Y年%m月}",
                     help="一月一审核：选定月份后「全选」即可一次通过该月全部记录")

c1, c2, c3, c4 = st.columns(4)
member_query = c1.text_input(who, key="rv_member", placeholder="姓名、拼音首字母或门牌号" if track == "village"
                             else "姓名或拼音首字母")
start = c2.date_input("开始日期", value=None, format="YYYY-MM-DD", key="rv_start")
end = c3.date_input("结束日期", value=None, format="YYYY-MM-DD", key="rv_end")
if month is not None:  # the month narrows the dates typed (both apply)
    month_end = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1) - dt.timedelta(days=1)
    start, end = max(start or month, month), min(end or month_end, month_end)
everything = review.review_queue(store, user, branch_code=branch, track=track)
enterers = unique(sorted({(r["entered_by"], r["entered_by_name"]) for r in everything}))
drop_stale("rv_by", [None, *enterers])
entered_by = c4.selectbox("录入人", [None] + list(enterers), format_func=lambda u: enterers.get(u, "全部"), key="rv_by",
                         placeholder="全部")
item_names = unique(sorted({(r["item_code"], r["item"]) for r in everything}, key=lambda p: p[1]))
drop_stale("rv_item", [None, *item_names])
item = st.selectbox("积分项目", [None] + list(item_names), format_func=lambda c: item_names.get(c, "全部"),
                    key="rv_item", placeholder="全部")
queue = review.review_queue(store, user, branch_code=branch, member_query=member_query, item=item,
                            start=start, end=end, entered_by=entered_by, track=track)
if not queue:
    st.success("没有待审核的记录")
    st.stop()

key = form_key("rv")
rows = rows_key([r["id"] for r in queue])
select_all = st.checkbox(f"全选 {md(branch_label)}的 {len(queue)} 条记录", key=f"rv_all_{key}_{rows}")
table = pl.DataFrame({
    "选择": [select_all] * len(queue),
    "日期": [f"{r['date']:%Y-%m-%d}" for r in queue],
    who: [r["member"] for r in queue],
    "项目": [r["item"] for r in queue],
    "分值": ["" if r["points"] is None else signed(r["points"]) for r in queue],
    "备注": [r["note"] for r in queue],
    "录入人": [entered_by_label(r) for r in queue],
    "编号": [r["id"] for r in queue],
})
edited = st.data_editor(table, key=f"rv_editor_{key}_{rows}_{select_all}", hide_index=True, num_rows="fixed",
                        disabled=[c for c in table.columns if c != "选择"],
                        column_config={"选择": st.column_config.CheckboxColumn("选择")})
chosen = edited.filter(pl.col("选择"))["编号"].to_list()
declaration_photos(store, user, queue, key)

# The buttons name the branch and the count, so what a click will change is on the button;
# the service checks again that every record is this branch's.
approve = st.button(f"批量通过 {md(branch_label)}的 {len(chosen)} 条记录", type="primary", key=f"rv_approve_{key}")
b2, b3 = st.columns([3, 2])
reason = b2.text_input("驳回理由", key=f"rv_reason_{key}", placeholder="驳回时必填，如：当天已请假")
reject = b3.button(f"驳回 {md(branch_label)}的 {len(chosen)} 条记录", key=f"rv_reject_{key}")
if approve or reject:
    try:
        done = (review.approve(store, user, chosen, branch_code=branch) if approve
                else review.reject(store, user, chosen, reason, branch_code=branch))
    except (EntryError, PermissionError) as exc:
        st.error(md(exc))
    else:
        renew_form_key("rv")
        flash("rv", f"已{'通过' if approve else '驳回'} {branch_label}的 {done} 条记录")
        st.rerun()
