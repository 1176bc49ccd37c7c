"""Downloads of a village's household track on 积分结果: every household's 户积分卡 (PDF) and
the 户积分动态管理表 (PDF and Excel), built only when clicked and cached on small values, as
``ui.export_files`` does for the party's files."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core.auth.scope import Scope
from core.io import exports
from core.io.ledger import branch_name
from core.io.pdf import font_problem
from core.io.village import dynamic_pdf, dynamic_xlsx
from core.services.results import view_results
from core.services.village import dynamic_table
from ui.export_files import XLSX
from ui.session import get_store


@st.cache_data(max_entries=16, show_spinner=False)
def _cards(scope: Scope, branch: str, cycle: int, period: str, track: str, version: int) -> bytes:
    return exports.card_bytes(get_store(), branch, cycle, period, scope=scope, track=track)


@st.cache_data(max_entries=16, show_spinner=False)
def _table(scope: Scope, branch: str, cycle: int, track: str, today: dt.date, version: int, kind: str) -> bytes:
    store = get_store()
    table = dynamic_table(store, view_results(store, scope, branch, cycle, "cycle", today, track))
    return dynamic_pdf(table) if kind == "pdf" else dynamic_xlsx(table)


def village_buttons(scope: Scope, branch: str, cycle: int, period: str, track: str, today: dt.date) -> None:
    store = get_store()
    version = store.data_version()
    stem = exports.clean_file_name(f"{branch_name(store, branch)}_{cycle}")
    cols = st.columns(3)
    problem = font_problem()
    if problem:
        st.warning(problem)
    else:
        cols[0].download_button("打印户积分卡", lambda: _cards(scope, branch, cycle, period, track, version),
                                file_name=f"{stem}_户积分卡.pdf", mime="application/pdf", key="vf_cards",
                                on_click="ignore", help="每户一页：本周期每条已审核通过的记录、累计加减分、当年积分、累计积分和可用余额")
        cols[1].download_button("户积分动态管理表（PDF）", lambda: _table(scope, branch, cycle, track, today, version, "pdf"),
                                file_name=f"{stem}_户积分动态管理表.pdf", mime="application/pdf", key="vf_table_pdf",
                                on_click="ignore", help="各户每月积分、本年度积分、累计积分和排名")
    cols[2].download_button("户积分动态管理表（Excel）", lambda: _table(scope, branch, cycle, track, today, version, "xlsx"),
                            file_name=f"{stem}_户积分动态管理表.xlsx", mime=XLSX, key="vf_table_xlsx", on_click="ignore")
