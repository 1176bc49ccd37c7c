"""The 公示's printable sheet, PDF and Excel, built once per snapshot.

Building the PDF takes most of a second; a 公示 page is visited again and again while its
window runs. The cache keys on small values only: the publicity id (a snapshot never
changes) and the store's data_version (a renamed branch, a reopened period, ...)."""

from __future__ import annotations

import streamlit as st

from core.io.pdf import FontMissing, notice_pdf
from core.io.tables import excel_bytes
from core.services.publicity import get_publicity, notice
from ui.session import get_store


@st.cache_data(max_entries=64, show_spinner=False)
def _files(publicity_id: int, version: int) -> tuple[dict, bytes | None, str | None, bytes]:
    store = get_store()
    sheet = notice(store, get_publicity(store, publicity_id))
    try:
        pdf, problem = notice_pdf(sheet), None
    except FontMissing as exc:  # shown on the page instead of the download button
        pdf, problem = None, str(exc)
    return sheet, pdf, problem, excel_bytes({sheet["title"]: sheet["rows"]})


def notice_files(publicity_id: int) -> tuple[dict, bytes | None, str | None, bytes]:
    """(sheet, PDF bytes or None, why there is no PDF, Excel bytes) of one 公示."""
    return _files(publicity_id, get_store().data_version())
