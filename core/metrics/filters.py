"""The one filter every dashboard shares, and the SQL that restricts a query to it.

Activity metrics (participation, attendance, entries) run over a calendar *period*: a
month ``2026-11``, a quarter ``2026Q4`` or a year ``2026``. Scores run over a rating
*cycle*, whose months depend on each scheme's start, so the two are chosen separately.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from core.auth.scope import Scope
from core.cycles import cycle_bounds, cycle_label
from core.services.case import group_by_scheme


@dataclass(frozen=True)
class Filter:
    today: dt.date
    cycle: int
    period: str  # '2026-11' | '2026Q4' | '2026'
    township: str | None = None
    branch: str | None = None
    category: str | None = None

    def with_period(self, period: str) -> Filter:
        return replace(self, period=period)


def month_key(d: dt.date) -> str:
    return f"{d.year}-{d.month:02d}"


def quarter_key(d: dt.date) -> str:
    return f"{d.year}Q{(d.month - 1) // 3 + 1}"


def default_filter(today: dt.date, **choices) -> Filter:
    """This quarter for activity, and the latest cycle every scheme has finished for scores
    (cycle N ends by 06-30 of N+1 at the latest)."""
    last_done = today.year - 1 if today >= dt.date(today.year, 7, 1) else today.year - 2
    return Filter(today=today, cycle=choices.pop("cycle", last_done),
                  period=choices.pop("period", quarter_key(today)), **choices)


def period_range(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of a month, quarter or year key."""
    if "Q" in period:
        year, quarter = (int(p) for p in period.split("Q"))
        first = dt.date(year, 3 * quarter - 2, 1)
        months = 3
    elif "-" in period:
        year, month = (int(p) for p in period.split("-"))
        first, months = dt.date(year, month, 1), 1
    else:
        first, months = dt.date(int(period), 1, 1), 12
    index = first.year * 12 + first.month - 1 + months
    return first, dt.date(index // 12, index % 12 + 1, 1) - dt.timedelta(days=1)


def period_label(period: str) -> str:
    """A calendar period as its months: '2026年10—12月', '2026年11月', '2026年1—12月'.

    Never '第4季度': a 七一 scheme's 第1季度 is July to September (core.cycles names those),
    so calendar quarters are named by their months and no two pages mean different things."""
    first, last = period_range(period)
    if first.month == last.month:
        return f"{first.year}年{first.month}月"
    return f"{first.year}年{first.month}—{last.month}月"


def cycle_starts(store, scope: Scope, flt: Filter) -> list[str]:
    """The cycle starts ('07-01', '01-01') of the schemes governing ``flt.cycle`` in the filter."""
    groups, _ = group_by_scheme(store, branch_codes(store, scope, flt), flt.cycle, flt.today)
    return sorted({g.scheme.cycle_start for g in groups})


def cycle_name(starts: list[str], cycle: int, *, dates: bool = True) -> str:
    """A dashboard cycle named as the schemes in scope name it (core.cycles.cycle_label):
    '2025—2026年度（2025-07-01至2026-06-30）'; without ``dates``, '2025—2026年度'. Where
    the branches' schemes start on different days, each span is given."""
    if not starts:
        return f"{cycle}年度"
    if len(starts) == 1:
        label = cycle_label(starts[0], cycle)
        return label if dates else label.split("（")[0]
    spans = [cycle_bounds(s, cycle) for s in starts]
    if not dates:
        return f"{cycle}年度"
    return f"{cycle}年度（各支部方案起止不同：" + "；".join(f"{a:%Y-%m-%d}至{b:%Y-%m-%d}" for a, b in spans) + "）"


def branch_where(scope: Scope, flt: Filter, alias: str = "b") -> tuple[str, list]:
    """WHERE fragment for an ``orgs`` alias: branches in the user's scope and the filter."""
    where, params = scope.sql(alias)
    clauses = [f"{alias}.level = 'branch'", where]
    if flt.township:
        clauses.append(f"{alias}.township_code = ?")
        params = params + [flt.township]
    if flt.branch:
        clauses.append(f"{alias}.code = ?")
        params = params + [flt.branch]
    return " AND ".join(clauses), params


def member_where(flt: Filter, alias: str = "m", kinds=None) -> tuple[str, list]:
    """WHERE fragment for a ``members`` alias: party members of the chosen category; with
    ``kinds``, subjects of those kinds instead (户, 义工 …: the category is a party member's)."""
    if kinds is not None and tuple(kinds) != ("member",):
        return f"{alias}.kind = ANY(?)", [list(kinds)]
    if flt.category:
        return f"{alias}.kind = 'member' AND {alias}.category = ?", [flt.category]
    return f"{alias}.kind = 'member'", []


def branch_codes(store, scope: Scope, flt: Filter) -> list[str]:
    where, params = branch_where(scope, flt)
    return [r[0] for r in store.all(f"SELECT b.code FROM orgs b WHERE {where} ORDER BY b.code", params)]
