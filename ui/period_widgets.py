"""The branch / cycle / period picker the results and 公示 pages share."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core.cycles import QUARTERS, cycle_of
from core.services.entry_rules import PERIOD_NAMES
from ui.entry_widgets import pick_branch, scheme_or_stop

PERIODS_SHOWN = ("cycle",) + QUARTERS


def pick_branch_period(store, scope, prefix: str, today: dt.date, prefer=None) -> tuple[str, int, str]:
    """(branch, cycle, period) chosen on the page; with no branch or no scheme to compute
    with, the page says so and stops. ``prefer(branch)`` may name the (cycle, period) to
    start on, so a page opens where the work is."""
    cols = st.columns([2, 1, 1])
    with cols[0]:
        branch = pick_branch(store, scope, f"{prefix}_branch")
    scheme = scheme_or_stop(store, branch, today)
    current = cycle_of(scheme.cycle_start, today)
    cycles = [current, current - 1, current - 2]
    start_cycle, start_period = (prefer(branch) if prefer else None) or (current, "cycle")
    cycle = cols[1].selectbox("积分周期", cycles, format_func=lambda c: f"{c}年度", key=f"{prefix}_cycle",
                              index=cycles.index(start_cycle) if start_cycle in cycles else 0)
    period = cols[2].selectbox("期间", PERIODS_SHOWN, format_func=PERIOD_NAMES.get, key=f"{prefix}_period",
                               index=PERIODS_SHOWN.index(start_period) if start_period in PERIODS_SHOWN else 0)
    return branch, cycle, period
