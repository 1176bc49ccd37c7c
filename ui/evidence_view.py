"""The photos of self-declarations (自我申报) in the review queue, for the reviewer to look at
before deciding. Read through ``core.evidence.event_photo``, which checks the reviewer's scope."""

from __future__ import annotations

import streamlit as st

from core.evidence import event_photo
from core.services.entry_rules import EntryError
from ui.widgets import md

DECLARED = "（自我申报）"


def entered_by_label(row: dict) -> str:
    """The queue's 录入人 cell: a declaration says so beside the declarant's name."""
    return row["entered_by_name"] + (DECLARED if row.get("source") == "declaration" else "")


def declaration_photos(store, user, queue: list[dict], key: str) -> None:
    declared = {r["id"]: f"{r['date']:%Y-%m-%d} {r['member']}「{r['item']}」" for r in queue
                if r.get("source") == "declaration"}
    if not declared:
        return
    with st.expander(f"查看自我申报的照片（{len(declared)} 条）", icon=":material/photo_library:"):
        event_id = st.selectbox("申报记录", list(declared), format_func=declared.get, index=None,
                                placeholder="请选择…", key=f"rv_photo_{key}")
        if event_id is None:
            return
        note = next(r["note"] for r in queue if r["id"] == event_id)
        if note:
            st.caption(md(f"申报说明：{note}"))
        try:
            photo = event_photo(store, user, event_id)
        except (EntryError, PermissionError) as exc:
            st.error(md(exc))
            return
        if photo is None:
            st.info("该申报没有照片")
        else:
            st.image(photo[0], width=360)
