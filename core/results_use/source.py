"""Which branches a follow-up list covers, and their results: one place for the scope check
and the "archived snapshot, else live" rule (core.services.results.branch_results)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from core import bounds, orgs
from core.auth.scope import Scope
from core.scheme_assignments import NoSchemeError
from core.services.results import BranchResults, branch_results
from core.store import Store


def branches_under(store: Store, scope: Scope, org_code: str) -> list[str]:
    """The branches of ``org_code`` (itself when it is one) in tree order; refused and audited
    when the organisation is outside the user's scope."""
    return orgs.branch_codes(store, scope.narrowed(store, org_code))


def results_under(store: Store, scope: Scope, org_code: str, cycle: int, period: str = "cycle",
                  today: dt.date | None = None) -> Iterator[tuple[str, str, BranchResults]]:
    """(branch code, branch label, its party members' results) for each branch with a scheme.
    A generator: the cycle is checked when the first result is asked for, before any is made."""
    cycle = bounds.cycle(cycle, today=today)
    codes = branches_under(store, scope, org_code)
    labels = orgs.labels(store, codes)
    for code in codes:
        try:
            yield code, labels[code], branch_results(store, code, cycle, period, today, "party")
        except NoSchemeError:
            continue  # a branch with no party scheme has no results to follow up


def is_exempt(result: dict) -> bool:
    """免于评星: the engine gives an exempt subject no total, grade, stars or rank."""
    return result["rank"] is None and result["total"] is None and result["grade"] is None and result["stars"] is None


# The grades a 处置 case follows (不合格 / 基本合格, and 诫勉 where a template's lowest grade is
# named so): never a scheme's top grade, even where it is the only one (party-stars-raters
# grades only 不合格).
LOW_GRADES = ("基本合格", "不合格", "诫勉")


def top_grade(scheme) -> str | None:
    names = scheme.grade_names
    return names[0] if names and names[0] not in LOW_GRADES else None
