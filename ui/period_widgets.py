"""The branch / cycle / period picker the results and 公示 pages share."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core.cycles import QUARTERS, cycle_of
from core.scheme_assignments import NoSchemeError, scheme_for
from core.services.entry_rules import PERIOD_NAMES
from ui.entry_widgets import pick_branch

PERIODS_SHOWN = ("cycle",) + QUARTERS


def pick_branch_period(store, scope, prefix: str, today: dt.date) -> tuple[str, int, str] | None:
    """(branch, cycle, period) chosen on the page, or None (with a message) when there is
    no branch or no scheme to compute with."""
    cols = st.columns([2, 1, 1])
    with cols[0]:
        branch = pick_branch(store, scope, f"{prefix}_branch")
    if branch is None:
        return None
    try:
        scheme, _ = scheme_for(store, branch, today)
    except NoSchemeError as exc:
        st.warning(str(exc))
        return None
    current = cycle_of(scheme.cycle_start, today)
    cycles = [current, current - 1, current - 2]
    cycle = cols[1].selectbox("积分周期", cycles, format_func=lambda c: f"{c}年度", key=f"{prefix}_cycle")
    period = cols[2].selectbox("期间", PERIODS_SHOWN, format_func=PERIOD_NAMES.get, key=f"{prefix}_period")
    return branch, cycle, period
