"""Entered per-period components in the cycle result: which periods count for a subject, and
a warning for each counted period left without a row.

``skip_before_approval``: a period that ends before the subject's ``approved_on`` is left out
of the mean, and the divisor shrinks with it (a quarter ending on ``approved_on`` counts).
``missing_period_warning`` (e.g. ``missing_quarter``): each counted period without a row
counts 0 in the cycle result and is named in a warning. A period result never raises it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from core.cycles import period_bounds
from core.engine.case import Score
from core.scheme.model import Component, Scheme


def _short(period: str) -> str:
    """Q4 → 第4季度, H1 → 上半年, M3 → 第3个月 (counted from the cycle start)."""
    kind, n = period[0], period[1:]
    return {"Q": f"第{n}季度", "H": "上半年" if n == "1" else "下半年", "M": f"第{n}个月"}.get(kind, period)


def counted_component(scheme: Scheme, comp: Component, approved_on: date | None, cycle: int) -> tuple[Component, list[str]]:
    """(the component with only the periods that count for this subject, explain lines)."""
    if not comp.skip_before_approval or approved_on is None:
        return comp, []
    kept, lines = [], []
    for period in comp.periods:
        end = period_bounds(scheme.cycle_start, cycle, period)[1]
        if end < approved_on:
            lines.append(f"{comp.name} {_short(period)} 在纳入积分管理日期 {approved_on.isoformat()} 之前结束，不计入平均")
        else:
            kept.append(period)
    return (replace(comp, periods=tuple(kept)) if lines else comp), lines


def missing_periods(comp: Component, rows: list[Score]) -> list[str]:
    """Warnings ("code:text") for the counted periods without a row, in the cycle result."""
    if comp.missing_period_warning is None:
        return []
    given = {s.period for s in rows}
    return [f"{comp.missing_period_warning}:{comp.name} {_short(p)} 未录入，按 0 计"
            for p in comp.periods if p not in given]
