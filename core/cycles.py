"""Rating cycles, their periods, and the one way every page and export names them.

A cycle is named by the calendar year in which it starts: with a start of
07-01, cycle 2025 runs 2025-07-01..2026-06-30. Quarters, halves and months are
counted from the cycle start, not from January, so a label always shows the
dates ("2025—2026年度（2025-07-01至2026-06-30）第1季度（7—9月）"): a 七一 cycle's
第1季度 is July to September, and nobody has to guess which calendar it means.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

QUARTERS = ("Q1", "Q2", "Q3", "Q4")
HALVES = ("H1", "H2")
MONTHS = tuple(f"M{n}" for n in range(1, 13))
PERIODS = ("cycle",) + QUARTERS + HALVES + MONTHS


def _start_md(scheme_or_cycle_start) -> tuple[int, int]:
    return _parse_start(str(getattr(scheme_or_cycle_start, "cycle_start", scheme_or_cycle_start)))


@lru_cache(maxsize=64)
def _parse_start(text: str) -> tuple[int, int]:
    # cached: the engine asks for every subject's every period, with only two starts in use
    month, day = (int(part) for part in text.split("-"))
    if day != 1:
        raise ValueError(f"积分周期必须从某月1日开始: {text}")
    return month, day


def _add_months(year: int, month: int, months: int) -> date:
    index = year * 12 + (month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def month_start(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def next_month(day: date) -> date:
    """The first day of the month after ``day``'s."""
    return _add_months(day.year, day.month, 1)


def month_end(day: date) -> date:
    """The last day of ``day``'s month."""
    return next_month(day) - timedelta(days=1)


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


def month_of(cycle_start, d: date) -> str:
    return MONTHS[months_into_cycle(cycle_start, d)]


def _span(period: str) -> tuple[int, int]:
    """(first month offset, length in months) of a period inside its cycle."""
    if period == "cycle":
        return 0, 12
    if period in QUARTERS:
        return QUARTERS.index(period) * 3, 3
    if period in HALVES:
        return HALVES.index(period) * 6, 6
    if period in MONTHS:
        return MONTHS.index(period), 1
    raise ValueError(f"未知期间: {period}")


def period_bounds(cycle_start, cycle: int, period: str) -> tuple[date, date]:
    start, _ = cycle_bounds(cycle_start, cycle)
    first, length = _span(period)
    begin = _add_months(start.year, start.month, first)
    return begin, _add_months(begin.year, begin.month, length) - timedelta(days=1)


def period_of(cycle_start, d: date, periods: list[str] | tuple[str, ...]) -> str:
    """The period among ``periods`` that contains ``d`` (for dated score rows): a month's
    评定 where the component is rated monthly, else its quarter or half, else the cycle."""
    if any(p in MONTHS for p in periods):
        return month_of(cycle_start, d)
    if "cycle" in periods:
        return "cycle"
    if periods and periods[0] in HALVES:
        return half_of(cycle_start, d)
    return quarter_of(cycle_start, d)


def current_period(scheme_or_cycle_start, cycle: int, periods, today: date) -> str:
    """The shortest of ``periods`` that holds ``today`` (the running quarter or month), else the
    cycle: what a running cycle is best shown as, since its 全年 grade is not yet due."""
    def length(p: str) -> int:
        first, last = period_bounds(scheme_or_cycle_start, cycle, p)
        return (last - first).days if first <= today <= last else 10**6
    return min(periods, key=length) if periods else "cycle"


def periods_within(outer: str, periods) -> list[str]:
    """Those of ``periods`` that lie wholly inside ``outer`` (e.g. Q1, Q2 inside H1)."""
    first, length = _span(outer)
    out = []
    for p in periods:
        f, n = _span(p)
        if f >= first and f + n <= first + length:
            out.append(p)
    return out


def periods_due(upto: str, periods) -> list[str]:
    """Those of ``periods`` that end on or before ``upto`` ends (the cycle to date)."""
    first, length = _span(upto)
    return [p for p in periods if sum(_span(p)) <= first + length]


# --- names ------------------------------------------------------------------------------

_ORDINAL = {"H1": "前半年", "H2": "后半年"}


def _months_text(begin: date, end: date) -> str:
    if begin.month == end.month and begin.year == end.year:
        return f"{begin.month}月"
    if begin.year == end.year:
        return f"{begin.month}—{end.month}月"
    return f"{begin.month}月—次年{end.month}月"


def month_label(day: date) -> str:
    """2025-09-xx → 2025年9月."""
    return f"{day.year}年{day.month}月"


def cycle_label(scheme_or_cycle_start, cycle: int) -> str:
    """'2025—2026年度（2025-07-01至2026-06-30）', or '2025年度（2025-01-01至2025-12-31）'."""
    start, end = cycle_bounds(scheme_or_cycle_start, cycle)
    years = f"{start.year}年度" if start.year == end.year else f"{start.year}—{end.year}年度"
    return f"{years}（{start:%Y-%m-%d}至{end:%Y-%m-%d}）"


def period_name(scheme_or_cycle_start, cycle: int, period: str) -> str:
    """The period inside its cycle, with its months: '第1季度（7—9月）', '全年'."""
    if period == "cycle":
        return "全年"
    begin, end = period_bounds(scheme_or_cycle_start, cycle, period)
    if period in QUARTERS:
        word = f"第{period[1]}季度"
    elif period in HALVES:
        month, _ = _start_md(scheme_or_cycle_start)
        word = ("上半年" if period == "H1" else "下半年") if month == 1 else _ORDINAL[period]
    else:
        return f"{begin.year}年{begin.month}月"
    return f"{word}（{_months_text(begin, end)}）"


def period_label(scheme_or_cycle_start, cycle: int, period: str) -> str:
    """The one full name of a cycle's period, everywhere (公示 title, PDF, Excel, pages):
    '2025—2026年度（2025-07-01至2026-06-30）第1季度（7—9月）'."""
    label = cycle_label(scheme_or_cycle_start, cycle)
    return label if period == "cycle" else label + period_name(scheme_or_cycle_start, cycle, period)


def period_short(scheme_or_cycle_start, period: str) -> str:
    """A period's name inside any cycle, for explanation lines: '第1季度', '前半年', '7月', '全年'."""
    return _short(str(getattr(scheme_or_cycle_start, "cycle_start", scheme_or_cycle_start)), period)


@lru_cache(maxsize=256)
def _short(scheme_or_cycle_start: str, period: str) -> str:
    if period == "cycle":
        return "全年"
    if period in QUARTERS:
        return f"第{period[1]}季度"
    month, _ = _start_md(scheme_or_cycle_start)
    if period in HALVES:
        return ("上半年" if period == "H1" else "下半年") if month == 1 else _ORDINAL[period]
    return f"{(month + MONTHS.index(period) - 1) % 12 + 1}月"
