"""星级挂牌: the stars each member holds, per branch, grouped from the most stars down, for
the schemes that award stars (a result with ``stars``), for the cycle or a period the scheme
rates (party-stars-raters each quarter, party-stars-10 each month)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.auth import require, scope_for
from core.cycles import period_label
from core.engine.labels import flag_label
from core.results_use.candidates import star_text
from core.results_use.source import is_exempt, results_under
from core.store import Store


@dataclass(frozen=True)
class StarGroup:
    branch: str
    branch_name: str
    title: str  # 「★★★★★ 五星党员」
    stars: int
    members: list[dict]  # {"name", "flags"}, by rank


def star_groups(store: Store, user, org_code: str, cycle: int, period: str = "cycle",
                today: dt.date | None = None) -> tuple[list[StarGroup], str | None]:
    """(groups, the rated period's label) for the branches of ``org_code`` whose scheme rates
    ``period`` with stars; an unrated period or a scheme without stars gives no group."""
    require(user, "results_use")
    groups, labels = [], set()
    for code, name, res in results_under(store, scope_for(store, user), org_code, cycle, period, today):
        if period not in res.scheme.graded_periods:
            continue
        rated = [r for r in res.output["results"] if not is_exempt(r) and r["stars"] is not None]
        if not rated:
            continue
        labels.add(period_label(res.scheme, cycle, period))
        start = res.output.get("cycle_start", res.scheme.cycle_start)
        for stars in sorted({r["stars"] for r in rated}, reverse=True):
            members = [{"name": r.get("name") or r["subject"],
                        "flags": "、".join(flag_label(f, start) for f in r["flags"])}
                       for r in rated if r["stars"] == stars]
            groups.append(StarGroup(code, name, f"{star_text(stars)}党员", stars, members))
    # branches whose schemes start their year apart (01-01, 07-01) share only the year's number
    return groups, labels.pop() if len(labels) == 1 else (f"{cycle}年度" if labels else None)


def star_rows(groups: list[StarGroup]) -> list[dict]:
    """One row per member, under its branch and star level (the printed and exported list)."""
    return [{"支部": g.branch_name, "星级": g.title, "姓名": m["name"], "标记": m["flags"]}
            for g in groups for m in g.members]
