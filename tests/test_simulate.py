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
