"""我的积分: a member's or household's own points, read on a phone (390 px): big numbers,
one column, no wide tables."""

import streamlit as st

from core import self_service
from core.attention import Link
from core.io.pdf import font_problem
from core.scheme_assignments import NoSchemeError
from core.services.entry_rules import EntryError
from core.subjects import HOUSEHOLD_KINDS
from ui.charts import number_text
from ui.links import page_link
from ui.session import guard
from ui.widgets import md

user, _, store = guard("my_points")
st.title("我的积分")


try:
    me = self_service.my_points(store, user)
except (EntryError, NoSchemeError, PermissionError) as exc:
    st.error(md(exc))
    st.stop()

st.caption(md(f"{me['member']} · {me['cycle_label']} · {me['period_name']}"))
# on a phone the sidebar is folded away: the other thing a member comes for is one tap from here
page_link(Link("declare"), "我要申报好人好事", icon=":material/add_a_photo:")
st.metric("截至目前得分" if me["period"] == "cycle" else f"截至{me['period_name']}得分", number_text(me["total"]))
if me["supermarket"]:
    # Two numbers: exchanges lower the balance, never the points that rank
    st.metric("可用余额（可兑换）", number_text(me["balance"]))
    if me["cumulative"] is not None:
        st.metric("累计积分", number_text(me["cumulative"]))
unit = "户" if me["kind"] in HOUSEHOLD_KINDS else "人"
if me["rank"] is not None:
    st.metric("本支部（村）排名", f"第 {me['rank']} 名")
    st.caption(f"共 {me['ranked']} {unit}参加排名")
if me["graded"] and me["grade"]:
    st.metric("等次", me["grade"])
if me["graded"] and me["stars"] is not None:
    st.metric("星级", f"{me['stars']} 星")
if me["pending"]:
    st.info(f"有 {me['pending']} 条记录待审核，审核通过后计入得分")

st.subheader("计分说明")
if me["explain"]:
    st.markdown("\n".join(f"{n}. {md(line)}" for n, line in enumerate(me["explain"], start=1)))
else:
    st.caption("本期还没有积分结果")

problem = font_problem()
if problem:
    st.warning(problem)
else:
    st.download_button("下载我的积分卡（PDF）", lambda: self_service.my_card(store, user),
                       file_name=self_service.my_card_name(store, user), mime="application/pdf",
                       on_click="ignore", icon=":material/download:", width="stretch")

st.subheader("我的申报")
mine = self_service.my_declarations(store, user)
if not mine:
    st.caption("还没有自我申报的记录")
for d in mine:
    with st.container(border=True):
        points = "" if d["points"] is None else f"　{number_text(d['points'])}分"
        st.markdown(f"**{md(d['item'])}**{points}")
        st.caption(f"{d['date']:%Y-%m-%d} · {d['status_name']}")
        if d["note"]:
            st.caption(md(d["note"]))
        if d["status"] == "rejected":
            st.error(md(f"驳回理由：{d['reason']}"))
