"""自我申报: a member or household head declares a good deed with a photo, from a phone.
The declaration waits in 审核 like any entry; its status and a rejection's reason show on
我的积分."""

import datetime as dt

import streamlit as st

from core import self_service
from core.evidence import MAX_MB
from core.labels import unique
from core.scheme_assignments import NoSchemeError
from core.services import ledger
from core.services.entry_rules import EntryError
from ui.entry_widgets import flash, form_key, renew_form_key, show_flash
from ui.session import guard
from ui.widgets import md, uploader_in_chinese

user, _, store = guard("declare")
st.title("自我申报")
show_flash("dc")
today = dt.date.today()
try:
    scheme, items = self_service.declarable_items(store, user, today)
except (EntryError, NoSchemeError, PermissionError) as exc:
    st.error(md(exc))
    st.stop()
if not items:
    st.info(md(f"「{scheme.name}」未开放自我申报，请向记分员或网格员反映您的好人好事"))
    st.stop()
st.caption("填写事项、日期和事由，附一张照片，提交后由支部（村）审核；审核结果在「我的积分」查看。")

key = form_key("dc")
by_code = {i.code: i for i in items}
labels = unique((i.code, ledger.item_label(i)) for i in items)
code = st.selectbox("申报项目", list(labels), format_func=labels.get, index=None, placeholder="请选择…",
                    key=f"dc_item_{key}")
day = st.date_input("发生日期", value=today, max_value=today, format="YYYY-MM-DD", key=f"dc_day_{key}")
item = by_code.get(code)
points = None
if item is not None and item.is_range:
    points = st.number_input(f"分值（{ledger.item_points_text(item)}）", min_value=float(item.min),
                             max_value=float(item.max), value=None, step=1.0, key=f"dc_points_{key}")
count = 1
if item is not None and item.frequency == "per_unit":
    count = st.number_input("数量（小时数）", min_value=0.5, value=1.0, step=0.5, key=f"dc_count_{key}")
note = st.text_area("申报说明", placeholder="在什么地方、做了什么，如：6月3日在村口帮助孤寡老人收玉米",
                    key=f"dc_note_{key}", height=100)
# The name's extension only filters the phone's picker, and the size limit stops a large file
# before it is sent over a phone's data; core checks the content and size again itself.
uploader_in_chinese()
photo = st.file_uploader(f"照片（jpg 或 png，最大 {MAX_MB} MB）", type=["jpg", "jpeg", "png"], key=f"dc_photo_{key}",
                         max_upload_size=MAX_MB)
if st.button("提交申报", type="primary", key=f"dc_submit_{key}", width="stretch"):
    if code is None:
        st.error("请选择申报项目")
        st.stop()
    try:
        self_service.declare(store, user, code, day, points=points, count=count, note=note,
                             photo=photo.getvalue() if photo is not None else None, request_key=key)
    except (EntryError, PermissionError) as exc:
        st.error(md(exc))
    else:
        renew_form_key("dc")
        flash("dc", f"已提交「{by_code[code].name}」的申报，等待审核")
        st.rerun()
