"""Which part of a cycle a result is about (SCHEMES.md, "Period results").

A result for a quarter, a half or a month shows that period's own component scores and
the cycle to date; it never counts a later period, at its base or as 0, and it applies
nothing annual (grades, quotas, streaks, cycle flags and warnings) unless the scheme
grades that period. ``PeriodView`` answers, for one evaluation, which of a component's
own periods are due (ended by P's end) and which lie inside P.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.cycles import PERIODS, cycle_bounds, period_bounds, period_short, periods_due, periods_within
from core.engine.case import CaseError
from core.scheme.model import Component, Scheme


@dataclass(frozen=True)
class PeriodView:
    period: str
    cycle_start: str
    graded: bool  # the scheme rates this period (grade or stars)
    start: date
    end: date
    cycle_begin: date

    @classmethod
    def of(cls, scheme: Scheme, cycle: int, period: str) -> "PeriodView":
        if period not in PERIODS:
            raise CaseError("period", None, f"期间应为 {'、'.join(PERIODS)} 之一，实为 {period!r}")
        start, end = period_bounds(scheme.cycle_start, cycle, period)
        begin, _ = cycle_bounds(scheme.cycle_start, cycle)
        return cls(period, scheme.cycle_start, period in scheme.graded_periods, start, end, begin)

    @property
    def annual(self) -> bool:
        return self.period == "cycle"

    @property
    def name(self) -> str:
        return period_short(self.cycle_start, self.period)

    def short(self, period: str) -> str:
        return period_short(self.cycle_start, period)

    def due(self, comp: Component) -> list[str]:
        """The component's own periods counted to date. A ``cycle`` row is due only in
        the cycle result."""
        own = [p for p in comp.periods if p != "cycle"]
        if self.annual:
            return list(comp.periods)
        return periods_due(self.period, own)

    def within(self, comp: Component) -> list[str]:
        """The component's own periods that make up P (a half holds two quarters)."""
        own = [p for p in comp.periods if p != "cycle"]
        return list(comp.periods) if self.annual else periods_within(self.period, own)

    def not_assessed_line(self, comp: Component) -> str:
        own = [p for p in comp.periods if p != "cycle"]
        when = "年终评定" if not own else f"{self.short(own[0])}结束后评定"
        return f"{comp.name} 未评（{when}）"
