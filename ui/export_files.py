"""Download buttons for the files that go out (台账, 积分卡, 乡镇报表), built only when clicked.

A button's data is a callable (Streamlit runs it on the click), so a page visit costs
nothing; the result is cached on small values only (codes, cycle, period, the scope, and the
store's data_version, bumped by every write), never on frames. Scope is checked by the page
before the button is shown and again in ``core.io.exports``.
"""

from __future__ import annotations

import streamlit as st

from core.auth.scope import Scope
from core.io import exports
from core.io.pdf import font_problem
from ui.session import get_store

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@st.cache_data(max_entries=16, show_spinner=False)
def _ledger(scope: Scope, branch: str, cycle: int, version: int) -> bytes:
    return exports.ledger_xlsx(get_store(), branch, cycle, scope=scope)


@st.cache_data(max_entries=32, show_spinner=False)
def _card(scope: Scope, branch: str, cycle: int, period: str, subject: str | None, version: int) -> bytes:
    return exports.card_bytes(get_store(), branch, cycle, period, subject, scope=scope)


@st.cache_data(max_entries=16, show_spinner=False)
def _report(scope: Scope, org: str, cycle: int, period: str, category: str | None, today, version: int) -> bytes:
    return exports.report_xlsx(get_store(), org, cycle, period, scope=scope, today=today, category=category)


def ledger_button(scope: Scope, branch: str, cycle: int, key: str) -> None:
    store = get_store()
    version = store.data_version()
    st.download_button("导出台账", lambda: _ledger(scope, branch, cycle, version),
                       file_name=exports.file_name(store, "ledger", branch, cycle), mime=XLSX, key=key,
                       on_click="ignore", help="本周期各季度（或方案的各期间）的积分记录和得分，及全年汇总（Excel）")


def card_button(scope: Scope, branch: str, cycle: int, subject: str | None, key: str, period: str = "cycle",
                label: str = "打印积分卡") -> None:
    """A PDF of one subject's 积分卡 (or the branch's, ``subject`` None); where the CJK font
    is missing, a plain message instead of the button."""
    problem = font_problem()
    if problem:
        st.warning(problem)
        return
    store = get_store()
    version = store.data_version()
    st.download_button(label, lambda: _card(scope, branch, cycle, period, subject, version),
                       file_name=exports.file_name(store, "card", branch, cycle, period, subject),
                       mime="application/pdf", key=key, on_click="ignore",
                       help="本周期每条已审核通过的积分记录、累计分和积分结果（A4 PDF）")


def report_button(scope: Scope, flt, key: str) -> None:
    """The township report for the dashboards' filter: its township (or the whole scope),
    cycle, period and category."""
    store = get_store()
    org = flt.township or scope.org_code
    if store.scalar("SELECT level FROM orgs WHERE code = ?", [org]) not in ("county", "township"):
        return  # a secretary's bar is one branch: the table above is the whole report
    version = store.data_version()
    st.download_button("导出乡镇报表", lambda: _report(scope, org, flt.cycle, flt.period, flt.category, flt.today, version),
                       file_name=exports.file_name(store, "report", org, flt.cycle), mime=XLSX, key=key, on_click="ignore",
                       help="各支部的参与率、出勤率、录入条数、平均分和等次占比，与本页数字一致（Excel）")
