"""volunteer-stars in the engine: half-hours, the star boundaries in points, and the share of
volunteers at 3 stars against the 50% target (SCHEMES.md, "volunteer-stars")."""

from __future__ import annotations

import pytest

from core.engine.case import CaseError
from tests.engine_cases import codes, ev, member, result, run


def volunteer(sid="V"):
    return member(sid, kind="volunteer")


def service(sid, hours, rating="满意", date="2025-06-01"):
    return ev(sid, "service", date, count=hours, rating=rating)


def test_half_hours_count_and_are_explained():
    # 1.5 h × 5 = 7.5; 2.5 h × 5 = 12.5 → 20, explained as 5 × 4 h
    out = run("volunteer-stars", [volunteer()], [service("V", 1.5), service("V", "2.5", date="2025-06-02")])
    r = result(out, "V")
    assert r["total"] == 20 and r["stars"] == 0
    assert any("+5 × 4 = +20" in line for line in r["explain"])
    # 0.5 h 不满意 earns 0 and warns
    out = run("volunteer-stars", [volunteer()], [service("V", 1.5), service("V", 0.5, "不满意")])
    assert result(out, "V")["total"] == 7.5 and "unrated_service" in codes(out)


def test_one_and_a_half_hours_alone():
    r = result(run("volunteer-stars", [volunteer()], [service("V", 1.5)]), "V")
    assert r["total"] == 7.5
    assert r["explain"][0].startswith("第2季度 党员义工服务（每小时，评价满意） +5 × 1.5 = +7.5")


@pytest.mark.parametrize("hours, points, stars", [
    ("59.8", 299, 0),  # 59.8 × 5 = 299 < 300
    (60, 300, 1),      # 60 × 5 = 300 ≥ 300
    (120, 600, 2),     # 120 × 5 = 600 ≥ 600
    (180, 900, 3),     # 180 × 5 = 900 ≥ 900
])
def test_star_boundaries(hours, points, stars):
    r = result(run("volunteer-stars", [volunteer()], [service("V", hours)]), "V")
    assert (r["total"], r["stars"]) == (points, stars)
    assert ("priority_service" in r["flags"]) == (stars > 0)


def test_share_at_three_stars_counts_volunteers_not_stars():
    # A 180 h → 900 → 3★; B, C, D 60 h → 300 → 1★ each.
    # volunteers at ≥3★: 1 of 4 = 25% (the share of possible stars, 3+1+1+1 of 12 = 50%, is not it)
    subjects = [volunteer(s) for s in "ABCD"]
    events = [service("A", 180)] + [service(s, 60) for s in "BCD"]
    out = run("volunteer-stars", subjects, events)
    branch = out["branches"][0]
    assert branch["shares"]["three_star_share"] == {"hits": 1, "of": 4, "percent": 25, "min_percent": 50,
                                                    "max_percent": None}
    assert "star_share" not in branch
    warning = next(w for w in out["warnings"] if w["code"] == "three_star_share")
    assert warning["message"] == "三星级及以上义工不足50%（1/4 = 25%）"


def test_share_at_target_raises_no_warning():
    # 2 of 4 at 3★ = 50% → not below 50%
    subjects = [volunteer(s) for s in "ABCD"]
    out = run("volunteer-stars", subjects, [service("A", 180), service("B", 200)])
    assert out["branches"][0]["shares"]["three_star_share"]["percent"] == 50
    assert "three_star_share" not in codes(out)


def test_a_fraction_of_an_occurrence_is_refused():
    # count is hours only for a per-unit item; party-q100-3to1's miss_meeting counts occurrences
    with pytest.raises(CaseError, match="按次计分，次数应为整数: 1.5"):
        run("party-q100-3to1", [member("A")], [ev("A", "miss_meeting", "2025-08-01", count=1.5)])
    with pytest.raises(CaseError, match="次数/数量应为正数"):
        run("volunteer-stars", [volunteer()], [service("V", 0)])
