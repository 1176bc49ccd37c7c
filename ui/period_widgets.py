"""The branch / cycle / period picker the results and 公示 pages share."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core.cycles import current_period, cycle_label, cycle_of, period_name
from core.scheme import Scheme
from ui.entry_widgets import drop_stale, forget, pick_branch, pick_track, scheme_or_stop
from ui.links import arrived


def publish_order(scheme: Scheme) -> list[str]:
    """The scheme's published periods in cycle order, the cycle itself last (Q1…Q4, 全年)."""
    return [p for p in scheme.publish_periods if p != "cycle"] + ["cycle"]


def pick_branch_period(store, scope, prefix: str, today: dt.date, prefer=None,
                       start: str = "cycle") -> tuple[str, int, str]:
    """``pick_track_period`` for the party members alone (pages that serve no other track)."""
    branch, _, cycle, period = pick_track_period(store, scope, prefix, today,
                                                 prefer and (lambda b, _t: prefer(b)), start, tracks=False)
    return branch, cycle, period


def pick_track_period(store, scope, prefix: str, today: dt.date, prefer=None, start: str = "cycle",
                      tracks: bool = True) -> tuple[str, str, int, str]:
    """(branch, cycle, period) chosen on the page; with no branch or no scheme to compute
    with, the page says so and stops. The periods offered are the scheme's published ones,
    named with their months and the cycle with its dates (core.cycles).

    Where it starts: a link's ``?branch=&cycle=&period=``; else ``prefer(branch)`` (e.g.
    the open 公示); else the current cycle and, with ``start="current"``, today's period.
    Changing the branch starts its cycle and period afresh the same way.

    With ``tracks``, a branch running more than one track (a village's 党员 and 农户) offers
    「积分对象」 first; the cycle and periods are then that track's scheme's, and ``prefer``
    gets (branch, track). Returns (branch, track, cycle, period)."""
    keys = (f"{prefix}_cycle", f"{prefix}_period")
    link = arrived()
    if "branch" in link:
        st.session_state[f"{prefix}_branch"] = link["branch"]
        forget(keys)
    branch = pick_branch(store, scope, f"{prefix}_branch", clears=keys + (f"{prefix}_track",))
    track = pick_track(store, branch, today, f"{prefix}_track", clears=keys) if tracks else "party"
    scheme = scheme_or_stop(store, branch, today, track)
    current = cycle_of(scheme.cycle_start, today)
    cycles = [current, current - 1, current - 2]
    periods = publish_order(scheme)
    chosen = None
    if "cycle" in link and link["cycle"].isdigit():
        chosen = (int(link["cycle"]), link.get("period", "cycle"))
        forget(keys)
    elif prefer is not None:
        chosen = prefer(branch, track)
    if chosen is None:
        chosen = (current, current_period(scheme, current, periods, today) if start == "current" else "cycle")
    if chosen[0] not in cycles and chosen[0] <= current:
        cycles.append(chosen[0])
    starts = (chosen[0] if chosen[0] in cycles else current, chosen[1] if chosen[1] in periods else periods[-1])
    drop_stale(keys[0], cycles, starts[0])
    drop_stale(keys[1], periods, starts[1])
    # Start values go into the state rather than ``index``: set once, the user's choice then
    # holds across reruns.
    st.session_state.setdefault(keys[0], starts[0])
    st.session_state.setdefault(keys[1], starts[1])
    # a row of their own: the cycle's name with its dates is long, and is not cut short at 1024 px
    cols = st.columns([2, 1])
    cycle = cols[0].selectbox("积分周期", cycles, format_func=lambda c: cycle_label(scheme, c), key=keys[0])
    period = cols[1].selectbox("期间", periods, format_func=lambda p: period_name(scheme, cycle, p), key=keys[1])
    return branch, track, cycle, period
