"""Rating cycles and their periods.

A cycle is named by the calendar year in which it starts: with a start of
07-01, cycle 2025 runs 2025-07-01..2026-06-30. Quarters and halves are counted
from the cycle start, not from January.
"""

from __future__ import annotations

from datetime import date, timedelta

QUARTERS = ("Q1", "Q2", "Q3", "Q4")
HALVES = ("H1", "H2")
PERIODS = ("cycle",) + QUARTERS + HALVES


def _start_md(scheme_or_cycle_start) -> tuple[int, int]:
    text = getattr(scheme_or_cycle_start, "cycle_start", scheme_or_cycle_start)
    month, day = (int(part) for part in str(text).split("-"))
    if day != 1:
        raise ValueError(f"积分周期必须从某月1日开始: {text}")
    return month, day


def _add_months(year: int, month: int, months: int) -> date:
    index = year * 12 + (month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def cycle_bounds(scheme_or_cycle_start, cycle: int) -> tuple[date, date]:
    month, _ = _start_md(scheme_or_cycle_start)
    start = date(cycle, month, 1)
    return start, _add_months(cycle, month, 12) - timedelta(days=1)


def months_into_cycle(cycle_start, d: date) -> int:
    """Month offset of ``d`` from the start of its cycle (0..11)."""
    month, _ = _start_md(cycle_start)
    return (d.month - month) % 12


def cycle_of(cycle_start, d: date) -> int:
    month, _ = _start_md(cycle_start)
    return d.year if d.month >= month else d.year - 1


def quarter_of(cycle_start, d: date) -> str:
    return QUARTERS[months_into_cycle(cycle_start, d) // 3]


def half_of(cycle_start, d: date) -> str:
    return HALVES[months_into_cycle(cycle_start, d) // 6]


def period_bounds(cycle_start, cycle: int, period: str) -> tuple[date, date]:
    start, end = cycle_bounds(cycle_start, cycle)
    if period == "cycle":
        return start, end
    if period in QUARTERS:
        first, length = QUARTERS.index(period) * 3, 3
    elif period in HALVES:
        first, length = HALVES.index(period) * 6, 6
    else:
        raise ValueError(f"未知期间: {period}")
    begin = _add_months(start.year, start.month, first)
    return begin, _add_months(begin.year, begin.month, length) - timedelta(days=1)


def period_of(cycle_start, d: date, periods: list[str] | tuple[str, ...]) -> str:
    """The period among ``periods`` that contains ``d`` (for dated score rows)."""
    if "cycle" in periods:
        return "cycle"
    if periods and periods[0] in HALVES:
        return half_of(cycle_start, d)
    return quarter_of(cycle_start, d)
