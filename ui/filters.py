"""The filter bar every dashboard shares, and the cache its reads go through.

The choices live in ``st.session_state`` under ``f_*`` keys, so a drill-down on one page
(a branch picked in an alert or the comparison table) carries over to the next. A
secretary's bar is pinned to their own branch; the scope check in ``core`` stands anyway.
"""

from __future__ import annotations

import datetime as dt
import importlib

import streamlit as st

from core import members, orgs
from core.auth.scope import Scope
from core.metrics.filters import (Filter, cycle_name, cycle_starts, default_filter, month_key, period_label,
                                  quarter_key)
from ui.links import arrived
from ui.session import get_store

CATEGORY_ALL = "全部类别"
ALL = ""


def today() -> dt.date:
    return dt.date.today()


@st.cache_data(ttl=900, max_entries=512, show_spinner=False)
def _cached(target: str, scope: Scope, flt: Filter, version: int, args: tuple, kwargs: tuple):
    module, name = target.split(":")
    function = getattr(importlib.import_module(module), name)
    return function(get_store(), scope, flt, *args, **dict(kwargs))


def cached(target: str, scope: Scope, flt: Filter, *args, **kwargs):
    """``module:function(store, scope, flt, ...)``, cached on small values only: the scope,
    the filter, the extra arguments and the store's data_version (bumped by every write)."""
    return _cached(target, scope, flt, get_store().data_version(), args, tuple(sorted(kwargs.items())))


def drill_to(branch: str, township: str | None = None) -> None:
    """Narrow every dashboard to one branch (used by alert links and table clicks)."""
    if township:
        st.session_state["f_township"] = township
    st.session_state["f_branch"] = branch


def _follow_link(store) -> None:
    """A link's ``?branch=`` (an alert's "查看支部") narrows the bar to that branch once."""
    code = arrived().get("branch")
    org = orgs.get_org(store, code) if code else None
    if org is not None and org.level == "branch":
        drill_to(code, org.parent_code)


def filter_bar(user, scope: Scope, *, period: bool = True, cycle: bool = True, category: bool = True) -> Filter:
    """Township / branch / category / period / cycle pickers; returns the Filter."""
    store = get_store()
    _follow_link(store)
    now = today()
    base = default_filter(now)
    # two rows, so at 1024 px no choice is cut short: who (org, category), then when
    cols = st.columns(3) + st.columns([1, 2])
    township = branch = None
    if user.role == "secretary" or user.role == "recorder":
        branch = user.org_code
        cols[0].text_input("党支部", value=orgs.options(store, scope, "branch").get(branch, branch), disabled=True)
    else:
        towns = orgs.options(store, scope, "township")
        if len(towns) == 1:
            township = next(iter(towns))
            cols[0].text_input("乡镇（街道）", value=towns[township], disabled=True)
        else:
            township = cols[0].selectbox("乡镇（街道）", [ALL] + list(towns), key="f_township",
                                         format_func=lambda c: towns.get(c, "全部乡镇（街道）")) or None
        branches = orgs.options(store, scope, "branch", township)
        if st.session_state.get("f_branch") not in (None, ALL, *branches):
            st.session_state["f_branch"] = ALL
        branch = cols[1].selectbox("党支部（村）", [ALL] + list(branches), key="f_branch",
                                   format_func=lambda c: branches.get(c, "全部支部")) or None
    chosen_category = None
    if category:
        pick = cols[2].selectbox("党员类别", [CATEGORY_ALL] + members.categories(store), key="f_category")
        chosen_category = None if pick == CATEGORY_ALL else pick
    chosen_period = base.period
    if period:
        choices = _period_choices(now)
        chosen_period = cols[3].selectbox("统计期间", choices, key="f_period", format_func=period_label)
    chosen_cycle = base.cycle
    if cycle:
        cycles = list(range(now.year, now.year - 4, -1))
        # named with the dates of the schemes in scope (a 七一 cycle 2025 runs into 2026)
        starts = cycle_starts(store, scope, Filter(today=now, cycle=base.cycle, period=base.period,
                                                   township=township, branch=branch))
        chosen_cycle = cols[4].selectbox("积分周期（年度）", cycles, index=cycles.index(base.cycle), key="f_cycle",
                                         format_func=lambda c: cycle_name(starts, c, dates=len(starts) < 2))
        if len(starts) > 1:  # the spans are too long for the picker
            cols[4].caption(cycle_name(starts, chosen_cycle))
    return Filter(today=now, cycle=chosen_cycle, period=chosen_period, township=township, branch=branch,
                  category=chosen_category)


def _period_choices(now: dt.date) -> list[str]:
    """This quarter first, then this month, the year, and earlier quarters and months."""
    quarters, months = [], []
    year, month = now.year, now.month
    for _ in range(12):
        key = f"{year}-{month:02d}"
        months.append(key)
        q = f"{year}Q{(month - 1) // 3 + 1}"
        if q not in quarters:
            quarters.append(q)
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return [quarter_key(now), month_key(now), str(now.year)] + quarters[1:] + months[1:] + [str(now.year - 1)]
