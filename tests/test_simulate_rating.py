"""A simulation that only moves grade bands, star bands or quotas scores the case once and
rates it twice (core.simulate.evaluate_both); its output must be exactly what evaluating
the edited scheme gives."""

from __future__ import annotations

import pytest

from core.engine import evaluate
from core.scheme import load_scheme, scheme_with_overrides
from core.simulate import evaluate_both, scores_alike, simulate


def _case(scheme, n: int = 12) -> dict:
    """n members of one branch (the last exempt) with 1..7 occurrences of a fixed bonus item
    and 1..6 of a fixed deduction, so their totals spread over the bands."""
    fixed = [i for i in scheme.items.values() if not i.is_range and not i.automatic and "member" in i.kinds
             and i.frequency == "per_event"]
    bonus = next((i for i in fixed if i.points > 0), None)  # party-stars-5x20 only deducts from its base
    minus = next(i for i in fixed if i.points < 0)
    subjects = [{"id": f"A{k:02d}", "branch": "B1", "kind": "member", "category": scheme.subject_categories[0]
                 if scheme.subject_categories else None, "probationary": False, "exempt": k == n - 1,
                 "joined_branch": "2020-01-01", "approved_on": None} for k in range(n)]
    events = []
    for k in range(n):
        if bonus is not None:
            events += [{"subject": f"A{k:02d}", "item": bonus.code, "date": "2025-08-03", "count": k % 7 + 1}]
        events += [{"subject": f"A{k:02d}", "item": minus.code, "date": "2025-09-03", "count": k % 6 + 1}]
    return {"cycle": 2025, "subjects": subjects, "events": events, "scores": [], "vetoes": [], "history": []}


@pytest.mark.parametrize(("scheme_id", "overrides"), [
    ("party-q100-3to1", {"quotas": {"0": {"percent": 10}}}),
    ("party-q100-3to1", {"grading": {"bands": [{"name": "优秀", "min": 85}, {"name": "合格", "min": 75, "below": 85},
                                               {"name": "基本合格", "min": 60, "below": 75},
                                               {"name": "不合格", "below": 60}]}}),
    ("party-stars-5x20", {"stars": {"bands": [{"stars": 5, "min": 85}, {"stars": 4, "min": 80, "below": 85},
                                              {"stars": 3, "min": 70, "below": 80}, {"stars": 2, "min": 60, "below": 70},
                                              {"stars": 1, "below": 60}]}}),
])
def test_rating_a_scored_case_again_equals_evaluating_the_edited_scheme(scheme_id, overrides):
    old = load_scheme(scheme_id)
    new = scheme_with_overrides(old, overrides)
    assert scores_alike(old, new)
    case = _case(old)
    for period in ("cycle", "Q2") if old.publish_periods != ("cycle",) else ("cycle",):
        case["period"] = period
        before, after = evaluate_both(old, new, case)
        assert before == evaluate(old, case) and after == evaluate(new, case)


def test_an_edit_of_item_points_scores_again():
    old = load_scheme("party-q100-3to1")
    code = next(c for c, i in old.items.items() if not i.is_range and i.points < 0)
    new = scheme_with_overrides(old, {"items": {code: {"points": old.items[code].points * 2}}})
    assert not scores_alike(old, new)
    case = _case(old)
    assert evaluate_both(old, new, case)[1] == evaluate(new, case)


@pytest.mark.parametrize("overrides", [{"grading": {"bands": [  # 优秀 from 84 (totals 82–84.5; 2 places)
    {"name": "优秀", "min": 84}, {"name": "合格", "min": 80, "below": 84}, {"name": "基本合格", "min": 65, "below": 80},
    {"name": "不合格", "below": 65}]}}, "points"])
def test_a_changed_members_explanations_are_the_whole_ones(overrides):
    # the county-wide pass leaves the per-event lines out; a changed member's two explanations
    # are still exactly what evaluate says under each scheme
    old = load_scheme("party-q100-3to1")
    if overrides == "points":
        code = next(c for c, i in old.items.items() if not i.is_range and i.points < 0)
        overrides = {"items": {code: {"points": old.items[code].points * 2}}}
    new = scheme_with_overrides(old, overrides)
    case = _case(old)
    report = simulate(old, case, new_scheme=new)
    assert report["changes"]
    before = {r["subject"]: r["explain"] for r in evaluate(old, case)["results"]}
    after = {r["subject"]: r["explain"] for r in evaluate(new, case)["results"]}
    for change in report["changes"]:
        assert change["explain_old"] == before[change["subject"]]
        assert change["explain_new"] == after[change["subject"]]
        assert any("（2025-09-03）" in line for line in change["explain_old"])  # the per-event lines are there
