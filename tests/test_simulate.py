"""The scheme simulator lists who changes and why."""

from __future__ import annotations

from core.scheme import load_scheme, scheme_with_overrides
from core.simulate import simulate
from tests.engine_cases import member, sc


def case():
    dims = ["组织生活", "创先争优", "服务群众", "遵纪守法", "群众反映"]
    values = {"A": 16, "B": 15, "C": 12}  # totals 80, 75, 60
    return {"cycle": 2025, "subjects": [member(s, category="普通类") for s in values],
            "scores": [sc(s, d, value=v) for s, v in values.items() for d in dims]}


def test_raising_the_excellent_line_moves_one_member():
    scheme = load_scheme("party-street-3class")
    report = simulate(scheme, case(), overrides={"grading": {"bands": [
        {"name": "优秀", "min": 85}, {"name": "合格", "min": 60, "below": 85}, {"name": "诫勉", "below": 60}]}})
    # A: 80 was 优秀 (≥80), now below 85 → 合格, and loses report_up; B (75) and C (60) stay 合格
    assert [c["subject"] for c in report["changes"]] == ["A"]
    change = report["changes"][0]
    assert change["old"]["grade"] == "优秀" and change["new"]["grade"] == "合格"
    assert "grade" in change["changed"] and "flags" in change["changed"]
    assert any("≥85" not in line and "优秀" in line for line in change["removed"])
    assert report["grade_moves"] == {"优秀 → 合格": 1}


def test_another_scheme_object_and_no_change():
    scheme = load_scheme("party-street-3class")
    assert simulate(scheme, case(), new_scheme=scheme)["changes"] == []
    tuned = scheme_with_overrides(scheme, {"version": "1.1"})
    assert simulate(scheme, case(), new_scheme=tuned)["new_scheme_version"] == "1.1"


def test_one_schemes_distributions_in_parts_are_summed_in_its_order_of_levels():
    from core.simulate import merge_distributions
    stars = load_scheme("volunteer-stars")  # no grades: its levels are stars, from the most
    first = [{"level": "3 星", "before": 2, "after": 1, "allowed_before": 1, "allowed_after": None},
             {"level": "1 星", "before": 4, "after": 5, "allowed_before": None, "allowed_after": None}]
    later = [{"level": "5 星", "before": 1, "after": 0, "allowed_before": 2, "allowed_after": 3},
             {"level": "3 星", "before": 1, "after": 2, "allowed_before": 2, "allowed_after": 4}]
    # 5 星 appears only in the later part and still comes first; 3 星: 2 + 1 before, 1 + 2 after,
    # places 1 + 2 before and (none) + 4 after
    assert merge_distributions([first, later], stars) == [
        {"level": "5 星", "before": 1, "after": 0, "allowed_before": 2, "allowed_after": 3},
        {"level": "3 星", "before": 3, "after": 3, "allowed_before": 3, "allowed_after": 4},
        {"level": "1 星", "before": 4, "after": 5, "allowed_before": None, "allowed_after": None}]
    # without a scheme (several schemes' groups): as the levels first appear
    assert [row["level"] for row in merge_distributions([first, later])] == ["3 星", "1 星", "5 星"]


def test_the_places_of_a_level_with_two_quotas_are_each_branchs_tightest():
    from types import SimpleNamespace
    from decimal import Decimal
    from core.simulate import _allowed
    # 优秀 ≤ 20% with at least 1, and ≤ 10% with at least 2. Branch B1 of 30: 20% → 6,
    # 10% → 3: 3 places. Branch B2 of 5: 20% → 1 (at least 1), 10% → 0 (at least 2) → 2:
    # 1 place. 3 + 1 = 4 (the tightest quota over the two branches together would say
    # min(6 + 1, 3 + 2) = 5).
    quotas = [SimpleNamespace(grade="优秀", stars=None, percent=Decimal(20), minimum=1),
              SimpleNamespace(grade="优秀", stars=None, percent=Decimal(10), minimum=2)]
    results = ([{"branch": "B1", "kind": "member", "rank": 1, "total": 80, "grade": "合格", "stars": None}] * 30
               + [{"branch": "B2", "kind": "member", "rank": 1, "total": 80, "grade": "合格", "stars": None}] * 5)
    assert _allowed(SimpleNamespace(quotas=quotas), results, "grade", "优秀") == 4
